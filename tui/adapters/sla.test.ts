import { describe, it, expect } from 'vitest';
import { applies, durationMs, slasAtRisk } from './sla.js';
import type { ViolationVM } from '../model.js';

const now = Date.parse('2026-01-01T12:00:00Z');
const MIN = 60_000;
const ackP1 = {
  name: 'p1-ack-15m', type: 'sla', enabled: true,
  conditions: { appliesTo: { field: 'priority', op: 'eq', value: 'P1' } },
  sla: { clock: 'ack', target: { P1: '900s' }, calendar: '24x7', pauseStates: ['waiting_on_customer'] },
};
const resolveTeam = { name: 'resolve-p1-p2', type: 'sla', enabled: true, conditions: {}, sla: { clock: 'resolve', target: { P1: '8h' }, calendar: 'team' } };
const task = (id: string, ageMin: number, extra: Record<string, unknown> = {}) => ({
  id, title: `task ${id}`, priority: 'P1', status: 'open', acknowledgedAt: null, createdAt: new Date(now - ageMin * MIN).toISOString(), ...extra,
});

describe('SLAs at risk', () => {
  it('parses durations and the usual appliesTo conditions', () => {
    expect(durationMs('900s')).toBe(900_000);
    expect(durationMs('2h')).toBe(7_200_000);
    expect(durationMs(60)).toBe(60_000);
    expect(durationMs('soon')).toBeNull();
    expect(applies({ all: [{ field: 'priority', op: 'in', value: ['P1', 'P2'] }, { field: 'assignee', op: 'exists', value: false }] }, { priority: 'P1' })).toBe(true);
    expect(applies({ field: 'tags.env', op: 'eq', value: 'prod' }, {})).toBeNull();
  });

  it('shows 24x7 clocks about to run out or overdue, soonest first, and skips acknowledged or paused tasks', () => {
    const tasks = [
      task('late', 20),
      task('soon', 10),
      task('acked', 20, { acknowledgedAt: new Date(now - 15 * MIN).toISOString() }),
      task('paused', 20, { status: 'waiting_on_customer' }),
      task('p3', 20, { priority: 'P3' }),
    ];
    const r = slasAtRisk([ackP1], tasks, [], now);
    expect(r.map((x) => [x.subject, x.breached, x.dueAt - now])).toEqual([
      ['late task late', true, -5 * MIN],
      ['soon task soon', false, 5 * MIN],
    ]);
  });

  it('adds breaches of business-hours clocks from open violations', () => {
    const v: ViolationVM = { id: 'vio_1', rule: 'resolve-p1-p2', severity: 'high', entity: 'old', status: 'open', detectedAt: now - MIN };
    const r = slasAtRisk([ackP1, resolveTeam], [task('old', 600, { acknowledgedAt: 'x' })], [v, { ...v, id: 'vio_2', rule: 'p1-has-assignee' }], now);
    expect(r).toEqual([{ id: 'old:resolve-p1-p2', subject: 'old task old', clock: 'breached resolve-p1-p2', dueAt: now - MIN, breached: true }]);
  });
});
