/**
 * The compliance engine: evaluates the rules on every relevant change (bus events) and in a full
 * sweep, and turns findings into violation changes committed with their events and audit entry.
 */
import { newId } from '../ids.js';
import { systemActor, type BusEvent, type Task } from '../model.js';
import type { Clock, Commit, Repos } from '../ports.js';
import type { Notifier, NotifyChannel } from '../notify/ports.js';
import type { AuditDraft, EventDraft } from '../model.js';
import { evaluateRule } from './evaluate.js';
import { actionEntity, loadOrgContext, type OrgContext } from './context.js';
import { taskEntity, type Entity, type StatusChange, type TaskEntity } from './entities.js';
import { closeForRuleChange, reconcile, ACTIVE_STATUSES, type Subject, type Transition, type Violation } from './violations.js';
import { violationToJson } from './json.js';
import { WorkingSet } from './working-set.js';
import { clockToJson, type ClockState } from './sla.js';
import type { ComplianceRule } from './rule.js';

export interface ComplianceObserver {
  /** Violations that just became open (counted in compliance_violations_total). */
  detected?(orgId: string, violations: Violation[]): void;
  /** After a sweep: SLA clocks now breached per clock and priority (sla_breach_count). */
  swept?(orgId: string, result: SweepResult): void;
}

export interface ComplianceDeps {
  repos: Repos;
  commit: Commit;
  clock: Clock;
  notifier?: Notifier;
  /** Where high and critical violations are announced (the event itself is always published). */
  notifyChannels?: readonly NotifyChannel[];
  observer?: ComplianceObserver;
  /** Lets other work run; a sweep calls it every few milliseconds so it never holds the event loop long. */
  pause?: () => Promise<void>;
  /** Rules and teams are reloaded at most this often unless a change invalidates them. */
  contextTtlMs?: number;
  /** A sweep rereads every task at least this often (default 15 minutes); in between it reads changes only. */
  fullReloadMs?: number;
}

export interface SweepResult {
  orgId: string;
  at: number;
  tasks: number;
  actions: number;
  rules: number;
  evaluations: number;
  detected: number;
  resolved: number;
  pending: number;
  /** Running SLA clocks past their target, by `clock:priority`. */
  slaBreaches: Record<string, number>;
  /** Running clocks past their at-risk fraction (80 % by default) but not yet breached. */
  atRisk: number;
  ms: number;
}

const SYSTEM_ACTOR = 'system:compliance';
const TASK_EVENTS = /^task\./;
const ACTION_EVENTS = /^action\./;
const BATCH = 500;
/** How long a sweep evaluates before it lets other work run. */
const SLICE_MS = 5;

type ActiveIndex = Map<string, Map<string, Violation>>; // entityId → ruleId → active violation

/** An SLA clock with the rule that runs it. */
export interface RuleClock {
  rule: ComplianceRule;
  clock: ClockState;
}

export class ComplianceEngine {
  private readonly contexts = new Map<string, Promise<OrgContext>>();
  /** Clocks already announced as at risk, per org (`task|rule`). */
  private readonly warned = new Map<string, Set<string>>();
  private readonly sets = new Map<string, { set: WorkingSet; context: OrgContext | null }>();
  private readonly sweeping = new Map<string, Promise<SweepResult>>();
  private readonly lastSweeps = new Map<string, SweepResult>();

  constructor(private readonly deps: ComplianceDeps) {}

  /** Forgets cached rules, teams and calendars of an org (after a rule, team or calendar change). */
  invalidate(orgId: string): void {
    this.contexts.delete(orgId);
  }

  async context(orgId: string): Promise<OrgContext> {
    const now = this.deps.clock.now();
    let ctx = this.contexts.get(orgId);
    if (ctx) {
      const loaded = await ctx;
      if (now - loaded.loadedAt <= (this.deps.contextTtlMs ?? 60_000)) return loaded;
    }
    ctx = loadOrgContext(this.deps.repos, orgId, now);
    this.contexts.set(orgId, ctx);
    ctx.catch(() => this.contexts.delete(orgId));
    return ctx;
  }

  /** Handles one bus event: records task status history and pauses, then re-evaluates the entity. */
  async onEvent(event: BusEvent): Promise<Transition[]> {
    if (event.type.startsWith('compliance.') || event.type.startsWith('team.') || event.type.startsWith('calendar.')) {
      this.invalidate(event.orgId);
      return [];
    }
    if (event.type.startsWith('violation.')) {
      // Our own changes are already in the working set; a person's (or another daemon's) are not.
      if (event.actor !== SYSTEM_ACTOR) this.sets.get(event.orgId)?.set.markActiveDirty();
      return [];
    }
    if (!event.subject) return [];
    if (TASK_EVENTS.test(event.type)) return this.onTaskChanges(event.orgId, [event.subject]);
    if (ACTION_EVENTS.test(event.type)) return this.onActionChange(event, event.subject);
    return [];
  }

  /**
   * Handles a burst of bus events in order, except that the tasks they change are evaluated together
   * at the end (one read per kind and one commit for all of them): under load, a burst is what arrives.
   */
  async onEvents(events: readonly BusEvent[]): Promise<Transition[]> {
    const out: Transition[] = [];
    const changed = new Map<string, Set<string>>();
    for (const event of events) {
      if (TASK_EVENTS.test(event.type) && event.subject) {
        let ids = changed.get(event.orgId);
        if (!ids) changed.set(event.orgId, (ids = new Set()));
        ids.add(event.subject);
      } else {
        out.push(...(await this.onEvent(event)));
      }
    }
    for (const [orgId, ids] of changed) out.push(...(await this.onTaskChanges(orgId, [...ids])));
    return out;
  }

  private async onTaskChanges(orgId: string, taskIds: readonly string[]): Promise<Transition[]> {
    return this.evaluateTasks(orgId, await this.deps.repos.compliance.tasksByIds(orgId, taskIds), true);
  }

  private async onActionChange(event: BusEvent, actionId: string): Promise<Transition[]> {
    const orgId = event.orgId;
    const action = await this.deps.repos.healing.getAction(orgId, actionId);
    if (!action) return [];
    // A remediation waiting for approval stops the SLA clocks of the task it works for.
    const taskId = action.issue?.labels.task ?? action.issue?.annotations.task;
    if (taskId) {
      if (action.status === 'awaiting_approval') await this.deps.repos.compliance.openPause(orgId, taskId, `approval:${action.id}`, event.at);
      else await this.deps.repos.compliance.closePause(orgId, taskId, `approval:${action.id}`, event.at);
    }
    const ctx = await this.context(orgId);
    const teamIdByName = (name: string): string | null => [...ctx.teams.values()].find((t) => t.name === name)?.id ?? null;
    const entity = actionEntity(action, teamIdByName);
    const active = await this.activeFor(orgId, [entity.id]);
    const transitions = this.evaluate(ctx, entity, active.get(entity.id), this.deps.clock.now());
    await this.apply(orgId, transitions);
    if (taskId) {
      const task = await this.deps.repos.tasks.get(orgId, taskId);
      if (task) transitions.push(...(await this.evaluateTasks(orgId, [task])));
    }
    return transitions;
  }

  /**
   * Re-evaluates tasks of one org against every enabled rule and commits what changed, with one read
   * per kind and one commit. With `record`, a status a task's history does not end with is appended
   * first (the SLA pause states come from it).
   */
  async evaluateTasks(orgId: string, tasks: readonly Task[], record = false): Promise<Transition[]> {
    if (tasks.length === 0) return [];
    const { compliance } = this.deps.repos;
    const ids = tasks.map((t) => t.id);
    const [ctx, historyMap, pauses, active] = await Promise.all([
      this.context(orgId),
      compliance.statusHistory(orgId, ids),
      compliance.pauses(orgId, ids),
      this.activeFor(orgId, ids),
    ]);
    const histories = new Map<string, StatusChange[]>();
    const records: { taskId: string; change: StatusChange }[] = [];
    for (const task of tasks) {
      let history = historyMap.get(task.id) ?? [];
      if (record && history.at(-1)?.status !== task.status) {
        const added = history.length === 0 && task.status !== 'open' ? [{ status: 'open', at: task.createdAt }] : [];
        added.push({ status: task.status, at: task.updatedAt });
        for (const change of added) records.push({ taskId: task.id, change });
        history = [...history, ...added];
      }
      histories.set(task.id, history);
    }
    if (records.length > 0) await compliance.recordStatuses(orgId, records);
    const now = this.deps.clock.now();
    const transitions: Transition[] = [];
    for (const task of tasks) {
      const history = histories.get(task.id)!;
      this.sets.get(orgId)?.set.putTask(task, history, pauses.get(task.id));
      if (ctx.rules.length === 0) continue;
      const entity = taskEntity(task, ctx.teamName, { history, pauses: pauses.get(task.id) });
      this.evaluate(ctx, entity, active.get(task.id), now, transitions);
    }
    await this.apply(orgId, transitions);
    return transitions;
  }

  /**
   * Every enabled rule against one entity: pushes the violation changes it calls for onto `out`, and
   * the running SLA clocks onto `clocks` when given. Sweeps call this for every task, so it
   * allocates nothing for an entity that is and stays compliant.
   */
  evaluate(ctx: OrgContext, entity: Entity, active: Map<string, Violation> | undefined, now: number, out: Transition[] = [], clocks?: RuleClock[]): Transition[] {
    let subject: Subject | null = null;
    const evalCtx = { now, calendars: ctx.calendars, since: null as number | null, stoppedClocks: false };
    for (const c of ctx.rules) {
      const current = active?.get(c.rule.id);
      evalCtx.since = current?.since ?? null;
      const finding = evaluateRule(c, entity, evalCtx);
      if (clocks && finding.clock) clocks.push({ rule: c.rule, clock: finding.clock });
      if (!current && finding.state === 'ok') continue;
      subject ??= { entityKind: entity.kind, entityId: entity.id, teamId: entity.teamId, priority: entity.kind === 'task' ? (entity as TaskEntity).priority : null };
      const t = reconcile(c.rule, subject, current, finding, now, () => newId('vio', now));
      if (t.kind !== 'none') out.push(t);
    }
    return out;
  }

  /** The running SLA clocks of open tasks, most urgent first (`compliance sla`). */
  async clocks(orgId: string): Promise<Record<string, unknown>[]> {
    const now = this.deps.clock.now();
    const ctx = await this.context(orgId);
    const ws = await this.workingSet(orgId, now, ctx);
    const out: Record<string, unknown>[] = [];
    for (const task of ws.tasks.values()) {
      if (task.status === 'resolved') continue;
      const entity = ws.entity(task, ctx.teamName);
      for (const c of ctx.rules) {
        if (c.rule.type !== 'sla') continue;
        const f = evaluateRule(c, entity, { now, calendars: ctx.calendars, stoppedClocks: false });
        if (!f.clock) continue;
        out.push({ ...clockToJson(task.id, c.rule, f.clock), title: task.title, priority: task.priority, team: task.teamId ? ctx.teamName(task.teamId) : null });
      }
    }
    return out.sort((a, b) => (b.percent as number) - (a.percent as number));
  }

  /** The org's working set, loaded in full when missing or old, otherwise brought up to date. */
  private async workingSet(orgId: string, now: number, ctx: OrgContext): Promise<WorkingSet> {
    let entry = this.sets.get(orgId);
    if (!entry || now - entry.set.loadedAt > (this.deps.fullReloadMs ?? 15 * 60_000)) {
      const set = new WorkingSet(this.deps.repos, orgId);
      await set.load(now);
      entry = { set, context: ctx };
      this.sets.set(orgId, entry);
      return set;
    }
    await entry.set.sync(now);
    if (entry.context !== ctx) {
      // Rules, teams or calendars were reloaded: built entities carry team names, rebuild them if those changed.
      if (!entry.context || teamNames(entry.context) !== teamNames(ctx)) entry.set.forgetEntities();
      entry.context = ctx;
    }
    return entry.set;
  }

  /**
   * A sweep that started at most `maxAgeMs` ago, or a new one; one already running is shared. For
   * readers (`compliance check`): changes reach the engine through events between sweeps anyway, so
   * a sweep up to `staleMs` old is answered at once while a new one runs behind it (only time-driven
   * breaches can be that late, and by less than a sweep).
   */
  async recentSweep(orgId: string, maxAgeMs: number, staleMs = maxAgeMs): Promise<SweepResult> {
    const last = this.lastSweeps.get(orgId);
    const age = last ? this.deps.clock.now() - last.at : Infinity;
    if (last && age <= maxAgeMs) return last;
    const next = this.sweep(orgId);
    if (last && age <= staleMs) {
      next.catch(() => undefined);
      return last;
    }
    return next;
  }

  /** A full sweep of one organisation: open tasks, tasks and actions with active violations, recent actions. */
  sweep(orgId: string): Promise<SweepResult> {
    const running = this.sweeping.get(orgId);
    if (running) return running;
    const sweep = this.sweepNow(orgId).finally(() => this.sweeping.delete(orgId));
    this.sweeping.set(orgId, sweep);
    return sweep;
  }

  private async sweepNow(orgId: string): Promise<SweepResult> {
    const started = this.deps.clock.now();
    const t0 = performance.now();
    const ctx = await this.context(orgId);
    const ws = await this.workingSet(orgId, started, ctx);
    const { repos } = this.deps;
    const ruleIds = new Set(ctx.rules.map((c) => c.rule.id));
    const transitions: Transition[] = [];
    // Violations of rules that are gone or disabled close now.
    for (const byRule of ws.active.values()) {
      for (const v of byRule.values()) if (!ruleIds.has(v.ruleId)) transitions.push(closeForRuleChange(v, started));
    }
    const result: SweepResult = {
      orgId, at: started, tasks: ws.tasks.size, actions: 0, rules: ctx.rules.length, evaluations: 0,
      detected: 0, resolved: 0, pending: 0, slaBreaches: {}, atRisk: 0, ms: 0,
    };
    const clocks: RuleClock[] = [];
    const atRisk: EventDraft[] = [];
    const stillAtRisk = new Set<string>();
    const warnedBefore = this.warned.get(orgId) ?? new Set<string>();
    let slice = performance.now();
    for (const task of [...ws.tasks.values()]) {
      if (this.deps.pause && performance.now() - slice > SLICE_MS) {
        await this.deps.pause();
        slice = performance.now();
      }
      this.evaluate(ctx, ws.entity(task, ctx.teamName), ws.active.get(task.id), started, transitions, clocks);
      for (const { rule, clock } of clocks) {
        if (clock.status === 'breached') {
          const key = `${clock.clock}:${task.priority}`;
          result.slaBreaches[key] = (result.slaBreaches[key] ?? 0) + 1;
        } else if (clock.status === 'at_risk' && !clock.paused) {
          // Warn once per task and rule while its clock is at risk.
          const key = `${task.id}|${rule.id}`;
          stillAtRisk.add(key);
          if (!warnedBefore.has(key)) {
            atRisk.push({ type: 'sla.at_risk', subject: task.id, data: clockToJson(task.id, rule, clock) });
          }
        }
      }
      clocks.length = 0;
    }
    this.warned.set(orgId, stillAtRisk);
    result.atRisk = stillAtRisk.size;
    result.evaluations += ws.tasks.size * ctx.rules.length;
    if (ctx.rules.some((c) => c.rule.entity === 'action')) {
      const actions = await repos.healing.listActions(orgId, { since: started - 30 * 86_400_000, limit: 10_000 });
      const actionIds = new Set(actions.map((a) => a.id));
      for (const byRule of ws.active.values()) {
        for (const v of byRule.values()) {
          if (v.entityKind !== 'action' || actionIds.has(v.entityId)) continue;
          const a = await repos.healing.getAction(orgId, v.entityId);
          if (a) { actions.push(a); actionIds.add(a.id); }
        }
      }
      const byName = new Map([...ctx.teams.values()].map((t) => [t.name, t.id]));
      for (const a of actions) {
        const entity = actionEntity(a, (n) => byName.get(n) ?? null);
        this.evaluate(ctx, entity, ws.active.get(a.id), started, transitions);
      }
      result.actions = actions.length;
      result.evaluations += actions.length * ctx.rules.length;
    }
    for (let i = 0; i < transitions.length; i += BATCH) await this.apply(orgId, transitions.slice(i, i + BATCH));
    for (let i = 0; i < atRisk.length; i += BATCH) {
      const events = atRisk.slice(i, i + BATCH);
      await this.deps.commit(systemActor(orgId, 'compliance'), async () => ({ value: undefined, events }));
    }
    for (const t of transitions) {
      if (t.kind === 'none') continue;
      if (t.event === 'violation.detected') result.detected += 1;
      else if (t.event === 'violation.resolved') result.resolved += 1;
      else if (t.violation.status === 'pending' && t.kind === 'create') result.pending += 1;
    }
    result.ms = Math.round((performance.now() - t0) * 10) / 10;
    this.lastSweeps.set(orgId, result);
    this.deps.observer?.swept?.(orgId, result);
    return result;
  }

  private async activeFor(orgId: string, entityIds: string[]): Promise<ActiveIndex> {
    const index: ActiveIndex = new Map(entityIds.map((id) => [id, new Map()]));
    const list = await this.deps.repos.compliance.listViolations(orgId, { entityIds, status: [...ACTIVE_STATUSES] });
    for (const v of list) index.get(v.entityId)?.set(v.ruleId, v);
    return index;
  }

  /** Commits violation changes in one unit of work, then notifies about high and critical ones. */
  async apply(orgId: string, transitions: Transition[]): Promise<void> {
    const changes = transitions.filter((t): t is Exclude<Transition, { kind: 'none' }> => t.kind !== 'none');
    if (changes.length === 0) return;
    try {
      await this.commitChanges(orgId, changes);
    } catch (err) {
      // Another daemon recorded the same violation first (the unique index said so): reread and move on.
      if (!/unique|duplicate/i.test(String((err as Error)?.message))) throw err;
      this.sets.get(orgId)?.set.markActiveDirty();
      return;
    }
    this.sets.get(orgId)?.set.applied(changes);
    const opened = changes.filter((t) => t.event === 'violation.detected').map((t) => t.violation);
    if (opened.length > 0) {
      this.deps.observer?.detected?.(orgId, opened);
      await this.notify(orgId, opened);
    }
  }

  private async commitChanges(orgId: string, changes: Exclude<Transition, { kind: 'none' }>[]): Promise<void> {
    await this.deps.commit(systemActor(orgId, 'compliance'), async (tx) => {
      const events: EventDraft[] = [];
      let detected = 0;
      let resolved = 0;
      for (const t of changes) {
        if (t.kind === 'create') await tx.compliance.insertViolation(t.violation);
        else await tx.compliance.updateViolation(t.violation);
        if (t.event) events.push({ type: t.event, subject: t.violation.id, data: violationToJson(t.violation) });
        if (t.event === 'violation.detected') detected += 1;
        if (t.event === 'violation.resolved') resolved += 1;
      }
      const audit: AuditDraft[] = [];
      if (detected + resolved > 0) {
        const one = changes.find((t) => t.event)!.violation;
        const summary = changes.length === 1
          ? `${one.status === 'resolved' ? 'resolved' : 'detected'} ${one.severity} violation of ${one.ruleName} on ${one.entityKind} ${one.entityId}`
          : `compliance evaluation: ${detected} violation(s) detected, ${resolved} resolved`;
        audit.push({ action: 'compliance.evaluate', subject: changes.length === 1 ? one.id : null, summary });
      }
      return { value: undefined, audit, events };
    });
  }

  private async notify(orgId: string, opened: Violation[]): Promise<void> {
    const notifier = this.deps.notifier;
    if (!notifier) return;
    for (const v of opened) {
      if (v.severity !== 'high' && v.severity !== 'critical') continue;
      const subject = `[${v.severity}] compliance: ${v.ruleName}`;
      const text = `${subject} on ${v.entityKind} ${v.entityId}: ${v.message} (violation ${v.id})`;
      for (const channel of this.deps.notifyChannels ?? ['slack', 'email']) {
        // A notification that fails must not undo or block the violation: it is already recorded.
        await notifier.send(orgId, { channel, subject, text, source: 'compliance', subjectId: v.id }).catch(() => undefined);
      }
    }
  }
}

function teamNames(ctx: OrgContext): string {
  let out = '';
  for (const [id, t] of ctx.teams) out += `${id}=${t.name};`;
  return out;
}
