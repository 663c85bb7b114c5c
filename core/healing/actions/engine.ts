import { AppError, conflict, notFound } from '../../errors.js';
import { newId as defaultNewId } from '../../ids.js';
import type { Actor, BusEvent } from '../../model.js';
import { systemActor } from '../../model.js';
import type { Clock, Commit, Store } from '../../ports.js';
import type { Job, JobQueue } from '../../jobs.js';
import type { Issue } from '../issues.js';
import { parsePlaybook } from '../playbooks/parse.js';
import { renderPlan, resolveTarget, type Plan } from '../playbooks/plan.js';
import { triggerMatches } from '../playbooks/trigger.js';
import {
  approvalExpired, checkApproval, checkRejection, DEFAULT_LIMITS, refuseStart, type EnvelopeLimits, type Refusal,
} from '../safety.js';
import { actionToJson, moveAction, type ActionStatus, type HealingAction } from './model.js';
import type { HealingActionMetrics, PlaybookRecord, StepExecutors } from './ports.js';
import { ActionRunner, EXPIRE_JOB, RUN_JOB } from './runner.js';

export interface HealingEngineDeps {
  store: Store;
  commit: Commit;
  queue: JobQueue;
  clock: Clock;
  executors: StepExecutors;
  /** ENABLE_AUTO_HEALING: when false, issues never start playbooks; people still can. */
  autoHealing: boolean;
  limits?: EnvelopeLimits;
  metrics?: HealingActionMetrics;
  newId?: (prefix: string, now: number) => string;
}

const HOUR = 3_600_000;
/** How long the playbooks matched against new issues are kept (changes made here or announced on the bus forget them sooner). */
const PLAYBOOKS_TTL_MS = 5_000;
const COUNTED: ActionStatus[] = ['pending', 'awaiting_approval', 'running', 'succeeded', 'failed', 'rolled_back'];

/** Playbooks, the actions that run them, approvals, and the safety envelope around them. */
export class HealingEngine {
  readonly runner: ActionRunner;
  private readonly limits: EnvelopeLimits;
  private readonly newId: (prefix: string, now: number) => string;
  /** org -> its playbooks, for matching issues: an alert storm must not read them once per issue */
  private readonly playbookCache = new Map<string, { at: number; list: Promise<PlaybookRecord[]> }>();

  constructor(private readonly deps: HealingEngineDeps) {
    this.limits = deps.limits ?? DEFAULT_LIMITS;
    this.runner = new ActionRunner({ ...deps, limits: this.limits });
    this.newId = deps.newId ?? defaultNewId;
  }

  // ---- playbooks -------------------------------------------------------------------------------

  async addPlaybook(actor: Actor, text: string): Promise<PlaybookRecord> {
    const spec = parsePlaybook(text);
    const now = this.deps.clock.now();
    return this.deps.commit(actor, async (tx) => {
      if (await tx.healing.findPlaybook(actor.orgId, spec.name)) {
        throw conflict(`a playbook named ${spec.name} already exists`, 'pick another name or update it');
      }
      const p: PlaybookRecord = {
        id: this.newId('pbk', now), organizationId: actor.orgId, name: spec.name, spec, source: text, enabled: spec.enabled,
        disabledReason: spec.enabled ? null : 'disabled in its file', enabledAt: now, version: 1, createdBy: actor.name, createdAt: now, updatedAt: now,
      };
      await tx.healing.insertPlaybook(p);
      tx.onCommit(() => this.forgetPlaybooks(actor.orgId));
      return {
        value: p,
        audit: { action: 'healing.playbook.add', subject: p.id, summary: `playbook ${p.name} added (${spec.steps.length} steps)` },
        events: [{ type: 'playbook.added', subject: p.id, data: { playbookId: p.id, name: p.name } }],
      };
    });
  }

  async updatePlaybook(actor: Actor, idOrName: string, text: string): Promise<PlaybookRecord> {
    const spec = parsePlaybook(text);
    const now = this.deps.clock.now();
    return this.deps.commit(actor, async (tx) => {
      const old = await tx.healing.findPlaybook(actor.orgId, idOrName);
      if (!old) throw notFound('playbook', idOrName);
      const clash = spec.name !== old.name ? await tx.healing.findPlaybook(actor.orgId, spec.name) : null;
      if (clash) throw conflict(`a playbook named ${spec.name} already exists`);
      const p: PlaybookRecord = { ...old, name: spec.name, spec, source: text, version: old.version + 1, updatedAt: now };
      await tx.healing.updatePlaybook(p);
      tx.onCommit(() => this.forgetPlaybooks(actor.orgId));
      return {
        value: p,
        audit: { action: 'healing.playbook.update', subject: p.id, summary: `playbook ${p.name} updated to version ${p.version}` },
        events: [{ type: 'playbook.updated', subject: p.id, data: { playbookId: p.id, name: p.name, version: p.version } }],
      };
    });
  }

  async getPlaybook(orgId: string, idOrName: string): Promise<PlaybookRecord> {
    const p = await this.deps.store.healing.findPlaybook(orgId, idOrName);
    if (!p) throw notFound('playbook', idOrName);
    return p;
  }

  listPlaybooks(orgId: string): Promise<PlaybookRecord[]> {
    return this.deps.store.healing.listPlaybooks(orgId);
  }

  /** Drops the kept playbooks of an org (a playbook changed here or on another daemon). */
  forgetPlaybooks(orgId: string): void {
    this.playbookCache.delete(orgId);
  }

  private playbooksForMatching(orgId: string): Promise<PlaybookRecord[]> {
    const now = this.deps.clock.now();
    const hit = this.playbookCache.get(orgId);
    if (hit && now - hit.at < PLAYBOOKS_TTL_MS && now >= hit.at) return hit.list;
    const list = this.deps.store.healing.listPlaybooks(orgId);
    const entry = { at: now, list };
    this.playbookCache.set(orgId, entry);
    list.catch(() => {
      if (this.playbookCache.get(orgId) === entry) this.playbookCache.delete(orgId);
    });
    return list;
  }

  /** Switching a playbook on also closes its circuit breaker: failures before now no longer count. */
  async setEnabled(actor: Actor, idOrName: string, enabled: boolean): Promise<PlaybookRecord> {
    const now = this.deps.clock.now();
    return this.deps.commit(actor, async (tx) => {
      const old = await tx.healing.findPlaybook(actor.orgId, idOrName);
      if (!old) throw notFound('playbook', idOrName);
      const p: PlaybookRecord = enabled
        ? { ...old, enabled: true, disabledReason: null, enabledAt: now, updatedAt: now }
        : { ...old, enabled: false, disabledReason: `disabled by ${actor.name}`, updatedAt: now };
      await tx.healing.updatePlaybook(p);
      tx.onCommit(() => this.forgetPlaybooks(actor.orgId));
      const verb = enabled ? 'enable' : 'disable';
      return {
        value: p,
        audit: { action: `healing.playbook.${verb}`, subject: p.id, summary: `playbook ${p.name} ${verb}d` },
        events: [{ type: `playbook.${verb}d`, subject: p.id, data: { playbookId: p.id, name: p.name, reason: p.disabledReason, breaker: false } }],
      };
    });
  }

  // ---- starting actions ------------------------------------------------------------------------

  private async issueFor(orgId: string, issueId: string | undefined): Promise<Issue | null> {
    if (!issueId) return null;
    const issue = await this.deps.store.healing.getIssue(orgId, issueId);
    if (!issue) throw notFound('issue', issueId);
    return issue;
  }

  /** The plan a dry run prints, and whether the safety envelope would let it start now. Changes nothing. */
  async dryRun(orgId: string, idOrName: string, issueId?: string): Promise<{ plan: Plan; refusal: Refusal | null }> {
    const p = await this.getPlaybook(orgId, idOrName);
    const issue = await this.issueFor(orgId, issueId);
    const plan = renderPlan(p.spec, issue, p.id);
    const refusal = await this.refusal(this.deps.store, p, plan.target);
    return { plan, refusal };
  }

  private async refusal(repos: Pick<Store, 'healing'>, p: PlaybookRecord, target: string): Promise<Refusal | null> {
    const now = this.deps.clock.now();
    const orgId = p.organizationId;
    const [last] = await repos.healing.listActions(orgId, { playbookId: p.id, target, status: COUNTED, limit: 1 });
    return refuseStart({
      now,
      playbook: { enabled: p.enabled, disabledReason: p.disabledReason, cooldown: p.spec.cooldown, maxPerHour: p.spec.maxPerHour },
      lastOnTarget: last ? { status: last.status, createdAt: last.createdAt } : null,
      onTargetLastHour: await repos.healing.countActions(orgId, { target, since: now - HOUR, status: COUNTED }),
    });
  }

  /** A person starts a playbook (`playbooks run`). Refusals by the safety envelope are conflicts (exit 7). */
  async run(actor: Actor, idOrName: string, issueId?: string): Promise<HealingAction> {
    const p = await this.getPlaybook(actor.orgId, idOrName);
    const issue = await this.issueFor(actor.orgId, issueId);
    // Refuse up front what would only fail at the step: a template that needs a value the run does not have.
    const missing = [...new Set([...renderPlan(p.spec, issue, p.id).steps].flatMap((s) => s.unresolved.filter((u) => !u.startsWith('steps.'))))];
    if (missing.length > 0) {
      throw new AppError('usage', `${p.name} needs ${missing.map((m) => `{{${m}}}`).join(', ')}${issue ? `, which issue ${issue.id} does not have` : ''}`, issue ? undefined : 'pass --issue ID');
    }
    const started = await this.start(actor, p, issue, 'manual');
    if ('refusal' in started) throw new AppError('conflict', `cannot start ${p.name}: ${started.refusal.message}`, undefined, started.refusal);
    return started.action;
  }

  /** Starts matching playbooks for a newly detected issue, when auto-healing is on. */
  async onIssueDetected(event: BusEvent): Promise<HealingAction[]> {
    if (!this.deps.autoHealing) return [];
    const issue = (event.data as { issue?: Issue } | null)?.issue;
    if (!issue || issue.status !== 'open') return [];
    const playbooks = (await this.playbooksForMatching(event.orgId)).filter((p) => p.enabled && triggerMatches(p.spec.trigger, issue));
    const out: HealingAction[] = [];
    for (const p of playbooks) {
      const r = await this.start(systemActor(event.orgId, 'healing'), p, issue, 'auto');
      if ('action' in r) out.push(r.action);
    }
    return out;
  }

  private async start(actor: Actor, matched: PlaybookRecord, issue: Issue | null, trigger: 'auto' | 'manual'): Promise<{ action: HealingAction } | { refusal: Refusal }> {
    const now = this.deps.clock.now();
    type Started = { action: HealingAction } | { refusal: Refusal } | { duplicate: true };
    // Every daemon hears the same issue.detected: the first to store the action starts it, the others stay quiet.
    const dedupeKey = trigger === 'auto' && issue ? `auto:${matched.id}:${issue.id}` : undefined;
    const result = await this.deps.commit<Started>(actor, async (tx) => {
      if (dedupeKey && (await tx.healing.countActions(actor.orgId, { playbookId: matched.id, issueId: issue!.id })) > 0) return { value: { duplicate: true } };
      // An issue was matched against playbooks kept for a few seconds: whether this one may run (its
      // breaker, a disable on another daemon) is read here, with the rest of the facts.
      const p = trigger === 'auto' ? await tx.healing.findPlaybook(actor.orgId, matched.id) : matched;
      if (!p) return { value: { duplicate: true } };
      const target = resolveTarget(p.spec, issue);
      // The facts are read inside the transaction, so two issues racing cannot both pass a cap of one.
      const refusal = await this.refusal(tx, p, target);
      if (refusal) {
        return {
          value: { refusal },
          events: trigger === 'auto'
            ? [{ type: 'action.suppressed', subject: p.id, data: { playbookId: p.id, name: p.name, target, issueId: issue?.id ?? null, ...refusal } }]
            : [],
        };
      }
      const action: HealingAction = {
        id: this.newId('act', now), organizationId: actor.orgId, playbookId: p.id, playbookName: p.name, spec: p.spec,
        issueId: issue?.id ?? null, issue, target, status: 'pending', phase: 'main', trigger, startedBy: actor.name,
        startedByUserId: actor.userId, approval: null, error: null, createdAt: now, updatedAt: now, startedAt: null, finishedAt: null,
      };
      if (!(await tx.healing.insertAction(action, dedupeKey))) return { value: { duplicate: true } };
      return {
        value: { action },
        audit: { action: 'healing.action.start', subject: action.id, summary: `${p.name} started on ${target} (${trigger})${issue ? ` for issue ${issue.id}` : ''}` },
        events: [{ type: 'action.created', subject: action.id, data: { action: actionToJson(action) } }],
      };
    });
    if ('duplicate' in result) return { refusal: { reason: 'in_progress', message: `already started for issue ${issue?.id}` } };
    if ('refusal' in result) return result;
    await this.deps.queue.enqueue(actor.orgId, RUN_JOB, { actionId: result.action.id }, { key: `run:${result.action.id}` });
    return result;
  }

  // ---- approvals -------------------------------------------------------------------------------

  async approve(actor: Actor, actionId: string): Promise<HealingAction> {
    const now = this.deps.clock.now();
    const approved = await this.deps.commit(actor, async (tx) => {
      const a = await tx.healing.getAction(actor.orgId, actionId);
      if (!a) throw notFound('action', actionId);
      checkApproval(a, actor, now);
      const gate = (await tx.healing.listSteps(actor.orgId, actionId)).find((s) => s.stepId === a.approval!.stepId && s.status === 'waiting');
      if (gate) await tx.healing.putStep({ ...gate, status: 'succeeded', output: { detail: `approved by ${actor.name}` }, finishedAt: now });
      const next = moveAction({ ...a, approval: { ...a.approval!, decidedBy: actor.name, decidedAt: now, decision: 'approved' } }, { to: 'running' }, now);
      await tx.healing.updateAction(next);
      return {
        value: next,
        audit: { action: 'healing.action.approve', subject: a.id, summary: `${actor.name} approved ${a.playbookName} on ${a.target}` },
        events: [{ type: 'action.approved', subject: a.id, data: { action: actionToJson(next) } }],
      };
    });
    await this.deps.queue.enqueue(actor.orgId, RUN_JOB, { actionId }, { key: `run:${actionId}` });
    return approved;
  }

  async reject(actor: Actor, actionId: string, reason: string): Promise<HealingAction> {
    const now = this.deps.clock.now();
    const rejected = await this.deps.commit(actor, async (tx) => {
      const a = await tx.healing.getAction(actor.orgId, actionId);
      if (!a) throw notFound('action', actionId);
      checkRejection(a, actor);
      const gate = (await tx.healing.listSteps(actor.orgId, actionId)).find((s) => s.stepId === a.approval?.stepId && s.status === 'waiting');
      if (gate) await tx.healing.putStep({ ...gate, status: 'failed', error: `rejected by ${actor.name}: ${reason}`, finishedAt: now });
      const next = moveAction(a, { to: 'rejected', by: actor.name, reason }, now);
      await tx.healing.updateAction(next);
      return {
        value: next,
        audit: { action: 'healing.action.reject', subject: a.id, summary: `${actor.name} rejected ${a.playbookName} on ${a.target}: ${reason}` },
        events: [
          { type: 'action.rejected', subject: a.id, data: { action: actionToJson(next) } },
          { type: 'action.executed', subject: a.id, data: { action: actionToJson(next), status: 'rejected' } },
        ],
      };
    });
    this.deps.metrics?.actionFinished('rejected');
    return rejected;
  }

  /**
   * An issue that resolves on its own withdraws the remediations still waiting for approval: nobody
   * should approve a restart for a problem that is gone. Running actions carry on.
   */
  async onIssueResolved(event: BusEvent): Promise<HealingAction[]> {
    const issue = (event.data as { issue?: Issue } | null)?.issue;
    const issueId = issue?.id ?? event.subject;
    if (!issueId) return [];
    const waiting = await this.deps.store.healing.listActions(event.orgId, { issueId, status: ['awaiting_approval'] });
    const out: HealingAction[] = [];
    for (const a of waiting) {
      try {
        out.push(await this.reject(systemActor(event.orgId, 'healing'), a.id, `issue ${issueId} resolved before approval`));
      } catch (e) {
        // approved or rejected by a person in the meantime: theirs is the decision that counts
        if (!(e instanceof AppError && e.kind === 'conflict')) throw e;
      }
    }
    return out;
  }

  /** Ends a waiting action whose approval ran out; a job fires at the deadline. */
  async expire(orgId: string, actionId: string): Promise<void> {
    const now = this.deps.clock.now();
    const a = await this.deps.store.healing.getAction(orgId, actionId);
    if (!a || a.status !== 'awaiting_approval' || !a.approval) return;
    if (!approvalExpired(a, now)) {
      await this.deps.queue.enqueue(orgId, EXPIRE_JOB, { actionId }, { runAt: a.approval.expiresAt, key: `expire:${actionId}` });
      return;
    }
    let expired = false;
    await this.deps.commit(systemActor(orgId, 'healing'), async (tx) => {
      const cur = await tx.healing.getAction(orgId, actionId);
      if (!cur || !approvalExpired(cur, now)) return { value: undefined };
      const gate = (await tx.healing.listSteps(orgId, actionId)).find((s) => s.stepId === cur.approval?.stepId && s.status === 'waiting');
      if (gate) await tx.healing.putStep({ ...gate, status: 'failed', error: 'approval expired', finishedAt: now });
      const next = moveAction(cur, { to: 'expired' }, now);
      await tx.healing.updateAction(next);
      expired = true;
      return {
        value: undefined,
        audit: { action: 'healing.action.expire', subject: cur.id, summary: `approval of ${cur.playbookName} on ${cur.target} expired` },
        events: [{ type: 'action.executed', subject: cur.id, data: { action: actionToJson(next), status: 'expired' } }],
      };
    });
    if (expired) this.deps.metrics?.actionFinished('expired');
  }

  // ---- the queue -------------------------------------------------------------------------------

  /** Registers the job handlers; the caller starts the queue. */
  attach(): void {
    this.deps.queue.handle(RUN_JOB, (job: Job) => this.runner.advance(job.orgId, (job.payload as { actionId: string }).actionId));
    this.deps.queue.handle(EXPIRE_JOB, (job: Job) => this.expire(job.orgId, (job.payload as { actionId: string }).actionId));
  }

  /**
   * After a restart: every pending or running action gets a run job again (the step records decide
   * whether an interrupted step is repeated or fails the action), and every waiting one its expiry.
   */
  async recover(): Promise<number> {
    const unfinished = await this.deps.store.healing.unfinishedActions();
    for (const a of unfinished) {
      if (a.status === 'awaiting_approval') {
        const action = await this.deps.store.healing.getAction(a.orgId, a.id);
        if (action?.approval) await this.deps.queue.enqueue(a.orgId, EXPIRE_JOB, { actionId: a.id }, { runAt: action.approval.expiresAt, key: `expire:${a.id}` });
      } else {
        await this.deps.queue.enqueue(a.orgId, RUN_JOB, { actionId: a.id }, { key: `run:${a.id}` });
      }
    }
    return unfinished.length;
  }
}
