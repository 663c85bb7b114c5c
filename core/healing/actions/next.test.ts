import { describe, it, expect } from 'vitest';
import { validatePlaybook } from '../playbooks/parse.js';
import type { StepRecord, StepStatus } from './model.js';
import { nextMove } from './next.js';
import { sampleAction } from './test-helpers.js';

const spec = validatePlaybook({
  name: 'p',
  steps: [
    { id: 'gate', type: 'approve' },
    { id: 'restart', type: 'exec', argv: ['systemctl', 'restart', 'api'], idempotent: true },
    { id: 'page', type: 'exec', argv: ['page-oncall'] },
    { id: 'check', type: 'verify', metric: 'm', condition: { op: 'lt', value: 1 } },
  ],
  rollback: [{ id: 'undo', type: 'exec', argv: ['undo'] }],
});
const action = (over = {}) => sampleAction({ spec, status: 'running', ...over });
const rec = (stepId: string, status: StepStatus, over: Partial<StepRecord> = {}): StepRecord => ({
  actionId: 'act_1', organizationId: 'org_1', stepId, phase: 'main', position: 0, type: 'exec', status, attempt: 1, idempotent: false,
  rendered: null, output: {}, error: status === 'failed' ? 'boom' : null, startedAt: 1, finishedAt: status === 'running' ? null : 2, ...over,
});
const kind = (m: ReturnType<typeof nextMove>) => ('step' in m ? `${m.kind}:${m.step.id}` : m.kind);

describe('what an action does next', () => {
  it('stops at an approval gate first, and waits while it is open', () => {
    expect(kind(nextMove(action(), []))).toBe('gate:gate');
    expect(kind(nextMove(action(), [rec('gate', 'waiting')]))).toBe('wait');
  });

  it('runs the steps after the gate in order, then succeeds', () => {
    expect(kind(nextMove(action(), [rec('gate', 'succeeded')]))).toBe('run:restart');
    expect(kind(nextMove(action(), [rec('gate', 'succeeded'), rec('restart', 'succeeded'), rec('page', 'succeeded')]))).toBe('run:check');
    expect(nextMove(action(), ['gate', 'restart', 'page', 'check'].map((s) => rec(s, 'succeeded')))).toEqual({ kind: 'finish', status: 'succeeded', error: null });
  });

  it('repeats an idempotent step a crash interrupted, as a new attempt', () => {
    const m = nextMove(action(), [rec('gate', 'succeeded'), rec('restart', 'running')]);
    expect(m).toMatchObject({ kind: 'run', attempt: 2, resumed: true });
  });

  it('does not repeat a step that is not idempotent', () => {
    const m = nextMove(action(), [rec('gate', 'succeeded'), rec('restart', 'succeeded'), rec('page', 'running')]);
    expect(kind(m)).toBe('interrupted:page');
  });

  it('rolls back after a failed verify, and fails on any other failed step', () => {
    const upTo = ['gate', 'restart', 'page'].map((s) => rec(s, 'succeeded'));
    expect(nextMove(action(), [...upTo, rec('check', 'failed')])).toEqual({ kind: 'rollback', error: 'step check failed: boom' });
    expect(nextMove(action(), [rec('gate', 'succeeded'), rec('restart', 'failed')])).toEqual({ kind: 'finish', status: 'failed', error: 'step restart failed: boom' });
  });

  it('ends rolled_back when the rollback steps succeed, failed when one of them fails', () => {
    const rolling = action({ phase: 'rollback', error: 'step check failed: boom' });
    expect(kind(nextMove(rolling, []))).toBe('run:undo');
    expect(nextMove(rolling, [rec('undo', 'succeeded', { phase: 'rollback' })])).toEqual({ kind: 'finish', status: 'rolled_back', error: 'step check failed: boom' });
    expect(nextMove(rolling, [rec('undo', 'failed', { phase: 'rollback' })])).toMatchObject({ kind: 'finish', status: 'failed' });
  });
});
