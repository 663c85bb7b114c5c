import { afterEach, beforeEach, expect, it } from 'vitest';
import type { WorkloadSnapshot } from '../core/workload/snapshots.js';
import type { SqlStore } from '../server/store/index.js';
import { forEachStore, openTestStore, type StoreKind } from './helpers.js';

const snap = (memberId: string, day: string, over: Partial<WorkloadSnapshot> = {}): WorkloadSnapshot => ({
  memberId, teamId: 'team_a', day, timeZone: 'Europe/Berlin', activeTasks: 2, maxConcurrent: 4, hoursInside: 6.5,
  hoursOutside: 1.25, capacityHours: 8, utilization: 0.97, pages: 1, p1Assignments: 1, approvalsOutOfHours: 0,
  interruptions: 2, onCall: true, onCallHours: 16, afterHoursWork: true, consecutiveOnCallDays: 3,
  consecutiveAfterHoursDays: 2, defaults: ['workingHours'], partial: false, ...over,
});

forEachStore('workload repository', (kind: StoreKind) => {
  let store: SqlStore;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ store, cleanup } = await openTestStore(kind));
  });
  afterEach(async () => cleanup());

  it('stores snapshots and replaces a member-day on upsert', async () => {
    await store.workload.upsertSnapshots('org_1', [snap('m1', '2026-03-01'), snap('m1', '2026-03-02'), snap('m2', '2026-03-02', { teamId: 'team_b', utilization: null })]);
    await store.workload.upsertSnapshots('org_1', [snap('m1', '2026-03-02', { activeTasks: 9 })]);
    const m1 = await store.workload.listSnapshots('org_1', { memberId: 'm1' });
    expect(m1.map((s) => [s.day, s.activeTasks])).toEqual([['2026-03-01', 2], ['2026-03-02', 9]]);
    expect(m1[0]).toEqual(snap('m1', '2026-03-01'));
    const teamB = await store.workload.listSnapshots('org_1', { teamId: 'team_b' });
    expect(teamB[0]!.utilization).toBeNull();
    expect(await store.workload.listSnapshots('org_1', { from: '2026-03-02', to: '2026-03-02' })).toHaveLength(2);
    expect(await store.workload.latestDay('org_1')).toBe('2026-03-02');
    expect(await store.workload.latestDay('org_other')).toBeNull();
    expect(await store.workload.listSnapshots('org_other')).toEqual([]);
  });

  it('writes large batches in one go', async () => {
    const many = Array.from({ length: 1000 }, (_, i) => snap(`m${i}`, '2026-03-01'));
    await store.workload.upsertSnapshots('org_1', many);
    expect(await store.workload.listSnapshots('org_1')).toHaveLength(1000);
  });

  it('keeps one risk state per member and lists alerts newest first', async () => {
    await store.workload.setRiskState('org_1', { memberId: 'm1', level: 'elevated', score: 55, day: '2026-03-01', updatedAt: 1 });
    await store.workload.setRiskState('org_1', { memberId: 'm1', level: 'high', score: 75, day: '2026-03-02', updatedAt: 2 });
    expect(await store.workload.riskStates('org_1')).toEqual([{ memberId: 'm1', level: 'high', score: 75, day: '2026-03-02', updatedAt: 2 }]);
    const base = { orgId: 'org_1', memberId: 'm1', from: 'ok' as const, to: 'high' as const, kind: 'raised' as const, score: 75, factors: [] };
    expect(await store.workload.insertAlert({ ...base, id: 'wla_1', day: '2026-03-01', at: 10 })).toBe(true);
    expect(await store.workload.insertAlert({ ...base, id: 'wla_2', day: '2026-03-02', at: 20 })).toBe(true);
    // The same change computed by a second daemon is not stored (nor announced) twice.
    expect(await store.workload.insertAlert({ ...base, id: 'wla_2', day: '2026-03-02', at: 21 })).toBe(false);
    expect((await store.workload.listAlerts('org_1')).map((a) => a.id)).toEqual(['wla_2', 'wla_1']);
    expect(await store.workload.listAlerts('org_1', { memberId: 'm2' })).toEqual([]);
  });

  it('extends an on-call shift that continues and starts a new one after a gap', async () => {
    await store.workload.recordOnCall('org_1', ['m1'], 0, 100);
    await store.workload.recordOnCall('org_1', ['m1'], 100, 200);
    await store.workload.recordOnCall('org_1', ['m1'], 500, 600);
    expect(await store.workload.onCallShifts('org_1', 0)).toEqual([
      { memberId: 'm1', start: 0, end: 200 },
      { memberId: 'm1', start: 500, end: 600 },
    ]);
    expect(await store.workload.onCallShifts('org_1', 300)).toHaveLength(1);
  });
});
