/**
 * What people do with compliance: manage rules, act on violations, and ask for the CI gate, the
 * score, reports and replays. Evaluation itself lives in the engine.
 */
import { AppError, conflict, notFound } from '../errors.js';
import { newId } from '../ids.js';
import type { Actor, Task } from '../model.js';
import type { Clock, Commit, Repos } from '../ports.js';
import { calendarSchema, type CalendarSpec } from '../calendar/calendar.js';
import type { ComplianceEngine, SweepResult } from './engine.js';
import { taskEntity, type Entity } from './entities.js';
import { compileRule } from './evaluate.js';
import { ruleToJson, violationToJson } from './json.js';
import { replayRule, type ReplayHit } from './replay.js';
import { buildReport, type ClockSample, type Report } from './report.js';
import { formatPath, parseRule, ruleFromDraft, severityRank, type ComplianceRule, type RuleDraft, type Severity } from './rule.js';
import { computeScores, type ScoreResult } from './score.js';
import { slaClock } from './sla.js';
import { acknowledge, closeForRuleChange, resolveByHand, waive, ACTIVE_STATUSES, type Violation, type ViolationStatus } from './violations.js';
import { actionEntity } from './context.js';

const DAY = 86_400_000;
const MAX_HISTORY_TASKS = 200_000;

export interface ServiceDeps {
  repos: Repos;
  commit: Commit;
  clock: Clock;
  engine: ComplianceEngine;
}

export interface CheckResult {
  failOn: Severity;
  failed: boolean;
  count: number;
  violations: Record<string, unknown>[];
}

export interface ReplayResult {
  rule: Record<string, unknown>;
  since: string;
  until: string;
  evaluated: { tasks: number; actions: number };
  count: number;
  violations: (Omit<ReplayHit, 'since' | 'openedAt' | 'resolvedAt'> & { since: string; openedAt: string; resolvedAt: string | null })[];
}

export class ComplianceService {
  constructor(private readonly deps: ServiceDeps) {}

  private now(): number {
    return this.deps.clock.now();
  }

  async listRules(orgId: string): Promise<Record<string, unknown>[]> {
    return (await this.deps.repos.compliance.listRules(orgId)).map(ruleToJson);
  }

  async rule(orgId: string, idOrName: string): Promise<ComplianceRule> {
    const rule = await this.deps.repos.compliance.findRule(orgId, idOrName);
    if (!rule) throw notFound('compliance rule', idOrName);
    return rule;
  }

  /** Validates a rule, including that the calendars it names exist. */
  async validate(orgId: string, input: unknown): Promise<RuleDraft> {
    const draft = parseRule(input);
    const named: [string, unknown][] = [];
    if (draft.sla && typeof draft.sla.calendar === 'string') named.push(['sla.calendar', draft.sla.calendar]);
    if (typeof draft.calendar === 'string') named.push(['calendar', draft.calendar]);
    for (const [path, name] of named) {
      if (name === '24x7' || name === 'team') continue;
      if (!(await this.deps.repos.compliance.getCalendar(orgId, name as string))) {
        throw new AppError('validation', `${path}: unknown calendar "${String(name)}"`, 'use "team", "24x7", an inline calendar, or add one with: foundry-op compliance calendars add --file F',
          { issues: [{ path, message: 'unknown calendar' }] });
      }
    }
    return draft;
  }

  async addRule(actor: Actor, input: unknown): Promise<{ rule: Record<string, unknown>; sweep: SweepResult }> {
    const draft = await this.validate(actor.orgId, input);
    const now = this.now();
    const rule = await this.deps.commit(actor, async (tx) => {
      if (await tx.compliance.findRule(actor.orgId, draft.name)) throw conflict(`a compliance rule named ${draft.name} exists`, 'pick another name, or disable the old rule');
      const r = ruleFromDraft(draft, newId('cr', now), actor.orgId, now);
      await tx.compliance.insertRule(r);
      return {
        value: r,
        audit: { action: 'compliance.rule.create', subject: r.id, summary: `added ${r.severity} ${r.type} rule ${r.name}` },
        events: [{ type: 'compliance.rule.created', subject: r.id, data: ruleToJson(r) }],
      };
    });
    this.deps.engine.invalidate(actor.orgId);
    return { rule: ruleToJson(rule), sweep: await this.deps.engine.sweep(actor.orgId) };
  }

  /** Switches a rule on or off; switching off resolves its active violations. */
  async setEnabled(actor: Actor, idOrName: string, enabled: boolean): Promise<{ rule: Record<string, unknown>; sweep: SweepResult | null }> {
    const now = this.now();
    const rule = await this.deps.commit(actor, async (tx) => {
      const cur = await tx.compliance.findRule(actor.orgId, idOrName);
      if (!cur) throw notFound('compliance rule', idOrName);
      if (cur.enabled === enabled) throw conflict(`compliance rule ${cur.name} is already ${enabled ? 'enabled' : 'disabled'}`);
      const next = { ...cur, enabled, updatedAt: now };
      await tx.compliance.updateRule(next);
      const events = [{ type: `compliance.rule.${enabled ? 'enabled' : 'disabled'}`, subject: next.id, data: ruleToJson(next) }];
      if (!enabled) {
        for (const v of await tx.compliance.listViolations(actor.orgId, { ruleId: cur.id, status: [...ACTIVE_STATUSES] })) {
          const t = closeForRuleChange(v, now);
          if (t.kind === 'none') continue;
          await tx.compliance.updateViolation(t.violation);
          if (t.event) events.push({ type: t.event, subject: t.violation.id, data: violationToJson(t.violation) });
        }
      }
      return {
        value: next,
        audit: { action: `compliance.rule.${enabled ? 'enable' : 'disable'}`, subject: next.id, summary: `${enabled ? 'enabled' : 'disabled'} rule ${next.name}` },
        events,
      };
    });
    this.deps.engine.invalidate(actor.orgId);
    return { rule: ruleToJson(rule), sweep: enabled ? await this.deps.engine.sweep(actor.orgId) : null };
  }

  async deleteRule(actor: Actor, idOrName: string): Promise<void> {
    const now = this.now();
    await this.deps.commit(actor, async (tx) => {
      const cur = await tx.compliance.findRule(actor.orgId, idOrName);
      if (!cur) throw notFound('compliance rule', idOrName);
      const events = [{ type: 'compliance.rule.deleted', subject: cur.id, data: { id: cur.id, name: cur.name } as Record<string, unknown> }];
      for (const v of await tx.compliance.listViolations(actor.orgId, { ruleId: cur.id, status: [...ACTIVE_STATUSES] })) {
        const t = closeForRuleChange(v, now);
        if (t.kind === 'none') continue;
        await tx.compliance.updateViolation(t.violation);
        if (t.event) events.push({ type: t.event, subject: t.violation.id, data: violationToJson(t.violation) });
      }
      await tx.compliance.deleteRule(actor.orgId, cur.id);
      return { value: undefined, audit: { action: 'compliance.rule.delete', subject: cur.id, summary: `deleted rule ${cur.name}` }, events };
    });
    this.deps.engine.invalidate(actor.orgId);
  }

  async listViolations(orgId: string, filter: { status?: ViolationStatus[]; rule?: string; team?: string; limit?: number }): Promise<Record<string, unknown>[]> {
    let ruleId: string | undefined;
    let teamId: string | undefined;
    if (filter.rule) ruleId = (await this.rule(orgId, filter.rule)).id;
    if (filter.team) {
      const team = await this.deps.repos.teams.find(orgId, filter.team);
      if (!team) throw notFound('team', filter.team);
      teamId = team.id;
    }
    const list = await this.deps.repos.compliance.listViolations(orgId, {
      status: filter.status ?? ['pending', 'open', 'acknowledged', 'waived'], ruleId, teamId, limit: filter.limit ?? 200,
    });
    return list.map(violationToJson);
  }

  async violation(orgId: string, id: string): Promise<Violation> {
    const v = await this.deps.repos.compliance.getViolation(orgId, id);
    if (!v) throw notFound('violation', id);
    return v;
  }

  /** ack, resolve or waive by a person: one audited change with its event. */
  async act(actor: Actor, id: string, what: { kind: 'ack' } | { kind: 'resolve' } | { kind: 'waive'; reason: string; expiresAt: number | null }): Promise<Record<string, unknown>> {
    const now = this.now();
    const v = await this.deps.commit(actor, async (tx) => {
      const cur = await tx.compliance.getViolation(actor.orgId, id);
      if (!cur) throw notFound('violation', id);
      const next = what.kind === 'ack' ? acknowledge(cur, actor.name, now)
        : what.kind === 'resolve' ? resolveByHand(cur, actor.name, now)
        : waive(cur, actor.name, what.reason, what.expiresAt, now);
      await tx.compliance.updateViolation(next);
      const type = what.kind === 'ack' ? 'violation.acknowledged' : what.kind === 'resolve' ? 'violation.resolved' : 'violation.waived';
      const summary = what.kind === 'waive'
        ? `waived violation of ${cur.ruleName} until ${new Date(next.waiverExpiresAt!).toISOString()}: ${next.waiverReason}`
        : `${what.kind === 'ack' ? 'acknowledged' : 'resolved'} violation of ${cur.ruleName}`;
      return { value: next, audit: { action: `compliance.violation.${what.kind}`, subject: id, summary }, events: [{ type, subject: id, data: violationToJson(next) }] };
    });
    return violationToJson(v);
  }

  /** The CI gate: open (or acknowledged) violations at or above a severity, after a fresh sweep. */
  async check(orgId: string, failOn: Severity, sweep = true): Promise<CheckResult> {
    // A sweep of the last second is current enough: task changes reach the engine as events in between.
    // One of the last ten seconds answers at once while a fresh one runs behind it.
    if (sweep) await this.deps.engine.recentSweep(orgId, 1000, 10_000);
    const list = await this.deps.repos.compliance.listViolations(orgId, { status: ['open', 'acknowledged'] });
    const hits = list.filter((v) => severityRank(v.severity) >= severityRank(failOn))
      .sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || (a.openedAt ?? 0) - (b.openedAt ?? 0));
    return { failOn, failed: hits.length > 0, count: hits.length, violations: hits.map(violationToJson) };
  }

  async score(orgId: string, windowMs = 30 * DAY): Promise<ScoreResult> {
    const now = this.now();
    const since = now - windowMs;
    const { repos } = this.deps;
    const [teams, violations, orgCount] = await Promise.all([
      repos.teams.list(orgId),
      repos.compliance.listViolations(orgId, { activeSince: since }),
      repos.tasks.count(orgId, { since }),
    ]);
    const byTeam: Record<string, number> = {};
    for (const t of teams) byTeam[t.id] = await repos.tasks.count(orgId, { since, teamId: t.id });
    return computeScores({ now, windowMs, violations, entities: { org: orgCount, byTeam }, teams });
  }

  async report(orgId: string, sinceMs: number): Promise<Report> {
    const now = this.now();
    const since = now - sinceMs;
    const { repos } = this.deps;
    const ctx = await this.deps.engine.context(orgId);
    const [violations, score, tasks] = await Promise.all([
      repos.compliance.listViolations(orgId, { activeSince: since }),
      this.score(orgId, sinceMs),
      this.tasksSince(orgId, since),
    ]);
    const entities = await this.taskEntities(orgId, tasks);
    const clocks: ClockSample[] = [];
    for (const c of ctx.rules) {
      const sla = c.rule.sla;
      if (!sla) continue;
      for (const e of entities) {
        if (e.kind !== 'task') continue;
        const target = sla.targets[e.priority];
        if (target === undefined || (c.appliesTo && !c.appliesTo(e))) continue;
        const clock = slaClock(e, { clock: sla.clock, targetMs: target, calendar: ctx.calendars(sla.calendar, e), pauseStates: sla.pauseStates, atRisk: sla.atRisk }, now);
        clocks.push({ taskId: e.id, teamId: e.teamId, priority: e.priority, clock: sla.clock, status: clock.status, elapsedMs: clock.elapsedMs, targetMs: target });
      }
    }
    return buildReport({ now, since, violations: violations.filter((v) => v.openedAt !== null), clocks, teams: [...ctx.teams.values()], score });
  }

  /** What a draft rule would have raised over [now - sinceMs, now]; stores nothing. */
  async replay(orgId: string, input: unknown, sinceMs: number): Promise<ReplayResult> {
    const draft = await this.validate(orgId, input);
    const now = this.now();
    const since = now - sinceMs;
    const rule = compileRule(ruleFromDraft(draft, 'cr_draft', orgId, now));
    const ctx = await this.deps.engine.context(orgId);
    const entities: Entity[] = [];
    let actions = 0;
    if (draft.entity === 'task') {
      entities.push(...(await this.taskEntities(orgId, await this.tasksSince(orgId, since))));
    } else {
      const list = await this.deps.repos.healing.listActions(orgId, { since, limit: 100_000 });
      const byName = new Map([...ctx.teams.values()].map((t) => [t.name, t.id]));
      for (const a of list) entities.push(actionEntity(a, (n) => byName.get(n) ?? null));
      actions = list.length;
    }
    const hits = replayRule(rule, entities, { now, calendars: ctx.calendars });
    const iso = (t: number): string => new Date(t).toISOString();
    return {
      rule: { ...ruleToJson(rule.rule), id: null },
      since: iso(since),
      until: iso(now),
      evaluated: { tasks: entities.length - actions, actions },
      count: hits.length,
      violations: hits.map((h) => ({ ...h, since: iso(h.since), openedAt: iso(h.openedAt), resolvedAt: h.resolvedAt === null ? null : iso(h.resolvedAt) })),
    };
  }

  async putCalendar(actor: Actor, input: unknown): Promise<CalendarSpec> {
    const r = calendarSchema.safeParse(input);
    if (!r.success) {
      const issues = r.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message }));
      throw new AppError('validation', `${issues[0]!.path || 'calendar'}: ${issues[0]!.message}`, undefined, { issues });
    }
    const cal = r.data;
    if (cal.name === '24x7' || cal.name === 'team') throw new AppError('validation', `name: "${cal.name}" is built in`, undefined, { issues: [{ path: 'name', message: 'reserved' }] });
    await this.deps.commit(actor, async (tx) => {
      await tx.compliance.putCalendar(actor.orgId, cal, this.now());
      return { value: undefined, audit: { action: 'compliance.calendar.put', subject: cal.name, summary: `saved calendar ${cal.name} (${cal.timeZone})` }, events: [{ type: 'calendar.updated', subject: cal.name, data: cal }] };
    });
    this.deps.engine.invalidate(actor.orgId);
    return cal;
  }

  private async tasksSince(orgId: string, since: number): Promise<Task[]> {
    const out: Task[] = [];
    let before: string | undefined;
    const page = 20_000;
    while (out.length < MAX_HISTORY_TASKS) {
      const list = await this.deps.repos.tasks.list(orgId, { since, limit: page, ...(before ? { before } : {}) });
      out.push(...list);
      if (list.length < page) break;
      before = list[list.length - 1]!.id;
    }
    return out;
  }

  private async taskEntities(orgId: string, tasks: Task[]): Promise<Entity[]> {
    const ctx = await this.deps.engine.context(orgId);
    const [history, pauses] = await Promise.all([
      this.deps.repos.compliance.statusHistory(orgId), this.deps.repos.compliance.pauses(orgId),
    ]);
    return tasks.map((t) => taskEntity(t, ctx.teamName, { history: history.get(t.id), pauses: pauses.get(t.id) }));
  }
}
