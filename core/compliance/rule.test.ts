import { describe, it, expect } from 'vitest';
import { AppError } from '../errors.js';
import { parseRule, ruleToFile } from './rule.js';

function refusal(input: unknown): { message: string; paths: string[] } {
  try {
    parseRule(input);
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    const err = e as AppError;
    expect(err.kind).toBe('validation');
    return { message: err.message, paths: (err.details as { issues: { path: string }[] }).issues.map((i) => i.path) };
  }
  throw new Error('rule was accepted');
}

const p1Assignee = {
  name: 'p1-has-assignee', type: 'field', severity: 'high', gracePeriod: 600, enabled: true,
  conditions: { appliesTo: { field: 'priority', op: 'eq', value: 'P1' }, require: { field: 'assignee', op: 'exists', value: true } },
};
const p1Ack = {
  name: 'p1-ack-15m', type: 'sla', severity: 'critical', gracePeriod: 0,
  conditions: { appliesTo: { field: 'priority', op: 'eq', value: 'P1' } },
  sla: { clock: 'ack', target: '15m', calendar: '24x7' },
};

describe('compliance rule files', () => {
  it('accepts the CONTRACT examples', () => {
    const field = parseRule(p1Assignee);
    expect(field).toMatchObject({ type: 'field', severity: 'high', gracePeriodMs: 600_000, enabled: true, entity: 'task' });
    const sla = parseRule(p1Ack);
    expect(sla.sla).toMatchObject({ clock: 'ack', calendar: '24x7', atRisk: 0.8, pauseStates: ['waiting_on_customer', 'awaiting_approval'] });
    expect(sla.sla!.targets).toEqual({ P1: 900_000, P2: 900_000, P3: 900_000, P4: 900_000 });
  });

  it('takes targets per priority, an inline calendar, and defaults', () => {
    const rule = parseRule({
      name: 'resolve-by-priority', type: 'sla', severity: 'high',
      sla: { clock: 'resolve', target: { P1: '4h', P2: '1d' }, calendar: { name: 'berlin', timeZone: 'Europe/Berlin', holidays: ['2026-12-25'] } },
    });
    expect(rule.gracePeriodMs).toBe(0);
    expect(rule.enabled).toBe(true);
    expect(rule.sla!.targets).toEqual({ P1: 4 * 3_600_000, P2: 86_400_000 });
    expect(rule.sla!.calendar).toMatchObject({ timeZone: 'Europe/Berlin', days: [1, 2, 3, 4, 5] });
  });

  it('knows age, approval and expr rules', () => {
    expect(parseRule({ name: 'unassigned-4h', type: 'age', severity: 'medium', maxAge: '4h', conditions: { appliesTo: { field: 'assignee', op: 'exists', value: false } } }))
      .toMatchObject({ maxAgeMs: 4 * 3_600_000, ageFrom: 'created' });
    expect(parseRule({ name: 'prod-approval', type: 'approval', severity: 'critical', conditions: { appliesTo: { field: 'labels.env', op: 'eq', value: 'production' } } }))
      .toMatchObject({ entity: 'action' });
    expect(parseRule({ name: 'no-secrets', type: 'expr', severity: 'low', conditions: { require: { not: { field: 'description', op: 'matches', value: 'password', flags: 'i' } } } }))
      .toMatchObject({ type: 'expr' });
  });

  it('refuses an unknown type, severity, field or operator with the path of the bad field', () => {
    expect(refusal({ ...p1Assignee, type: 'vibes' }).paths).toEqual(['type']);
    expect(refusal({ ...p1Assignee, severity: 'urgent' }).paths).toEqual(['severity']);
    const field = refusal({ ...p1Assignee, conditions: { ...p1Assignee.conditions, require: { all: [{ field: 'assignee', op: 'exists' }, { field: 'owner.name', op: 'exists' }] } } });
    expect(field.paths).toEqual(['conditions.require.all[1].field']);
    expect(field.message).toMatch(/^conditions\.require\.all\[1\]\.field: unknown field "owner\.name"/);
    expect(refusal({ ...p1Assignee, conditions: { appliesTo: { field: 'priority', op: 'equals', value: 'P1' }, require: p1Assignee.conditions.require } }).paths)
      .toEqual(['conditions.appliesTo.op']);
    expect(refusal({ ...p1Assignee, colour: 'red' }).paths).toEqual(['']);
  });

  it('refuses a negative grace period and bad durations', () => {
    expect(refusal({ ...p1Assignee, gracePeriod: -5 })).toMatchObject({ paths: ['gracePeriod'], message: expect.stringMatching(/^gracePeriod: grace period cannot be negative/) });
    expect(refusal({ ...p1Assignee, gracePeriod: 'soon' }).paths).toEqual(['gracePeriod']);
    expect(refusal({ ...p1Ack, sla: { ...p1Ack.sla, target: '0m' } }).paths).toEqual(['sla.target']);
    expect(refusal({ ...p1Ack, sla: { ...p1Ack.sla, target: { P9: '1h' } } }).paths).toEqual(['sla.target.P9']);
    expect(refusal({ ...p1Ack, sla: { ...p1Ack.sla, clock: 'lunch' } }).paths).toEqual(['sla.clock']);
  });

  it('refuses a bad calendar with its path', () => {
    expect(refusal({ ...p1Ack, sla: { ...p1Ack.sla, calendar: { timeZone: 'Atlantis/Capital' } } }).paths).toContain('sla.calendar.timeZone');
    expect(refusal({ ...p1Ack, sla: { ...p1Ack.sla, calendar: { timeZone: 'UTC', hours: [{ start: '17:00', end: '09:00' }] } } }).paths).toContain('sla.calendar.hours[0].end');
  });

  it('refuses rules missing what their type needs', () => {
    expect(refusal({ name: 'x', type: 'sla', severity: 'low' }).paths).toEqual(['sla']);
    expect(refusal({ name: 'x', type: 'age', severity: 'low' }).paths).toEqual(['maxAge']);
    expect(refusal({ name: 'x', type: 'field', severity: 'low' }).paths).toEqual(['conditions.require']);
    expect(refusal({ name: 'x', type: 'field', severity: 'low', maxAge: '1h', conditions: { require: { field: 'title', op: 'exists' } } }).paths).toEqual(['maxAge']);
    expect(refusal({ name: 'x', type: 'approval', severity: 'low', entity: 'task' }).paths).toEqual(['entity']);
    expect(refusal({ name: 'x', type: 'approval', severity: 'low', conditions: { appliesTo: { field: 'priority', op: 'eq', value: 'P1' } } }).paths)
      .toEqual(['conditions.appliesTo.field']);
  });

  it('writes a rule back as a file that parses to the same rule', () => {
    for (const input of [p1Assignee, p1Ack]) {
      const rule = parseRule(input);
      expect(parseRule(ruleToFile(rule))).toEqual(rule);
    }
  });
});
