import { afterEach, beforeEach, expect, it } from 'vitest';
import { makeCommit } from '../core/unit-of-work.js';
import type { Member, Task } from '../core/model.js';
import { WorkloadEngine } from '../core/workload/engine.js';
import { InProcessBus } from '../server/bus/memory.js';
import type { SqlStore } from '../server/store/index.js';
import { forEachStore, openTestStore, type StoreKind } from './helpers.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const ORG = 'org_wl';
const START = Date.parse('2026-03-02T00:00:00Z'); // a Monday

forEachStore('workload engine over days', (kind: StoreKind) => {
  let store: SqlStore;
  let cleanup: () => Promise<void>;
  let now = START;
  let engine: WorkloadEngine;
  const clock = { now: () => now };

  const member: Member = {
    id: 'mem_nights', orgId: ORG, teamId: null, name: 'nights', email: null, skills: {}, timezone: 'UTC',
    workingHours: { start: '09:00', end: '17:00', days: [1, 2, 3, 4, 5] }, capacity: 4, calendarUrl: null,
    onCall: false, active: true, createdAt: START - 30 * DAY,
  };
  let n = 0;
  const nightP1 = (day: number): Task => {
    const at = START + day * DAY + 21 * HOUR;
    return {
      id: `tsk_${++n}`, orgId: ORG, title: 'outage', description: '', priority: 'P1', status: 'resolved', teamId: null,
      assigneeId: member.id, tags: {}, source: 'test', createdBy: 'test', createdAt: at, updatedAt: at + 3 * HOUR,
      acknowledgedAt: at, resolvedAt: at + 3 * HOUR,
    };
  };

  beforeEach(async () => {
    ({ store, cleanup } = await openTestStore(kind));
    now = START;
    await store.orgs.insert({ id: ORG, name: 'wl', createdAt: 0 });
    await store.members.insert(member);
    const bus = new InProcessBus(store.events);
    engine = new WorkloadEngine({ repos: store, commit: makeCommit(store, bus, clock), clock });
  });
  afterEach(async () => cleanup());

  it('raises high after two weeks of nights, once, and clears it after the nights stop', async () => {
    for (let d = 0; d < 16; d++) await store.tasks.insert(nightP1(d));
    now = START + 16 * DAY + 12 * HOUR;
    const first = await engine.refresh(ORG);
    expect(first.alerts.map((a) => `${a.from}>${a.to}`)).toEqual(['ok>high']);
    expect((await store.workload.listSnapshots(ORG)).length).toBeGreaterThan(90);

    // The same state, refreshed again: nothing new.
    now += HOUR;
    expect((await engine.refresh(ORG)).alerts).toEqual([]);

    // Three quiet weeks: the score falls through the thresholds and the level follows, without flapping.
    now += 21 * DAY;
    const later = await engine.refresh(ORG);
    const kinds = later.alerts.map((a) => a.kind);
    expect(kinds[kinds.length - 1]).toBe('cleared');
    expect(kinds.filter((k) => k === 'raised')).toEqual([]);
    expect((await store.workload.riskStates(ORG))[0]!.level).toBe('ok');

    const events = await store.events.list(ORG, { types: ['workload.alert'] });
    expect(events.map((e) => (e.data as { kind: string }).kind)).toEqual(['raised', ...kinds]);
  });

  it('gives a signal for routing: load and risk per member', async () => {
    for (let d = 0; d < 16; d++) await store.tasks.insert(nightP1(d));
    await store.tasks.insert({ ...nightP1(16), id: 'tsk_open', status: 'in_progress', resolvedAt: null });
    now = START + 16 * DAY + 23 * HOUR;
    await engine.refresh(ORG);
    const signals = await engine.forMembers(ORG, [member.id, 'mem_unknown']);
    expect(signals.get(member.id)).toMatchObject({ activeTasks: 1, maxConcurrent: 4, load: 0.25, riskLevel: 'high' });
    expect(signals.has('mem_unknown')).toBe(false);
  });
});
