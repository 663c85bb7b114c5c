import { describe, expect, it } from 'vitest';
import type { BusEvent } from '../model.js';
import { buildHistories, URGENT_CAP_MS } from './history.js';
import { at, task } from './test-helpers.js';

const ev = (id: number, type: string, atMs: number, data: unknown, subject: string | null = null, actor = 'system'): BusEvent =>
  ({ id, orgId: 'org_1', type, at: atMs, actor, subject, data });

describe('work history from tasks and events', () => {
  it('counts an acknowledged task as worked from ack until resolution', () => {
    const h = buildHistories({
      tasks: [task('t1', { assigneeId: 'm1', createdAt: at('2026-03-02T09:00:00Z'), acknowledgedAt: at('2026-03-02T10:00:00Z'), resolvedAt: at('2026-03-02T12:00:00Z') })],
      events: [],
      now: at('2026-03-03T00:00:00Z'),
    }).get('m1')!;
    expect(h.spans).toHaveLength(1);
    expect(h.work).toEqual([at('2026-03-02T10:00:00Z'), at('2026-03-02T12:00:00Z')]);
  });

  it('does not count an open task nobody acknowledged as work, only as held', () => {
    const h = buildHistories({ tasks: [task('t1', { assigneeId: 'm1', createdAt: 1000 })], events: [], now: 10_000_000 }).get('m1')!;
    expect(h.spans).toHaveLength(1);
    expect(h.work).toEqual([]);
  });

  it('counts P1 work at any hour, but caps it', () => {
    const start = at('2026-03-02T22:00:00Z');
    const h = buildHistories({
      tasks: [task('t1', { priority: 'P1', assigneeId: 'm1', createdAt: start, acknowledgedAt: start })],
      events: [],
      now: start + 3 * URGENT_CAP_MS,
    }).get('m1')!;
    expect(h.anyHour).toEqual([start, start + URGENT_CAP_MS]);
  });

  it('splits a task between the members it was routed and reassigned to', () => {
    const t0 = at('2026-03-02T09:00:00Z');
    const histories = buildHistories({
      tasks: [task('t1', { assigneeId: 'm2', createdAt: t0, resolvedAt: t0 + 7_200_000 })],
      events: [
        ev(1, 'task.routed', t0, { assigneeId: 'm1' }, 't1'),
        ev(2, 'task.reassigned', t0 + 3_600_000, { to: 'm2' }, 't1'),
      ],
      now: t0 + 10_000_000,
    });
    expect(histories.get('m1')!.spans[0]!.releasedAt).toBe(t0 + 3_600_000);
    expect(histories.get('m2')!.spans[0]!.assignedAt).toBe(t0 + 3_600_000);
  });

  it('records pages, approval requests, on-call shifts and the member\'s own actions', () => {
    const t = at('2026-03-02T23:00:00Z');
    const h = buildHistories({
      tasks: [],
      events: [
        ev(1, 'member.paged', t, { memberId: 'm1' }),
        ev(2, 'action.awaiting_approval', t, { step: 'ok' }),
        ev(3, 'member.on_call', t, { memberId: 'm1', start: t, end: t + 3_600_000 }),
        ev(4, 'task.resolved', t, {}, 't9', 'alice'),
        ev(5, 'nonsense', t, 'not an object'),
      ],
      now: t + 1,
      defaultApprovers: ['m1'],
      actorMember: (a) => (a === 'alice' ? 'm1' : null),
    }).get('m1')!;
    expect(h.pages).toEqual([t]);
    expect(h.approvalRequests).toEqual([t]);
    expect(h.onCall).toEqual([t, t + 3_600_000]);
    expect(h.anyHour).toEqual([t - 30 * 60_000, t]);
  });

  it('turns a member\'s onCall flag changes into shifts, the last one open until now', () => {
    const h = buildHistories({
      tasks: [],
      events: [
        ev(1, 'member.updated', 1000, { id: 'm1', onCall: true }),
        ev(2, 'member.updated', 2000, { id: 'm1', onCall: true, name: 'renamed' }),
        ev(3, 'member.updated', 5000, { id: 'm1', onCall: false }),
        ev(4, 'member.updated', 8000, { id: 'm1', onCall: true }),
      ],
      now: 9000,
    }).get('m1')!;
    expect(h.onCall).toEqual([1000, 5000, 8000, 9000]);
  });
});
