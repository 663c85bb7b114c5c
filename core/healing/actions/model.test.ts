import { describe, it, expect } from 'vitest';
import { AppError } from '../../errors.js';
import { canMove, isTerminal, moveAction, TERMINAL_STATUSES, ACTION_STATUSES } from './model.js';
import { sampleAction } from './test-helpers.js';

const gate = { stepId: 'ok', requestedAt: 2_000, expiresAt: 5_000, decidedBy: null, decidedAt: null, decision: null, reason: null };

describe('the action state machine', () => {
  it('runs pending → running → succeeded and stamps the times', () => {
    const running = moveAction(sampleAction(), { to: 'running' }, 2_000);
    expect(running).toMatchObject({ status: 'running', startedAt: 2_000, finishedAt: null });
    const done = moveAction(running, { to: 'succeeded' }, 3_000);
    expect(done).toMatchObject({ status: 'succeeded', startedAt: 2_000, finishedAt: 3_000 });
  });

  it('waits at a gate and then runs, is rejected, or expires', () => {
    const waiting = moveAction(sampleAction(), { to: 'awaiting_approval', approval: gate }, 2_000);
    expect(waiting.approval?.expiresAt).toBe(5_000);
    expect(moveAction(waiting, { to: 'running' }, 3_000).status).toBe('running');
    const rejected = moveAction(waiting, { to: 'rejected', by: 'bob', reason: 'not now' }, 3_000);
    expect(rejected).toMatchObject({ status: 'rejected', error: 'rejected by bob: not now', approval: { decision: 'rejected', decidedBy: 'bob' } });
    expect(moveAction(waiting, { to: 'expired' }, 5_000)).toMatchObject({ status: 'expired', finishedAt: 5_000, approval: { decision: 'expired' } });
  });

  it('ends in rolled_back or failed with the reason kept', () => {
    const running = moveAction(sampleAction(), { to: 'running' }, 2_000);
    expect(moveAction(running, { to: 'rolled_back', error: 'verify check failed' }, 3_000)).toMatchObject({ status: 'rolled_back', error: 'verify check failed' });
    expect(moveAction(running, { to: 'failed', error: 'exit 1' }, 3_000)).toMatchObject({ status: 'failed', error: 'exit 1' });
  });

  it('refuses every move out of a final status with a conflict', () => {
    for (const final of TERMINAL_STATUSES) {
      expect(isTerminal(final)).toBe(true);
      for (const to of ACTION_STATUSES) expect(canMove(final, to)).toBe(false);
    }
    const done = sampleAction({ status: 'succeeded' });
    const err = (() => { try { moveAction(done, { to: 'running' }, 1); } catch (e) { return e; } })();
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).kind).toBe('conflict');
  });

  it('never skips the gate: a waiting action cannot succeed or fail directly', () => {
    expect(canMove('awaiting_approval', 'succeeded')).toBe(false);
    expect(canMove('awaiting_approval', 'failed')).toBe(false);
    expect(canMove('pending', 'succeeded')).toBe(false);
  });
});
