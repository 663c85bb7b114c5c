import { Counter, Gauge } from 'prom-client';
import { z } from 'zod';
import { AppError } from '../../core/errors.js';
import type { BusEvent } from '../../core/model.js';
import type { Subscription } from '../../core/ports.js';
import type { Notifier } from '../../core/notify/ports.js';
import { ComplianceEngine, type SweepResult } from '../../core/compliance/engine.js';
import { ComplianceService } from '../../core/compliance/service.js';
import { parseDuration } from '../../core/compliance/duration.js';
import { renderCsv, renderMarkdown } from '../../core/compliance/report.js';
import { SEVERITIES, type Severity } from '../../core/compliance/rule.js';
import { VIOLATION_STATUSES, type ViolationStatus } from '../../core/compliance/violations.js';
import { ruleToJson, violationToJson } from '../../core/compliance/json.js';
import { ChannelNotifier, notifierSettings } from '../notify/notifier.js';
import type { Secrets } from '../secrets/vault.js';
import { route, type Route } from '../http/route.js';
import { leaseTtl } from '../schedule.js';
import type { Module, ModuleContext } from './module.js';

const DAY = 86_400_000;
const LEASE = 'compliance.evaluate';

function durationParam(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined || text === '') return fallback;
  const ms = parseDuration(text);
  if (ms === undefined || ms <= 0) throw new AppError('usage', `${name}: expected a duration such as 30d, 12h or 90m`);
  return ms;
}

function statusesParam(text: string | undefined): ViolationStatus[] | undefined {
  if (!text || text === 'active') return undefined;
  if (text === 'all') return [...VIOLATION_STATUSES];
  const list = text.split(',').map((s) => s.trim()).filter(Boolean);
  for (const s of list) {
    if (!(VIOLATION_STATUSES as readonly string[]).includes(s)) throw new AppError('usage', `status: unknown status ${s} (${VIOLATION_STATUSES.join(', ')}, active, all)`);
  }
  return list as ViolationStatus[];
}

function severityParam(text: string | undefined): Severity {
  const s = (text ?? 'high').toLowerCase();
  if (!(SEVERITIES as readonly string[]).includes(s)) throw new AppError('usage', `failOn: unknown severity ${text} (${SEVERITIES.join(', ')})`);
  return s as Severity;
}

const waiveBody = z.strictObject({
  reason: z.string().trim().min(1, 'a waiver needs a reason'),
  /** ISO time or a duration from now (`14d`). */
  expires: z.string().optional(),
});

function expiryFrom(text: string | undefined, now: number): number | null {
  if (!text) return null;
  const asDuration = parseDuration(text);
  if (asDuration !== undefined && !/^\d+$/.test(text)) return now + asDuration;
  const t = Date.parse(text);
  if (Number.isNaN(t)) throw new AppError('validation', 'expires: expected an ISO date or a duration such as 14d', undefined, { issues: [{ path: 'expires', message: 'bad expiry' }] });
  return t;
}

/** One daemon's engine, its subscriptions per organisation, its event queues and its sweep timers. */
interface State {
  engine: ComplianceEngine;
  timers: NodeJS.Timeout[];
  /** Until when this daemon holds the compliance lease; only the holder evaluates, so that two
   *  daemons never record the same violation twice. Always held when embedded. */
  leaseUntil: number;
  subscriptions: Map<string, Subscription>;
  queues: Map<string, Promise<unknown>>;
  /** Per org, the events waiting for the next evaluation. */
  pending: Map<string, BusEvent[]>;
}

/** Per daemon (tests run several in one process); stop() has no context, so it stops them all. */
const states = new Map<ModuleContext, State>();

function metricsFor(ctx: ModuleContext) {
  const existing = ctx.metrics.getSingleMetric('compliance_violations_total');
  if (existing) {
    return {
      violations: existing as Counter<'severity' | 'rule'>,
      score: ctx.metrics.getSingleMetric('compliance_score_gauge') as Gauge<'scope' | 'team'>,
      breaches: ctx.metrics.getSingleMetric('sla_breach_count') as Gauge<'clock' | 'priority'>,
    };
  }
  return {
    violations: new Counter({ name: 'compliance_violations_total', help: 'Compliance violations opened (past their grace period)', labelNames: ['severity', 'rule'] as const, registers: [ctx.metrics] }),
    score: new Gauge({ name: 'compliance_score_gauge', help: 'Compliance score 0-100 (docs/compliance.md), for the organisation and per team', labelNames: ['scope', 'team'] as const, registers: [ctx.metrics] }),
    breaches: new Gauge({ name: 'sla_breach_count', help: 'Open tasks whose SLA clock is past its target, by clock and priority', labelNames: ['clock', 'priority'] as const, registers: [ctx.metrics] }),
  };
}

/** How often the score gauge is recomputed after sweeps. */
const SCORE_EVERY_MS = 10_000;

function build(ctx: ModuleContext): { engine: ComplianceEngine; service: ComplianceService } {
  const m = metricsFor(ctx);
  const settings = notifierSettings(ctx.config.settings);
  const secrets = ctx.services.get<Secrets>('secrets');
  // With the vault, an organisation may store its Slack webhook or SMTP URL at any time, so both channels are
  // tried (one without configuration answers "no …" at once); without it only what the settings configure.
  const channels = secrets
    ? (['slack', 'email'] as const)
    : [...(settings.slackWebhook ? ['slack' as const] : []), ...(settings.smtpUrl && settings.mailTo.length ? ['email' as const] : [])];
  const shared = ctx.services.get<Notifier>('notifier');
  const notifier = channels.length > 0 ? shared ?? new ChannelNotifier(settings, ctx.commit, secrets) : undefined;
  let service: ComplianceService | null = null;
  const scoredAt = new Map<string, number>();
  const eng = new ComplianceEngine({
    repos: ctx.store, commit: ctx.commit, clock: ctx.clock, notifier, notifyChannels: channels,
    pause: () => new Promise((resolve) => setImmediate(resolve)),
    observer: {
      detected: (_org, list) => { for (const v of list) m.violations.inc({ severity: v.severity, rule: v.ruleName }); },
      swept: (orgId, result: SweepResult) => {
        m.breaches.reset();
        for (const [key, n] of Object.entries(result.slaBreaches)) {
          const [clock, priority] = key.split(':');
          m.breaches.set({ clock: clock!, priority: priority! }, n);
        }
        // The score reads every team's task counts: at most every SCORE_EVERY_MS, however often sweeps run.
        if (Date.now() - (scoredAt.get(orgId) ?? 0) < SCORE_EVERY_MS) return;
        scoredAt.set(orgId, Date.now());
        void service?.score(orgId).then((s) => {
          m.score.set({ scope: 'org', team: '' }, s.org.score);
          for (const t of s.teams) m.score.set({ scope: 'team', team: t.team }, t.score);
        }).catch((err: unknown) => ctx.log.warn('compliance score failed', { error: String(err) }));
      },
    },
  });
  service = new ComplianceService({ repos: ctx.store, commit: ctx.commit, clock: ctx.clock, engine: eng });
  return { engine: eng, service };
}

/** Events of one organisation are handled one after another, so two changes never race on a violation. */
function enqueue(state: State, orgId: string, work: () => Promise<unknown>): void {
  const prev = state.queues.get(orgId) ?? Promise.resolve();
  const next = prev.then(work, work);
  state.queues.set(orgId, next.catch(() => undefined));
}

async function subscribeOrgs(ctx: ModuleContext, state: State): Promise<void> {
  const eng = state.engine;
  for (const org of await ctx.store.orgs.list()) {
    if (state.subscriptions.has(org.id)) continue;
    const sub = await ctx.bus.subscribe(org.id, {}, (event: BusEvent) => {
      if (!/^(task|action|compliance|team|calendar|violation)\./.test(event.type)) return;
      if (/^(task|action)\./.test(event.type) && Date.now() > state.leaseUntil) return;
      // Events that arrive while a batch is queued or running join the next one (a burst is evaluated together).
      let batch = state.pending.get(org.id);
      if (batch) {
        batch.push(event);
        return;
      }
      state.pending.set(org.id, (batch = [event]));
      enqueue(state, org.id, () => {
        state.pending.delete(org.id);
        return eng.onEvents(batch).catch((err: unknown) => ctx.log.warn('compliance evaluation failed', { events: batch.length, first: batch[0]!.type, subject: batch[0]!.subject, error: String(err) }));
      });
    });
    state.subscriptions.set(org.id, sub);
  }
}

/** Takes or renews the lease; the holder evaluates bus events and sweeps. */
async function holdLease(ctx: ModuleContext, state: State, everyMs: number): Promise<boolean> {
  const ttl = leaseTtl(everyMs);
  const lease = await ctx.leases.acquire(LEASE, ttl).catch(() => null);
  // Stop evaluating a little before the lease could have passed to another daemon.
  state.leaseUntil = lease ? Date.now() + ttl - Math.min(ttl / 3, 30_000) : 0;
  return lease !== null;
}

async function sweepAll(ctx: ModuleContext, state: State): Promise<void> {
  await subscribeOrgs(ctx, state);
  for (const org of await ctx.store.orgs.list()) {
    await new Promise<void>((resolve) => enqueue(state, org.id, () => state.engine.sweep(org.id).then(
      () => undefined,
      (err: unknown) => ctx.log.warn('compliance sweep failed', { org: org.id, error: String(err) }),
    ).finally(resolve)));
  }
}

export const complianceModule: Module = {
  name: 'compliance',
  routes(ctx: ModuleContext): Route[] {
    const built = build(ctx);
    states.set(ctx, { engine: built.engine, timers: [], leaseUntil: 0, subscriptions: new Map(), queues: new Map(), pending: new Map() });
    const { service } = built;
    const base = '/v1/compliance';
    return [
      route({ method: 'GET', path: `${base}/rules`, perm: ['compliance', 'read'], handler: async ({ caller }) => ({ body: await service.listRules(caller.orgId) }) }),
      route({
        method: 'GET', path: `${base}/rules/:id`, perm: ['compliance', 'read'],
        handler: async ({ caller, params }) => ({ body: ruleToJson(await service.rule(caller.orgId, params.id!)) }),
      }),
      route({
        method: 'POST', path: `${base}/rules`, perm: ['compliance', 'manage'], body: z.unknown(),
        handler: async ({ caller, body }) => ({ status: 201, body: await service.addRule(caller.actor, body) }),
      }),
      route({
        method: 'POST', path: `${base}/rules/test`, perm: ['compliance', 'read'], body: z.strictObject({ rule: z.unknown(), since: z.string().optional() }),
        handler: async ({ caller, body }) => ({ body: await service.replay(caller.orgId, body.rule, durationParam('since', body.since, 30 * DAY)) }),
      }),
      ...(['enable', 'disable'] as const).map((verb) => route({
        method: 'POST', path: `${base}/rules/:id/${verb}`, perm: ['compliance', 'manage'],
        handler: async ({ caller, params }) => ({ body: await service.setEnabled(caller.actor, params.id!, verb === 'enable') }),
      })),
      route({
        method: 'DELETE', path: `${base}/rules/:id`, perm: ['compliance', 'admin'],
        handler: async ({ caller, params }) => { await service.deleteRule(caller.actor, params.id!); return { status: 204 }; },
      }),
      route({
        method: 'GET', path: `${base}/violations`, perm: ['compliance', 'read'],
        handler: async ({ caller, query }) => ({
          body: await service.listViolations(caller.orgId, {
            status: statusesParam(query.status), rule: query.rule, team: query.team,
            limit: query.limit ? Math.min(Math.max(Number(query.limit) || 200, 1), 10_000) : undefined,
          }),
        }),
      }),
      route({
        method: 'GET', path: `${base}/violations/:id`, perm: ['compliance', 'read'],
        handler: async ({ caller, params }) => ({ body: violationToJson(await service.violation(caller.orgId, params.id!)) }),
      }),
      ...(['ack', 'resolve'] as const).map((kind) => route({
        method: 'POST', path: `${base}/violations/:id/${kind}`, perm: ['compliance', 'manage'],
        handler: async ({ caller, params }) => ({ body: await service.act(caller.actor, params.id!, { kind }) }),
      })),
      route({
        method: 'POST', path: `${base}/violations/:id/waive`, perm: ['compliance', 'manage'], body: waiveBody,
        handler: async ({ caller, params, body }) => ({
          body: await service.act(caller.actor, params.id!, { kind: 'waive', reason: body.reason, expiresAt: expiryFrom(body.expires, ctx.clock.now()) }),
        }),
      }),
      route({
        method: 'GET', path: `${base}/check`, perm: ['compliance', 'read'],
        handler: async ({ caller, query }) => ({ body: await service.check(caller.orgId, severityParam(query.failOn), query.sweep !== '0') }),
      }),
      route({
        method: 'POST', path: `${base}/sweep`, perm: ['compliance', 'manage'],
        handler: async ({ caller }) => ({ body: await built.engine.sweep(caller.orgId) }),
      }),
      route({
        method: 'GET', path: `${base}/sla`, perm: ['compliance', 'read'],
        handler: async ({ caller, query }) => {
          const clocks = await built.engine.clocks(caller.orgId);
          const wanted = query.status ? query.status.split(',') : null;
          return { body: wanted ? clocks.filter((c) => wanted.includes(String(c.status))) : clocks };
        },
      }),
      route({
        method: 'GET', path: `${base}/score`, perm: ['compliance', 'read'],
        handler: async ({ caller, query }) => ({ body: await service.score(caller.orgId, durationParam('window', query.window, 30 * DAY)) }),
      }),
      route({
        method: 'GET', path: `${base}/report`, perm: ['compliance', 'read'],
        handler: async ({ caller, query }) => {
          const report = await service.report(caller.orgId, durationParam('since', query.since, 30 * DAY));
          const format = query.format ?? 'json';
          if (format === 'json') return { body: report };
          if (format === 'md') return { body: { format, content: renderMarkdown(report) } };
          if (format === 'csv') return { body: { format, content: renderCsv(report) } };
          throw new AppError('usage', `format: expected md, json or csv (got ${format})`);
        },
      }),
      route({
        method: 'GET', path: `${base}/calendars`, perm: ['compliance', 'read'],
        handler: async ({ caller }) => ({ body: await ctx.store.compliance.listCalendars(caller.orgId) }),
      }),
      route({
        method: 'POST', path: `${base}/calendars`, perm: ['compliance', 'manage'], body: z.unknown(),
        handler: async ({ caller, body }) => ({ status: 201, body: await service.putCalendar(caller.actor, body) }),
      }),
    ];
  },
  async start(ctx: ModuleContext): Promise<void> {
    const state = states.get(ctx);
    if (!state || !ctx.config.flags.complianceAutomation) return;
    const every = durationParam('compliance_sweep_interval', ctx.config.settings['compliance_sweep_interval'], 60_000);
    await holdLease(ctx, state, every);
    await subscribeOrgs(ctx, state);
    // The lease is renewed more often than it could run out, whatever the sweep interval.
    const renew = setInterval(() => void holdLease(ctx, state, every), Math.max(1_000, Math.min(every, leaseTtl(every) / 3)));
    const tick = async (): Promise<void> => {
      if (Date.now() <= state.leaseUntil || (await holdLease(ctx, state, every))) await sweepAll(ctx, state);
    };
    // The first sweep shortly after start catches up with what changed while the daemon was down.
    const first = setTimeout(() => void tick(), 1_000);
    const loop = setInterval(() => void tick(), every);
    for (const t of [renew, first, loop]) t.unref();
    state.timers.push(renew, first, loop);
  },
  async stop(): Promise<void> {
    for (const [ctx, state] of states) {
      for (const t of state.timers) clearTimeout(t);
      if (state.leaseUntil > 0) await ctx.leases.release(LEASE).catch(() => undefined);
      for (const sub of state.subscriptions.values()) sub.close();
      await Promise.all([...state.queues.values()]);
    }
    states.clear();
  },
};
