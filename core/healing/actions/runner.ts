import type { AuditDraft, EventDraft } from '../../model.js';
import { systemActor } from '../../model.js';
import type { Clock, Commit, Store } from '../../ports.js';
import type { JobQueue } from '../../jobs.js';
import { NOTIFICATION_EVENT } from '../../notify/ports.js';
import { renderStep, type RenderedStep } from '../playbooks/render.js';
import { templateContext } from '../playbooks/plan.js';
import type { Step } from '../playbooks/schema.js';
import { breakerTrips, mustWait, type EnvelopeLimits } from '../safety.js';
import { actionToJson, isTerminal, moveAction, type HealingAction, type StepOutput, type StepRecord } from './model.js';
import { nextMove, type NextMove } from './next.js';
import type { HealingActionMetrics, StepExecutors, StepResult } from './ports.js';

export const RUN_JOB = 'healing.run';
export const EXPIRE_JOB = 'healing.expire';
const SLOT_RETRY_MS = 250;

export interface RunnerDeps {
  limits: EnvelopeLimits;
  store: Store;
  commit: Commit;
  queue: JobQueue;
  clock: Clock;
  executors: StepExecutors;
  metrics?: HealingActionMetrics;
}

const INTERRUPTED =
  'interrupted: the daemon stopped while this step ran; it is not declared idempotent, so it was not run again';

/** Results of finished steps by id, for `{{steps.<id>.…}}`. */
function stepResults(records: readonly StepRecord[]): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const r of records) if (r.finishedAt !== null) out[r.stepId] = { status: r.status, error: r.error, ...r.output };
  return out;
}

function summary(rec: StepRecord): string {
  const took = rec.finishedAt === null ? '' : ` in ${rec.finishedAt - rec.startedAt} ms`;
  return `${rec.phase === 'rollback' ? 'rollback ' : ''}step ${rec.stepId} (${rec.type}) ${rec.status}${took}${rec.error ? `: ${rec.error}` : ''}`;
}

/**
 * Carries actions forward one step at a time. Each step is committed as `running` before it starts and
 * with its result after, so a crash anywhere leaves a record from which nextMove knows what to do.
 */
export class ActionRunner {
  private readonly inFlight = new Set<string>();
  private readonly again = new Set<string>();

  constructor(private readonly deps: RunnerDeps) {}

  /** Runs an action until it finishes or waits for approval. Safe to call twice: the second call returns at once. */
  async advance(orgId: string, actionId: string): Promise<void> {
    if (this.inFlight.has(actionId)) {
      // The running loop may be about to stop (e.g. it just saw awaiting_approval): make it look again.
      this.again.add(actionId);
      return;
    }
    this.inFlight.add(actionId);
    try {
      do {
        this.again.delete(actionId);
        await this.loop(orgId, actionId);
      } while (this.again.has(actionId));
    } finally {
      this.inFlight.delete(actionId);
      this.again.delete(actionId);
    }
  }

  private async loop(orgId: string, actionId: string): Promise<void> {
    for (;;) {
      const action = await this.deps.store.healing.getAction(orgId, actionId);
      if (!action || isTerminal(action.status) || action.status === 'awaiting_approval') return;
      if (action.status === 'pending') {
        if (!(await this.takeSlot(action))) {
          // Over the cap on concurrent actions: look again shortly (the job goes round once more).
          await this.deps.queue.enqueue(orgId, RUN_JOB, { actionId }, { key: `run:${actionId}`, runAt: this.deps.clock.now() + SLOT_RETRY_MS });
          return;
        }
        continue;
      }
      const records = await this.deps.store.healing.listSteps(orgId, actionId);
      const move = nextMove(action, records);
      if (!(await this.apply(action, records, move))) return;
    }
  }

  /** pending → running when a slot is free; counted in the same transaction as the move. */
  private async takeSlot(action: HealingAction): Promise<boolean> {
    const now = this.deps.clock.now();
    const running = moveAction(action, { to: 'running' }, now);
    return this.deps.commit(systemActor(action.organizationId, 'healing'), async (tx) => {
      const busy = await tx.healing.countActions(action.organizationId, { status: ['running'] });
      if (mustWait(busy, this.deps.limits)) return { value: false };
      await tx.healing.updateAction(running);
      return { value: true, events: [{ type: 'action.started', subject: running.id, data: { action: actionToJson(running) } }] };
    });
  }

  /** Returns false when the action stops here (finished or waiting). */
  private async apply(action: HealingAction, records: StepRecord[], move: NextMove): Promise<boolean> {
    switch (move.kind) {
      case 'wait':
        return false;
      case 'gate':
        await this.gate(action, move.step, move.position);
        return false;
      case 'interrupted':
        await this.record(action, { ...move.record, status: 'failed', error: INTERRUPTED, finishedAt: this.deps.clock.now() }, []);
        return true;
      case 'rollback': {
        const next = { ...action, phase: 'rollback' as const, error: move.error, updatedAt: this.deps.clock.now() };
        await this.update(action, next, 'action.rolling_back');
        return true;
      }
      case 'finish':
        await this.finish(action, move.status, move.error);
        return false;
      case 'run':
        return this.runStep(action, records, move);
    }
  }

  /** False when another worker holds the step. */
  private async runStep(action: HealingAction, records: StepRecord[], move: Extract<NextMove, { kind: 'run' }>): Promise<boolean> {
    const { step, phase, position, attempt } = move;
    const now = this.deps.clock.now();
    const base: StepRecord = {
      actionId: action.id, organizationId: action.organizationId, stepId: step.id, phase, position, type: step.type,
      status: 'running', attempt, idempotent: step.idempotent, rendered: null, output: {}, error: null, startedAt: now, finishedAt: null,
    };
    let rendered: RenderedStep;
    try {
      const ctx = templateContext(action.issue, {
        actionId: action.id, playbookId: action.playbookId, playbookName: action.playbookName, target: action.target, steps: stepResults(records),
      });
      rendered = renderStep(step, ctx);
    } catch (e) {
      await this.record(action, { ...base, status: 'failed', error: `cannot render: ${(e as Error).message}`, finishedAt: now }, []);
      return true;
    }
    const started: StepRecord = { ...base, rendered };
    // The claim is a compare-and-set in the store, so two workers (daemons) never both run one step.
    const claimed = await this.deps.commit(systemActor(action.organizationId, 'healing'), async (tx) => {
      if (!(await tx.healing.claimStep(started))) return { value: false };
      return {
        value: true,
        events: [{ type: 'action.step_started', subject: action.id, data: { actionId: action.id, stepId: step.id, phase, attempt, resumed: move.resumed, type: step.type } }],
      };
    });
    if (!claimed) return false;
    const extraEvents: EventDraft[] = [];
    const result = await this.execute(action, step, rendered, extraEvents);
    const finishedAt = this.deps.clock.now();
    await this.record(
      action,
      { ...started, status: result.ok ? 'succeeded' : 'failed', output: result.output, error: result.ok ? null : (result.error ?? 'failed'), finishedAt },
      extraEvents,
    );
    return true;
  }

  private async execute(action: HealingAction, step: Step, r: RenderedStep, events: EventDraft[]): Promise<StepResult> {
    const meta = { orgId: action.organizationId, actionId: action.id, stepId: step.id, idempotent: step.idempotent };
    const ex = this.deps.executors;
    try {
      switch (r.type) {
        case 'exec': return await ex.exec(r, meta);
        case 'http': return await ex.http(r, meta);
        case 'wait': return await ex.wait(r, meta);
        case 'verify': return await ex.verify(r, meta);
        case 'notify':
          if (r.channel === 'event') {
            events.push({ type: NOTIFICATION_EVENT, subject: action.id, data: { source: 'healing', actionId: action.id, subject: r.subject ?? null, text: r.text } });
            return { ok: true, output: { detail: 'event published' } };
          }
          return await ex.notify(r, meta);
        case 'approve':
          return { ok: false, output: {}, error: 'an approve step cannot be executed' };
      }
    } catch (e) {
      return { ok: false, output: {}, error: (e as Error).message };
    }
  }

  /** Commits a step record with its audit entry and event. */
  private async record(action: HealingAction, rec: StepRecord, events: EventDraft[]): Promise<void> {
    const audit: AuditDraft = { action: 'healing.step', subject: action.id, summary: summary(rec) };
    await this.deps.commit(systemActor(action.organizationId, 'healing'), async (tx) => {
      await tx.healing.putStep(rec);
      return {
        value: undefined,
        audit,
        events: [
          { type: 'action.step_finished', subject: action.id, data: { actionId: action.id, stepId: rec.stepId, phase: rec.phase, status: rec.status, error: rec.error, output: trimOutput(rec.output) } },
          ...events,
        ],
      };
    });
  }

  private async update(before: HealingAction, after: HealingAction, event: string): Promise<void> {
    await this.deps.commit(systemActor(before.organizationId, 'healing'), async (tx) => {
      await tx.healing.updateAction(after);
      return { value: undefined, events: [{ type: event, subject: after.id, data: { action: actionToJson(after) } }] };
    });
  }

  private async gate(action: HealingAction, step: Step, position: number): Promise<void> {
    const now = this.deps.clock.now();
    const timeout = step.type === 'approve' ? step.timeout : 3_600_000;
    const waiting = moveAction(action, {
      to: 'awaiting_approval',
      approval: { stepId: step.id, requestedAt: now, expiresAt: now + timeout, decidedBy: null, decidedAt: null, decision: null, reason: null },
    }, now);
    await this.deps.commit(systemActor(action.organizationId, 'healing'), async (tx) => {
      await tx.healing.putStep({
        actionId: action.id, organizationId: action.organizationId, stepId: step.id, phase: action.phase, position, type: 'approve',
        status: 'waiting', attempt: 1, idempotent: true, rendered: null, output: {}, error: null, startedAt: now, finishedAt: null,
      });
      await tx.healing.updateAction(waiting);
      return {
        value: undefined,
        audit: { action: 'healing.action.awaiting_approval', subject: action.id, summary: `${action.playbookName} on ${action.target} waits for approval at step ${step.id}` },
        events: [{ type: 'action.awaiting_approval', subject: action.id, data: { action: actionToJson(waiting) } }],
      };
    });
    await this.deps.queue.enqueue(action.organizationId, EXPIRE_JOB, { actionId: action.id }, { runAt: now + timeout, key: `expire:${action.id}` });
  }

  private async finish(action: HealingAction, status: 'succeeded' | 'failed' | 'rolled_back', error: string | null): Promise<void> {
    const now = this.deps.clock.now();
    const done = moveAction(action, status === 'succeeded' ? { to: 'succeeded' } : { to: status, error: error ?? status }, now);
    await this.deps.commit(systemActor(action.organizationId, 'healing'), async (tx) => {
      await tx.healing.updateAction(done);
      const events: EventDraft[] = [{ type: 'action.executed', subject: done.id, data: { action: actionToJson(done), status } }];
      const audit: AuditDraft[] = [{ action: 'healing.action.finished', subject: done.id, summary: `${done.playbookName} on ${done.target} ${status}${error ? `: ${error}` : ''}` }];
      if (status !== 'succeeded') {
        const playbook = await tx.healing.findPlaybook(done.organizationId, done.playbookId);
        if (playbook && playbook.enabled) {
          const max = playbook.spec.maxFailures;
          const recent = await tx.healing.listActions(done.organizationId, {
            playbookId: playbook.id, status: ['succeeded', 'failed', 'rolled_back'], finishedSince: playbook.enabledAt, limit: max,
          });
          if (breakerTrips(recent, max)) {
            const reason = `circuit breaker: ${max} failed actions in a row`;
            await tx.healing.updatePlaybook({ ...playbook, enabled: false, disabledReason: reason, updatedAt: now });
            events.push({ type: 'playbook.disabled', subject: playbook.id, data: { playbookId: playbook.id, name: playbook.name, reason, breaker: true } });
            audit.push({ action: 'healing.playbook.disable', subject: playbook.id, summary: `${playbook.name} disabled by the ${reason}` });
          }
        }
      }
      return { value: undefined, audit, events };
    });
    this.deps.metrics?.actionFinished(status);
  }
}

/** Events stay small: long outputs are in the step record, not on the bus. */
function trimOutput(o: StepOutput): StepOutput {
  const cut = (s: string | undefined): string | undefined => (s !== undefined && s.length > 2000 ? `${s.slice(0, 2000)}…` : s);
  return { ...o, ...(o.stdout !== undefined ? { stdout: cut(o.stdout) } : {}), ...(o.stderr !== undefined ? { stderr: cut(o.stderr) } : {}), ...(o.body !== undefined ? { body: cut(o.body) } : {}) };
}
