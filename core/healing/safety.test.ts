import { describe, it, expect } from 'vitest';
import { AppError } from '../errors.js';
import { moveAction } from './actions/model.js';
import { sampleAction } from './actions/test-helpers.js';
import { approvalExpired, breakerTrips, checkApproval, checkRejection, consecutiveFailures, mustWait, refuseStart, type StartFacts } from './safety.js';

const facts = (over: Partial<StartFacts> = {}): StartFacts => ({
  now: 1_000_000,
  playbook: { enabled: true, disabledReason: null, cooldown: 300_000, maxPerHour: 6 },
  lastOnTarget: null,
  onTargetLastHour: 0,
  ...over,
});

describe('starting an action', () => {
  it('is allowed when nothing stands in the way', () => {
    expect(refuseStart(facts())).toBeNull();
  });

  it('is refused for a disabled playbook, saying why it was disabled', () => {
    const r = refuseStart(facts({ playbook: { enabled: false, disabledReason: 'circuit breaker: 3 failures in a row', cooldown: 0, maxPerHour: 6 } }));
    expect(r).toMatchObject({ reason: 'disabled' });
    expect(r?.message).toMatch(/circuit breaker/);
  });

  it('is refused during the cooldown of the same playbook on the same target, and allowed after it', () => {
    const last = { status: 'succeeded' as const, createdAt: 1_000_000 - 60_000 };
    expect(refuseStart(facts({ lastOnTarget: last }))).toMatchObject({ reason: 'cooldown', retryAt: 1_000_000 + 240_000 });
    expect(refuseStart(facts({ lastOnTarget: last, now: 1_000_000 + 240_000 }))).toBeNull();
  });

  it('is refused while the same playbook is already busy on the target, even without a cooldown', () => {
    const r = refuseStart(facts({ playbook: { enabled: true, disabledReason: null, cooldown: 0, maxPerHour: 6 }, lastOnTarget: { status: 'awaiting_approval', createdAt: 0 } }));
    expect(r).toMatchObject({ reason: 'in_progress' });
  });

  it('is refused past the hourly cap per target', () => {
    expect(refuseStart(facts({ onTargetLastHour: 6 }))).toMatchObject({ reason: 'rate_limited' });
    expect(refuseStart(facts({ onTargetLastHour: 5 }))).toBeNull();
  });

  it('waits, rather than being refused, while the cap on concurrent actions is reached', () => {
    expect(mustWait(4, { maxConcurrent: 4 })).toBe(true);
    expect(mustWait(3, { maxConcurrent: 4 })).toBe(false);
  });
});

describe('the circuit breaker', () => {
  it('counts failures and rollbacks since the last success, ignoring rejections and expiries', () => {
    const history = [{ status: 'failed' }, { status: 'rejected' }, { status: 'rolled_back' }, { status: 'expired' }, { status: 'succeeded' }, { status: 'failed' }] as const;
    expect(consecutiveFailures(history)).toBe(2);
    expect(breakerTrips(history, 2)).toBe(true);
    expect(breakerTrips(history, 3)).toBe(false);
  });
});

describe('approvals', () => {
  const waiting = moveAction(sampleAction(), {
    to: 'awaiting_approval',
    approval: { stepId: 'ok', requestedAt: 1_000, expiresAt: 10_000, decidedBy: null, decidedAt: null, decision: null, reason: null },
  }, 1_000);
  const kind = (fn: () => void): string | undefined => { try { fn(); } catch (e) { return (e as AppError).kind; } return undefined; };

  it('need a manager or admin who did not start the action', () => {
    expect(kind(() => checkApproval(waiting, { name: 'bob', userId: 'usr_bob', role: 'manager' }, 2_000))).toBeUndefined();
    expect(kind(() => checkApproval(waiting, { name: 'carol', userId: 'usr_carol', role: 'admin' }, 2_000))).toBeUndefined();
    expect(kind(() => checkApproval(waiting, { name: 'olga', userId: 'usr_olga', role: 'operator' }, 2_000))).toBe('forbidden');
    expect(kind(() => checkApproval(waiting, { name: 'alice', userId: 'usr_alice', role: 'admin' }, 2_000))).toBe('forbidden');
  });

  it('run out at their deadline', () => {
    expect(approvalExpired(waiting, 9_999)).toBe(false);
    expect(approvalExpired(waiting, 10_000)).toBe(true);
    expect(kind(() => checkApproval(waiting, { name: 'bob', userId: 'usr_bob', role: 'manager' }, 10_000))).toBe('conflict');
  });

  it('apply only to a waiting action', () => {
    const running = moveAction(waiting, { to: 'running' }, 2_000);
    expect(kind(() => checkApproval(running, { name: 'bob', userId: 'usr_bob', role: 'manager' }, 2_000))).toBe('conflict');
    expect(kind(() => checkRejection(running, { name: 'bob', userId: 'usr_bob', role: 'manager' }))).toBe('conflict');
  });

  it('may be withdrawn by the starter, if a manager', () => {
    expect(kind(() => checkRejection(waiting, { name: 'alice', userId: 'usr_alice', role: 'manager' }))).toBeUndefined();
    expect(kind(() => checkRejection(waiting, { name: 'olga', userId: 'usr_olga', role: 'operator' }))).toBe('forbidden');
  });
});
