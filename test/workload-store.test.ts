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

  it('pages snapshots in (member, day) order after a position, with the same filters as the list', async () => {
    const days = ['2026-03-01', '2026-03-02', '2026-03-03'];
    await store.workload.upsertSnapshots('org_1', ['m1', 'm2', 'm3', 'm4'].flatMap((m, i) => days.map((d) => snap(m, d, { teamId: i % 2 ? 'team_b' : 'team_a' }))));
    await store.workload.upsertSnapshots('org_2', [snap('m0', '2026-03-01')]);
    const walk = async (q: Parameters<SqlStore['workload']['listSnapshots']>[1] = {}, limit = 2) => {
      const seen: string[] = [];
      let after: { memberId: string; day: string } | undefined;
      for (;;) {
        const page = await store.workload.pageSnapshots('org_1', q ?? {}, { limit, ...(after ? { after } : {}) });
        seen.push(...page.map((s) => `${s.memberId}/${s.day}`));
        if (page.length < limit) return seen;
        after = { memberId: page[limit - 1]!.memberId, day: page[limit - 1]!.day };
      }
    };
    const all = (await store.workload.listSnapshots('org_1')).map((s) => `${s.memberId}/${s.day}`);
    expect(all).toHaveLength(12);
    expect(await walk()).toEqual(all);
    expect(await walk({}, 5)).toEqual(all);
    expect(await walk({ teamId: 'team_b' })).toEqual(['m2', 'm4'].flatMap((m) => days.map((d) => `${m}/${d}`)));
    expect(await walk({ from: '2026-03-02', to: '2026-03-02' })).toEqual(['m1', 'm2', 'm3', 'm4'].map((m) => `${m}/2026-03-02`));
    expect(await store.workload.pageSnapshots('org_1', {}, { after: { memberId: 'm4', day: '2026-03-03' }, limit: 10 })).toEqual([]);
  });

  // A query plan is SQLite's own: the test exists for that backend only.
  if (kind === 'sqlite') it('reads a page of one team through an index in (member, day) order, without sorting', async () => {
    const plan = (await store.db.all<{ detail: string }>(
      "EXPLAIN QUERY PLAN SELECT * FROM workload_snapshots WHERE organization_id = ? AND team_id = ? AND (member_id, day) > (?, ?) ORDER BY member_id, day LIMIT 501",
      ['org_1', 'team_a', 'm1', '2026-03-01'],
    )).map((r) => r.detail).join(' | ');
    expect(plan).toMatch(/USING INDEX workload_snapshots_team_member \(organization_id=\? AND team_id=\? AND \(member_id,day\)>\(\?,\?\)\)/);
    expect(plan).not.toMatch(/TEMP B-TREE/);
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
