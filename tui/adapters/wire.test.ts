import { describe, it, expect } from 'vitest';
import { list, summarize, toAction, toCompliance, toEvent, toMemberLoad, toSeries, toTask, toViolation } from './wire.js';

const now = Date.parse('2026-01-01T12:00:00Z');

describe('daemon JSON to view models', () => {
  it('reads lists bare or wrapped', () => {
    expect(list([1, 2])).toEqual([1, 2]);
    expect(list({ items: [3] })).toEqual([3]);
    expect(list({ violations: [4] }, 'violations')).toEqual([4]);
    expect(list(null)).toEqual([]);
  });

  it('reads a task with names or ids and ISO times', () => {
    const t = toTask({ id: 'tsk_1', title: 'x', priority: 'P2', status: 'open', team: { id: 'team_1', name: 'dba' }, assigneeId: 'mem_1', createdAt: '2026-01-01T11:00:00Z' }, now);
    expect(t).toMatchObject({ team: 'dba', assignee: 'mem_1', createdAt: now - 3_600_000 });
    expect(toTask({}, now)).toMatchObject({ id: '?', team: null, assignee: null, createdAt: now });
  });

  it('reads actions, violations and workload under their usual names', () => {
    expect(toAction({ id: 'act_1', playbookName: 'restart', status: 'awaiting_approval', currentStep: 'ok' }, now)).toMatchObject({ playbook: 'restart', step: 'ok' });
    expect(toViolation({ id: 'vio_1', ruleName: 'p1-ack', severity: 'HIGH', entityId: 'tsk_1' }, now)).toMatchObject({ rule: 'p1-ack', severity: 'high', entity: 'tsk_1', status: 'open' });
    const m = toMemberLoad({ memberId: 'mem_1', name: 'Ana', utilization: 85, burnout: { score: 72, level: 'high' } });
    expect(m).toMatchObject({ id: 'mem_1', utilization: 0.85, burnoutRisk: 0.72, riskLevel: 'high', topFactor: null });
    // GET /v1/workload as the daemon sends it
    const w = toMemberLoad({ memberId: 'mem_2', name: 'ben', team: 'platform', activeTasks: 10, utilization: 1.49, score: 100, level: 'high', topFactor: 'afterHours' });
    expect(w).toMatchObject({ utilization: 1.49, burnoutRisk: 1, riskLevel: 'high', topFactor: 'afterHours', team: 'platform' });
  });

  it('counts open violations by severity when the score does not', () => {
    const vs = [toViolation({ id: 'a', severity: 'critical' }, now), toViolation({ id: 'b', severity: 'low', status: 'resolved' }, now)];
    const c = toCompliance({ score: 91.5 }, vs, []);
    expect(c.score).toBe(91.5);
    expect(c.bySeverity).toEqual({ critical: 1, high: 0, medium: 0, low: 0 });
  });

  it('reads series as numbers or points', () => {
    expect(toSeries('cpu', [{ at: 1, value: 0.5 }, { at: 2, value: 0.7 }])).toEqual({ name: 'cpu', points: [0.5, 0.7], last: 0.7 });
    expect(toSeries('q', { points: [1, 2, 3] }).last).toBe(3);
  });

  it('summarises an event from its data', () => {
    expect(summarize({ title: 'DB down' })).toBe('DB down');
    expect(summarize({ team: 'dba', assignee: 'ana' })).toBe('team=dba assignee=ana');
    expect(toEvent({ id: 9, type: 'task.routed', at: '2026-01-01T12:00:00Z', subject: null, data: {} }, 0)).toEqual({
      id: '9', type: 'task.routed', at: now, actor: '', subject: '', summary: '',
    });
  });
});
