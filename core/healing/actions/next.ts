import { executionOrder } from '../playbooks/parse.js';
import type { Step } from '../playbooks/schema.js';
import type { ActionStatus, HealingAction, StepRecord } from './model.js';

/**
 * What an action does next, decided from its step records alone. Because every step is recorded as
 * `running` before it starts, this is also how a restarted daemon resumes: a `running` record left by a
 * crash is run again only when the step is declared idempotent, and otherwise fails the action.
 */
export type NextMove =
  | { kind: 'run'; step: Step; phase: 'main' | 'rollback'; position: number; attempt: number; resumed: boolean }
  | { kind: 'gate'; step: Step; position: number }
  | { kind: 'wait' }
  | { kind: 'interrupted'; step: Step; phase: 'main' | 'rollback'; record: StepRecord }
  | { kind: 'rollback'; error: string }
  | { kind: 'finish'; status: Extract<ActionStatus, 'succeeded' | 'failed' | 'rolled_back'>; error: string | null };

/** Whether a failed step starts the rollback steps. */
export function startsRollback(action: HealingAction, step: Step): boolean {
  if (action.spec.rollback.length === 0) return false;
  return step.type === 'verify' || action.spec.rollbackOn === 'any';
}

export function orderedSteps(action: HealingAction, phase: 'main' | 'rollback'): Step[] {
  if (phase === 'main') return executionOrder(action.spec.steps, 'steps').order;
  return executionOrder(action.spec.rollback, 'rollback', new Set(action.spec.steps.map((s) => s.id))).order;
}

export function nextMove(action: HealingAction, records: readonly StepRecord[]): NextMove {
  const phase = action.phase;
  const order = orderedSteps(action, phase);
  for (const [position, step] of order.entries()) {
    const rec = records.find((r) => r.phase === phase && r.stepId === step.id);
    if (!rec) return step.type === 'approve' ? { kind: 'gate', step, position } : { kind: 'run', step, phase, position, attempt: 1, resumed: false };
    switch (rec.status) {
      case 'succeeded':
      case 'skipped':
        continue;
      case 'waiting':
        return { kind: 'wait' };
      case 'running':
        // Waiting and verifying change nothing, so they are always safe to repeat.
        if (step.idempotent || step.type === 'wait' || step.type === 'verify') return { kind: 'run', step, phase, position, attempt: rec.attempt + 1, resumed: true };
        return { kind: 'interrupted', step, phase, record: rec };
      case 'failed': {
        if (step.continueOnError) continue;
        const error = `step ${step.id} failed: ${rec.error ?? 'no reason recorded'}`;
        if (phase === 'main') return startsRollback(action, step) ? { kind: 'rollback', error } : { kind: 'finish', status: 'failed', error };
        return { kind: 'finish', status: 'failed', error: `${action.error ?? 'the playbook failed'}; then rollback ${error}` };
      }
    }
  }
  if (phase === 'main') return { kind: 'finish', status: 'succeeded', error: null };
  return { kind: 'finish', status: 'rolled_back', error: action.error };
}
