import { performance } from 'node:perf_hooks';
import { Counter, Histogram } from 'prom-client';
import { z } from 'zod';
import { AppError, notFound } from '../../core/errors.js';
import type { Subscription } from '../../core/ports.js';
import { PRIORITIES, systemActor } from '../../core/model.js';
import { RoutingEngine, type RouteResult } from '../../core/routing/engine.js';
import { ClassifierHub } from '../../core/routing/hub.js';
import { WORKLOAD_SIGNALS_SERVICE } from '../../core/workload/signals.js';
import type { WorkloadSignals } from '../../core/workload/ports.js';
import { DEFAULT_CLAUDE_MODEL, lazyAnthropicLlm } from '../llm/config.js';
import { route, type Route } from '../http/route.js';
import { ResilientLlm } from '../outbound/llm.js';
import { outboundOf } from '../outbound/module.js';
import { CalendarCache } from '../routing/calendars.js';
import { genericMappingSchema, mapPayload, verifySignature } from '../routing/webhooks.js';
import type { Module, ModuleContext } from './module.js';
import { isSealed } from '../secrets/keyring.js';
import type { Secrets } from '../secrets/vault.js';

/** Webhook secrets are sealed at rest (AES-256-GCM) under this context, bound to the source's name. */
const secretContext = (source: string): string => `routing_webhooks/${source}`;

const text = (max: number) => z.string().max(max);
const tagMap = z.record(z.string().min(1).max(100), z.string().max(1000));

const routeFields = {
  title: text(1000),
  description: text(2_000_000).optional(),
  priority: z.enum(PRIORITIES).optional(),
  tags: tagMap.optional(),
  labels: tagMap.optional(),
  source: text(100).optional(),
  team: text(200).nullable().optional(),
  assignee: text(200).nullable().optional(),
};
const routeBody = z.strictObject({ ...routeFields, dryRun: z.boolean().optional() });
const batchBody = z.strictObject({ tasks: z.array(z.unknown()).min(1).max(10_000), dryRun: z.boolean().optional() });
const oneTask = z.strictObject(routeFields);

const historyItem = z.strictObject({
  title: text(1000),
  description: text(2_000_000).optional(),
  team: z.string().trim().min(1).max(200),
  assignee: text(200).optional(),
  priority: z.enum(PRIORITIES).optional(),
  tags: tagMap.optional(),
  skills: z.array(z.string().min(1).max(100)).max(50).optional(),
  createdAt: z.union([z.string(), z.number()]).optional(),
});
const historyBody = z.strictObject({ items: z.array(z.unknown()).max(200_000) });

const testBody = z.strictObject({
  rules: z.array(z.unknown()).min(1).max(1000),
  replay: z.boolean().optional(),
  since: z.union([z.string(), z.number()]).optional(),
});

const webhookBody = z.strictObject({
  kind: z.enum(['generic', 'github', 'jira']),
  secret: z.string().min(8, 'a webhook secret needs at least 8 characters').max(500),
  mapping: z.record(z.string(), z.unknown()).optional(),
  enabled: z.boolean().default(true),
});

/** `30d`, `24h`, `90m`, `2w`, an ISO time or epoch ms → epoch ms. */
export function parseSince(value: string | number | undefined, now: number, fallbackMs = 30 * 86_400_000): number {
  if (value === undefined || value === '') return now - fallbackMs;
  if (typeof value === 'number') return value;
  const m = /^(\d+)\s*(m|h|d|w)$/.exec(value.trim());
  if (m) return now - Number(m[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[m[2] as 'm' | 'h' | 'd' | 'w'];
  const t = Date.parse(value);
  if (Number.isFinite(t)) return t;
  throw new AppError('validation', `since: expected 30d, 24h, 2w, 90m or an ISO time, got ${value}`, undefined, [{ path: 'since', message: 'bad duration' }]);
}

function toTime(v: string | number | undefined, path: string): number | undefined {
  if (v === undefined) return undefined;
  const t = typeof v === 'number' ? v : Date.parse(v);
  if (!Number.isFinite(t)) throw new AppError('validation', `${path}: not a time`, undefined, [{ path, message: 'not a time' }]);
  return t;
}

function itemError(e: unknown, prefix: string): AppError {
  if (e instanceof z.ZodError) {
    const i = e.issues[0]!;
    const p = `${prefix}${i.path.map((x) => (typeof x === 'number' ? `[${x}]` : `.${String(x)}`)).join('')}`;
    return new AppError('validation', `${p}: ${i.message}`, undefined, e.issues.map((x) => ({ path: p, message: x.message })));
  }
  return e as AppError;
}

interface State {
  engine: RoutingEngine;
  hub: ClassifierHub | null;
  calendars: CalendarCache;
  timer: NodeJS.Timeout | null;
  subs: Subscription[];
  sweeping: Map<string, Promise<unknown>>;
}

const states = new Map<ModuleContext, State>();

function build(ctx: ModuleContext): State {
  const settings = ctx.config.settings;
  const budget = Number(settings.routing_claude_budget_ms) || 2_500;
  const minConfidence = Number(settings.routing_min_confidence) || undefined;
  const a = ctx.config.anthropic;
  // Claude within the decision's budget; a Claude that keeps failing or missing the budget opens the circuit
  // of `claude.routing`, and decisions then go offline at once instead of waiting out the budget each time.
  const llm = a.apiKey && ctx.config.flags.aiRouting
    ? new ResilientLlm(
      lazyAnthropicLlm({ apiKey: a.apiKey, ...(a.baseUrl ? { baseURL: a.baseUrl } : {}), model: a.model || DEFAULT_CLAUDE_MODEL, maxAttempts: 1, timeoutMs: budget }),
      outboundOf(ctx), { target: 'claude.routing', timeoutMs: budget, callerDeadline: true },
    )
    : null;
  const hub = ctx.config.flags.aiRouting
    ? new ClassifierHub({
      repo: ctx.store.routing,
      pause: () => new Promise((r) => setImmediate(r)),
      clock: () => performance.now(),
      onError: (orgId, err) => ctx.log.warn('routing classifier could not load history', { orgId, error: (err as Error).message }),
      onTrained: (orgId, r) => ctx.log.info('routing classifier trained', { orgId, items: r.items, teams: r.teams, ms: Math.round(r.millis), temperature: r.temperature }),
    })
    : null;
  const calendars = new CalendarCache({ baseDir: ctx.config.home, outbound: outboundOf(ctx), onError: (url, message) => ctx.log.warn('calendar unavailable', { url, message }) });
  const decisions = new Counter({ name: 'routing_decisions_total', help: 'Routing decisions, by how the team was chosen', labelNames: ['method'], registers: [ctx.metrics] });
  const latency = new Histogram({
    name: 'routing_latency_seconds', help: 'Time to decide one routing (and store it unless dry run)',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5], registers: [ctx.metrics],
  });
  const engine = new RoutingEngine({
    store: ctx.store, commit: ctx.commit, clock: ctx.clock, hub, llm, calendars,
    signals: () => ctx.services.get<WorkloadSignals>(WORKLOAD_SIGNALS_SERVICE),
    settings: { claudeBudgetMs: budget, ...(minConfidence ? { minConfidence } : {}) },
    monotonic: () => performance.now(),
    observe: (method, seconds) => {
      decisions.inc({ method });
      latency.observe(seconds);
    },
  });
  return { engine, hub, calendars, timer: null, subs: [], sweeping: new Map() };
}

function sweep(state: State, orgId: string): Promise<unknown> {
  const running = state.sweeping.get(orgId);
  if (running) return running;
  const p = state.engine.sweepResolved(orgId).catch(() => 0).finally(() => state.sweeping.delete(orgId));
  state.sweeping.set(orgId, p);
  return p;
}

/** Rules, decisions, history and webhooks. */
export const routingModule: Module = {
  name: 'routing',
  routes(ctx: ModuleContext): Route[] {
    const state = build(ctx);
    states.set(ctx, state);
    const { engine } = state;
    const secrets = ctx.services.get<Secrets>('secrets');
    if (!secrets) throw new Error('webhook secrets are sealed at rest: the secrets module must be built before routing (server/daemon.ts)');
    // Registered, so key rotation re-seals them and start-up seals any row an older version stored in plain text.
    secrets.registerColumn({ table: 'routing_webhooks', idColumns: ['source'], column: 'secret', context: (row) => secretContext(String(row.source)) });
    // A plain value can only be a row written by an older daemon that a newer one has not sealed yet (scaled mode).
    const secretOf = (hook: { source: string; secret: string }): string =>
      isSealed(hook.secret) ? secrets.open(hook.secret, secretContext(hook.source)) : hook.secret;
    ctx.services.provide('routing.explain', (orgId: string, taskId: string) => engine.explain(orgId, taskId));
    ctx.services.provide('routing', engine);

    return [
      route({ method: 'GET', path: '/v1/rules', perm: ['rules', 'read'], handler: async ({ caller }) => ({ body: await engine.listRules(caller.orgId) }) }),
      route({ method: 'GET', path: '/v1/rules/:id', perm: ['rules', 'read'], handler: async ({ caller, params }) => ({ body: await engine.getRule(caller.orgId, params.id!) }) }),
      route({
        method: 'POST', path: '/v1/rules', perm: ['rules', 'write'], body: z.unknown(),
        handler: async ({ caller, body }) => ({ status: 201, body: await engine.addRule(caller.actor, body) }),
      }),
      route({
        method: 'PUT', path: '/v1/rules/:id', perm: ['rules', 'write'], body: z.unknown(),
        handler: async ({ caller, params, body }) => ({ body: await engine.updateRule(caller.actor, params.id!, body) }),
      }),
      route({ method: 'POST', path: '/v1/rules/:id/enable', perm: ['rules', 'write'], handler: async ({ caller, params }) => ({ body: await engine.setEnabled(caller.actor, params.id!, true) }) }),
      route({ method: 'POST', path: '/v1/rules/:id/disable', perm: ['rules', 'write'], handler: async ({ caller, params }) => ({ body: await engine.setEnabled(caller.actor, params.id!, false) }) }),
      route({ method: 'DELETE', path: '/v1/rules/:id', perm: ['rules', 'write'], handler: async ({ caller, params }) => ({ body: await engine.deleteRule(caller.actor, params.id!) }) }),
      route({
        method: 'POST', path: '/v1/rules/test', perm: ['rules', 'read'], body: testBody,
        handler: async ({ caller, body }) => {
          if (!body.replay) {
            const valid = [];
            for (let i = 0; i < body.rules.length; i++) valid.push(await engine.validateRule(caller.orgId, body.rules[i], body.rules.length > 1 ? `rules[${i}]` : ''));
            return { body: { valid: true, rules: valid.map((r) => r.name) } };
          }
          const since = parseSince(body.since, ctx.clock.now());
          return { body: { valid: true, ...(await engine.replay(caller.orgId, body.rules, since)) } };
        },
      }),

      route({
        method: 'POST', path: '/v1/route', perm: ['tasks', 'write'], body: routeBody, bodyLimit: 4 * 1024 * 1024,
        handler: async ({ caller, body }) => {
          const { dryRun, ...input } = body;
          const result = await engine.route(caller.actor, input, { dryRun });
          return { status: dryRun ? 200 : 201, body: result };
        },
      }),
      route({
        method: 'POST', path: '/v1/route/batch', perm: ['tasks', 'write'], body: batchBody, bodyLimit: 64 * 1024 * 1024,
        handler: async ({ caller, body }) => {
          // every task is checked before any is routed: one bad line stores nothing
          const inputs = body.tasks.map((t, i) => {
            try {
              return oneTask.parse(t);
            } catch (e) {
              throw itemError(e, `tasks[${i}]`);
            }
          });
          const out: (RouteResult | { line: number; error: { code: string; message: string } })[] = [];
          for (let i = 0; i < inputs.length; i++) {
            try {
              out.push(await engine.route(caller.actor, inputs[i]!, { dryRun: body.dryRun }));
            } catch (e) {
              if (!(e instanceof AppError)) throw e;
              out.push({ line: i + 1, error: { code: e.kind, message: e.message } });
            }
          }
          return { body: { decisions: out } };
        },
      }),
      route({
        method: 'GET', path: '/v1/routing/decisions/:taskId', perm: ['tasks', 'read'],
        handler: async ({ caller, params }) => {
          const d = await engine.explain(caller.orgId, params.taskId!);
          if (!d) throw notFound('routing decision for task', params.taskId!);
          return { body: d };
        },
      }),

      route({
        method: 'POST', path: '/v1/routing/history', perm: ['rules', 'write'], body: historyBody, bodyLimit: 256 * 1024 * 1024,
        handler: async ({ caller, body }) => {
          const items = body.items.map((raw, i) => {
            try {
              const it = historyItem.parse(raw);
              return { ...it, createdAt: toTime(it.createdAt, `items[${i}].createdAt`) };
            } catch (e) {
              throw itemError(e, `items[${i}]`);
            }
          });
          return { status: 201, body: await engine.importHistory(caller.actor, items) };
        },
      }),
      route({
        method: 'GET', path: '/v1/routing/history', perm: ['rules', 'read'],
        handler: async ({ caller }) => {
          const size = await ctx.store.routing.countHistory(caller.orgId);
          const model = state.hub ? await state.hub.get(caller.orgId) : null;
          return {
            body: {
              size,
              classifier: !model ? 'off' : model.status,
              learned: model?.status === 'ready' ? model.classifier.size : 0,
              teams: model?.status === 'ready' ? model.classifier.teamNames : [],
            },
          };
        },
      }),

      route({
        method: 'GET', path: '/v1/integrations/webhooks', perm: ['rules', 'write'],
        handler: async ({ caller }) => ({ body: (await ctx.store.routing.listWebhooks(caller.orgId)).map(({ secret: _s, ...w }) => w) }),
      }),
      route({
        method: 'PUT', path: '/v1/integrations/webhooks/:source', perm: ['rules', 'write'], body: webhookBody,
        handler: async ({ caller, params, body }) => {
          const source = params.source!;
          if (!/^[\w.-]{1,64}$/.test(source)) throw new AppError('validation', 'source: letters, digits, _ . - only (up to 64)', undefined, [{ path: 'source', message: 'bad name' }]);
          let mapping: Record<string, unknown> = {};
          if (body.kind === 'generic') {
            const m = genericMappingSchema.safeParse(body.mapping ?? {});
            if (!m.success) throw itemError(m.error, 'mapping');
            mapping = m.data;
          }
          const now = ctx.clock.now();
          const existing = await ctx.store.routing.getWebhook(source);
          if (existing && existing.orgId !== caller.orgId) throw new AppError('conflict', `webhook source ${source} is taken`, 'choose another name');
          const secret = secrets.seal(body.secret, secretContext(source));
          const hook = { orgId: caller.orgId, source, kind: body.kind, secret, mapping, enabled: body.enabled, createdAt: existing?.createdAt ?? now, updatedAt: now };
          await ctx.commit(caller.actor, async (tx) => {
            await tx.routing.upsertWebhook(hook);
            return { value: null, audit: { action: 'webhook.configure', subject: source, summary: `configured ${body.kind} webhook source ${source}` } };
          });
          const { secret: _s, ...shown } = hook;
          return { body: { ...shown, path: `/v1/integrations/webhook/${source}` } };
        },
      }),
      route({
        method: 'DELETE', path: '/v1/integrations/webhooks/:source', perm: ['rules', 'write'],
        handler: async ({ caller, params }) => {
          const gone = await ctx.commit(caller.actor, async (tx) => {
            const ok = await tx.routing.deleteWebhook(caller.orgId, params.source!);
            if (!ok) throw notFound('webhook source', params.source!);
            return { value: ok, audit: { action: 'webhook.delete', subject: params.source!, summary: `deleted webhook source ${params.source}` } };
          });
          return { body: { deleted: gone } };
        },
      }),
      route({
        method: 'POST', path: '/v1/integrations/webhook/:source', auth: 'none', rawBody: true, bodyLimit: 4 * 1024 * 1024,
        handler: async ({ params, headers, rawBody }) => {
          const source = await ctx.store.routing.getWebhook(params.source!);
          if (!source || !source.enabled) throw notFound('webhook source', params.source!);
          // nothing is read from the body before its signature checks out
          if (!rawBody || !verifySignature({ kind: source.kind, secret: secretOf(source) }, headers, rawBody)) throw new AppError('unauthenticated', 'bad or missing webhook signature', 'sign the raw body with HMAC-SHA256 of the source secret');
          let payload: unknown;
          try {
            payload = JSON.parse(rawBody.toString('utf8'));
          } catch {
            throw new AppError('usage', 'the webhook body is not JSON');
          }
          const mapped = mapPayload(source, headers, payload);
          if ('ignore' in mapped) return { status: 202, body: { routed: false, reason: mapped.ignore } };
          const input = { ...mapped.route, title: mapped.route.title.trim() || '(no title)' };
          const actor = { ...systemActor(source.orgId, `webhook:${source.source}`), role: 'operator' as const };
          const result = await engine.route(actor, input);
          return { status: 201, body: { routed: true, ...result } };
        },
      }),
    ];
  },

  async start(ctx: ModuleContext): Promise<void> {
    const state = states.get(ctx);
    if (!state) return;
    const orgs = await ctx.store.orgs.list();
    for (const org of orgs) {
      // resolved tasks join the history and the model loads in the background: listening is not held up
      void sweep(state, org.id).then(() => state.hub?.refresh(org.id));
      state.subs.push(await ctx.bus.subscribe(org.id, { types: ['task.resolved'] }, () => void sweep(state, org.id)));
      // Rules, teams and members changed on any daemon (the bus carries it in scaled mode): drop the cached copy.
      state.subs.push(await ctx.bus.subscribe(org.id, { types: ['rule.created', 'rule.updated', 'rule.deleted', 'team.created', 'member.created', 'member.updated'] }, () => state.engine.forget(org.id)));
    }
    // other daemons import history and resolve tasks too: look for new rows now and then
    state.timer = setInterval(() => {
      void ctx.store.orgs.list().then((list) => {
        for (const org of list) void sweep(state, org.id).then(() => state.hub?.refresh(org.id));
      }).catch(() => undefined);
    }, Number(ctx.config.settings.routing_refresh_ms) || 60_000);
    state.timer.unref();
  },

  async stop(): Promise<void> {
    for (const [ctx, state] of states) {
      if (state.timer) clearInterval(state.timer);
      for (const s of state.subs) s.close();
      await Promise.all([...state.sweeping.values()]);
      await state.hub?.close();
      states.delete(ctx);
    }
  },
};
