import { describe, it, expect } from 'vitest';
import { AppError } from '../errors.js';
import type { Finding } from './evaluate.js';
import { parseRule, ruleFromDraft } from './rule.js';
import { acknowledge, closeForRuleChange, reconcile, resolveByHand, waive, type Subject, type Violation } from './violations.js';

const MIN = 60_000;
const DAY = 86_400_000;
const rule = ruleFromDraft(parseRule({
  name: 'p1-has-assignee', type: 'field', severity: 'high', gracePeriod: 600,
  conditions: { require: { field: 'assignee', op: 'exists' } },
}), 'cr_1', 'org_1', 0);
const subject: Subject = { entityKind: 'task', entityId: 'tsk_1', teamId: 'team_1', priority: 'P1' };
let n = 0;
const newId = () => `vio_${++n}`;

const ok: Finding = { state: 'ok', applies: true, since: null, graceEndsAt: null, message: '' };
const pending = (since: number): Finding => ({ state: 'pending', applies: true, since, graceEndsAt: since + 10 * MIN, message: 'must satisfy: assignee exists' });
const breach = (since: number): Finding => ({ ...pending(since), state: 'breach' });

function step(current: Violation | undefined, finding: Finding, now: number) {
  const t = reconcile(rule, subject, current, finding, now, newId);
  return { t, v: t.kind === 'none' ? current : t.violation };
}

describe('the violation lifecycle driven by evaluation', () => {
  it('records a breach in its grace period as pending, without an event, then opens it', () => {
    const first = step(undefined, pending(0), 5 * MIN);
    expect(first.t).toMatchObject({ kind: 'create', event: null, violation: { status: 'pending', since: 0, openedAt: null } });
    expect(step(first.v, pending(0), 6 * MIN).t.kind).toBe('none');
    const opened = step(first.v, breach(0), 11 * MIN);
    expect(opened.t).toMatchObject({ kind: 'update', event: 'violation.detected', violation: { status: 'open', openedAt: 10 * MIN, id: first.v!.id } });
  });

  it('opens at once when first seen after the grace period', () => {
    expect(step(undefined, breach(0), 60 * MIN).t).toMatchObject({ kind: 'create', event: 'violation.detected', violation: { status: 'open', openedAt: 10 * MIN } });
  });

  it('drops a pending breach that clears within grace without telling anyone', () => {
    const first = step(undefined, pending(0), 5 * MIN);
    expect(step(first.v, ok, 8 * MIN).t).toMatchObject({ kind: 'update', event: null, violation: { status: 'resolved', resolution: 'cleared' } });
  });

  it('resolves by itself when the condition clears, acknowledged or not', () => {
    const open = step(undefined, breach(0), 20 * MIN).v!;
    const acked = acknowledge(open, 'alice', 25 * MIN);
    for (const v of [open, acked]) {
      expect(step(v, ok, 30 * MIN).t).toMatchObject({ event: 'violation.resolved', violation: { status: 'resolved', resolvedAt: 30 * MIN, resolvedBy: 'system:compliance', resolution: 'cleared' } });
    }
  });

  it('opens a new violation after a manual resolve if the breach goes on', () => {
    const open = step(undefined, breach(0), 20 * MIN).v!;
    const closed = resolveByHand(open, 'alice', 25 * MIN);
    expect(closed).toMatchObject({ status: 'resolved', resolution: 'manual', resolvedBy: 'alice' });
    const again = step(closed, breach(0), 30 * MIN).t;
    expect(again).toMatchObject({ kind: 'create', event: 'violation.detected' });
    expect(again.kind === 'create' && again.violation.id).not.toBe(open.id);
  });

  it('keeps a waived violation quiet until its waiver expires, then reopens it', () => {
    const open = step(undefined, breach(0), 20 * MIN).v!;
    const waived = waive(open, 'bob', 'vendor fix due Friday', 2 * DAY, 30 * MIN);
    expect(waived).toMatchObject({ status: 'waived', waiverReason: 'vendor fix due Friday', waiverExpiresAt: 2 * DAY });
    expect(step(waived, breach(0), DAY).t.kind).toBe('none');
    expect(step(waived, breach(0), 2 * DAY).t).toMatchObject({ event: 'violation.detected', violation: { status: 'open', waiverReason: 'vendor fix due Friday' } });
    expect(step(waived, ok, DAY).t).toMatchObject({ event: 'violation.resolved', violation: { status: 'resolved' } });
  });
});

describe('changes by hand', () => {
  const open = step(undefined, breach(0), 20 * MIN).v!;

  it('acknowledges only open violations', () => {
    expect(acknowledge(open, 'alice', 21 * MIN)).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'alice', acknowledgedAt: 21 * MIN });
    expect(() => acknowledge(acknowledge(open, 'alice', 21 * MIN), 'bob', 22 * MIN)).toThrow(/only an open one/);
  });

  it('refuses to resolve twice or to waive a resolved violation', () => {
    const done = resolveByHand(open, 'alice', 21 * MIN);
    expect(() => resolveByHand(done, 'alice', 22 * MIN)).toThrowError(AppError);
    expect(() => waive(done, 'bob', 'why', null, 22 * MIN)).toThrow(/nothing to waive/);
  });

  it('needs a reason and a future expiry to waive; 30 days by default', () => {
    expect(() => waive(open, 'bob', '  ', null, 21 * MIN)).toThrow(/needs a reason/);
    expect(() => waive(open, 'bob', 'ok', 20 * MIN, 21 * MIN)).toThrow(/expire in the future/);
    expect(waive(open, 'bob', 'accepted risk', null, 0).waiverExpiresAt).toBe(30 * DAY);
  });

  it('closes active violations when their rule changes', () => {
    expect(closeForRuleChange(open, 30 * MIN)).toMatchObject({ event: 'violation.resolved', violation: { resolution: 'rule_changed' } });
    expect(closeForRuleChange(resolveByHand(open, 'a', 1), 30 * MIN).kind).toBe('none');
  });
});
