import { describe, it, expect } from 'vitest';
import { calendarSchema } from '../calendar/calendar.js';
import type { ActionEntity, TaskEntity } from './entities.js';
import { compileRule, evaluateRule, type CalendarResolver } from './evaluate.js';
import { parseRule, ruleFromDraft } from './rule.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const T0 = Date.parse('2026-06-01T08:00:00Z'); // a Monday, 10:00 in Berlin

const rule = (json: object) => compileRule(ruleFromDraft(parseRule(json), 'cr_1', 'org_1', T0));

function task(over: Partial<TaskEntity> = {}): TaskEntity {
  return {
    kind: 'task', id: 'tsk_1', title: 'DB down', description: '', priority: 'P1', status: 'open', team: 'dba', teamId: 'team_dba',
    assignee: null, assigneeId: null, source: 'cli', createdBy: 'alice', createdAt: T0, updatedAt: T0, acknowledgedAt: null,
    resolvedAt: null, tags: {}, labels: {}, ...over,
  };
}

function action(over: Partial<ActionEntity> = {}): ActionEntity {
  return {
    kind: 'action', id: 'act_1', playbook: 'restart-api', status: 'succeeded', target: 'api-1', issue: 'iss_1', team: null, teamId: null,
    approvedBy: null, approvalRequired: false, dryRun: false, createdAt: T0, updatedAt: T0, executedAt: T0 + MIN,
    labels: { env: 'production' }, tags: {}, ...over,
  };
}

describe('field rules', () => {
  const p1Assignee = rule({
    name: 'p1-has-assignee', type: 'field', severity: 'high', gracePeriod: 600,
    conditions: { appliesTo: { field: 'priority', op: 'eq', value: 'P1' }, require: { field: 'assignee', op: 'exists', value: true } },
  });

  it('is ok for a compliant entity and does not apply outside appliesTo', () => {
    expect(evaluateRule(p1Assignee, task({ assignee: 'mem_1' }), { now: T0 })).toMatchObject({ state: 'ok', applies: true });
    expect(evaluateRule(p1Assignee, task({ priority: 'P3' }), { now: T0 })).toMatchObject({ state: 'ok', applies: false });
  });

  it('is pending inside the grace period and a breach after it', () => {
    expect(evaluateRule(p1Assignee, task(), { now: T0 + 5 * MIN })).toMatchObject({ state: 'pending', since: T0, graceEndsAt: T0 + 10 * MIN });
    const late = evaluateRule(p1Assignee, task(), { now: T0 + 10 * MIN });
    expect(late).toMatchObject({ state: 'breach', since: T0 });
    expect(late.message).toBe('must satisfy: assignee exists');
  });

  it('keeps the start of a known breach when the entity changes', () => {
    const edited = task({ updatedAt: T0 + 9 * MIN, title: 'DB really down' });
    expect(evaluateRule(p1Assignee, edited, { now: T0 + 11 * MIN, since: T0 })).toMatchObject({ state: 'breach', since: T0 });
  });

  it('leaves resolved tasks alone unless asked', () => {
    expect(evaluateRule(p1Assignee, task({ status: 'resolved', resolvedAt: T0 + HOUR }), { now: T0 + 2 * HOUR }).applies).toBe(false);
  });
});

describe('age rules', () => {
  const unassigned = rule({ name: 'unassigned-4h', type: 'age', severity: 'medium', maxAge: '4h', conditions: { appliesTo: { field: 'assignee', op: 'exists', value: false } } });

  it('breaches once the entity is older than maxAge, from that moment', () => {
    expect(evaluateRule(unassigned, task(), { now: T0 + 4 * HOUR }).state).toBe('ok');
    expect(evaluateRule(unassigned, task(), { now: T0 + 5 * HOUR })).toMatchObject({ state: 'breach', since: T0 + 4 * HOUR, message: 'open for more than 4h' });
    expect(evaluateRule(unassigned, task({ assignee: 'mem_1' }), { now: T0 + 5 * HOUR }).applies).toBe(false);
  });

  it('counts untouched time from the last change', () => {
    const stale = rule({ name: 'stale', type: 'age', severity: 'low', maxAge: '2d', ageFrom: 'updated' });
    expect(evaluateRule(stale, task({ updatedAt: T0 + 24 * HOUR }), { now: T0 + 60 * HOUR }).state).toBe('ok');
    expect(evaluateRule(stale, task({ updatedAt: T0 + 24 * HOUR }), { now: T0 + 73 * HOUR }).message).toBe('untouched for more than 2d');
  });
});

describe('approval rules', () => {
  const prod = rule({ name: 'prod-needs-approval', type: 'approval', severity: 'critical', conditions: { appliesTo: { field: 'labels.env', op: 'eq', value: 'production' } } });

  it('flags an action on production that ran without approval', () => {
    expect(evaluateRule(prod, action(), { now: T0 + 2 * MIN })).toMatchObject({ state: 'breach', since: T0 + MIN, message: 'ran without approval' });
  });

  it('accepts approved, not yet executed, dry-run and non-production actions', () => {
    expect(evaluateRule(prod, action({ approvedBy: 'bob' }), { now: T0 + 2 * MIN }).state).toBe('ok');
    expect(evaluateRule(prod, action({ executedAt: null, status: 'awaiting_approval' }), { now: T0 + 2 * MIN }).state).toBe('ok');
    expect(evaluateRule(prod, action({ dryRun: true }), { now: T0 + 2 * MIN }).state).toBe('ok');
    expect(evaluateRule(prod, action({ labels: { env: 'staging' } }), { now: T0 + 2 * MIN }).applies).toBe(false);
    expect(evaluateRule(prod, task(), { now: T0 }).applies).toBe(false);
  });
});

describe('expr rules', () => {
  it('checks any condition over the entity', () => {
    const noSecrets = rule({ name: 'no-secrets', type: 'expr', severity: 'low', conditions: { require: { not: { field: 'description', op: 'matches', value: 'password\\s*=', flags: 'i' } } } });
    expect(evaluateRule(noSecrets, task({ description: 'PASSWORD = hunter2' }), { now: T0 }).state).toBe('breach');
    expect(evaluateRule(noSecrets, task({ description: 'rotate the key' }), { now: T0 }).state).toBe('ok');
  });
});

describe('SLA rules', () => {
  const berlin = calendarSchema.parse({ name: 'berlin', timeZone: 'Europe/Berlin' });
  const calendars: CalendarResolver = (ref) => (ref === 'team' ? berlin : typeof ref === 'string' ? { ...berlin, days: [0, 1, 2, 3, 4, 5, 6], hours: [{ start: '00:00', end: '24:00' }], timeZone: 'UTC' } : ref);
  const ack = rule({ name: 'p1-ack', type: 'sla', severity: 'critical', gracePeriod: 0, sla: { clock: 'ack', target: { P1: '15m', P2: '1h' }, calendar: '24x7' } });
  const resolveBiz = rule({ name: 'p2-resolve', type: 'sla', severity: 'high', gracePeriod: '30m', sla: { clock: 'resolve', target: { P2: '8h' } } });

  it('breaches an unacknowledged P1 after 15 minutes', () => {
    expect(evaluateRule(ack, task(), { now: T0 + 10 * MIN, calendars })).toMatchObject({ state: 'ok', clock: { status: 'running', dueAt: T0 + 15 * MIN } });
    expect(evaluateRule(ack, task(), { now: T0 + 13 * MIN, calendars }).clock!.status).toBe('at_risk');
    const late = evaluateRule(ack, task(), { now: T0 + 20 * MIN, calendars });
    expect(late).toMatchObject({ state: 'breach', since: T0 + 15 * MIN, message: 'not acknowledged within 15m (24x7)' });
  });

  it('clears once the task is acknowledged, late or not, keeping the breach on the clock', () => {
    const acked = evaluateRule(ack, task({ acknowledgedAt: T0 + 30 * MIN }), { now: T0 + HOUR, calendars });
    expect(acked.state).toBe('ok');
    expect(acked.clock).toMatchObject({ status: 'breached', breachedAt: T0 + 15 * MIN, elapsedMs: 30 * MIN });
  });

  it('does not measure priorities without a target', () => {
    expect(evaluateRule(ack, task({ priority: 'P4' }), { now: T0 + HOUR, calendars }).applies).toBe(false);
  });

  it('counts business hours of the team calendar, with grace', () => {
    // Created Monday 10:00 Berlin; 8 business hours end Tuesday 10:00; grace 30 minutes.
    const t = task({ priority: 'P2' });
    expect(evaluateRule(resolveBiz, t, { now: Date.parse('2026-06-02T07:59:00Z'), calendars }).state).toBe('ok');
    expect(evaluateRule(resolveBiz, t, { now: Date.parse('2026-06-02T08:10:00Z'), calendars })).toMatchObject({ state: 'pending', since: Date.parse('2026-06-02T08:00:00Z') });
    expect(evaluateRule(resolveBiz, t, { now: Date.parse('2026-06-02T08:30:00Z'), calendars }).state).toBe('breach');
  });

  it('stops the clock while waiting on the customer', () => {
    const history = [{ status: 'open', at: T0 }, { status: 'waiting_on_customer', at: T0 + 5 * MIN }, { status: 'in_progress', at: T0 + 65 * MIN }];
    const waited = task({ history, status: 'in_progress' });
    const r = evaluateRule(ack, waited, { now: T0 + 70 * MIN, calendars });
    expect(r.state).toBe('ok');
    expect(r.clock).toMatchObject({ elapsedMs: 10 * MIN, dueAt: T0 + 75 * MIN, paused: false });
    const still = task({ status: 'waiting_on_customer', updatedAt: T0 + 5 * MIN });
    expect(evaluateRule(ack, still, { now: T0 + 3 * HOUR, calendars }).clock).toMatchObject({ elapsedMs: 5 * MIN, paused: true, dueAt: null, status: 'running' });
  });

  it('stops the clock while a remediation awaits approval', () => {
    const t = task({ pauses: [[T0 + 10 * MIN, T0 + 40 * MIN]] });
    expect(evaluateRule(ack, t, { now: T0 + 44 * MIN, calendars }).state).toBe('ok');
    expect(evaluateRule(ack, t, { now: T0 + 46 * MIN, calendars })).toMatchObject({ state: 'breach', since: T0 + 45 * MIN });
  });
});
