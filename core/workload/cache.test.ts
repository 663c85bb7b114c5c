import { describe, expect, it } from 'vitest';
import { SnapshotCache } from './cache.js';
import type { SnapshotQuery } from './ports.js';
import type { WorkloadSnapshot } from './snapshots.js';

const snap = (memberId: string, teamId: string, day: string) => ({ memberId, teamId, day }) as WorkloadSnapshot;

function fakeRepo(rows: WorkloadSnapshot[]) {
  const calls: SnapshotQuery[] = [];
  return {
    calls,
    listSnapshots: async (_org: string, q: SnapshotQuery = {}) => {
      calls.push(q);
      return rows.filter((s) => (!q.from || s.day >= q.from) && (!q.memberId || s.memberId === q.memberId));
    },
  };
}

describe('snapshot cache', () => {
  const now = Date.parse('2026-03-31T12:00:00Z');
  const rows = [snap('m1', 't1', '2026-03-20'), snap('m2', 't2', '2026-03-25'), snap('m1', 't1', '2026-03-30')];

  it('answers recent queries from memory, by team and by member', async () => {
    const repo = fakeRepo(rows);
    const cache = new SnapshotCache(repo, { now: () => now }, 31);
    expect(await cache.list('o', { from: '2026-03-21', teamId: 't1' })).toEqual([rows[2]]);
    expect(await cache.list('o', { from: '2026-03-01', memberId: 'm1' })).toEqual([rows[0], rows[2]]);
    expect(await cache.list('o', { from: '2026-03-01', to: '2026-03-26' })).toEqual([rows[0], rows[1]]);
    expect(repo.calls).toHaveLength(1);
  });

  it('goes to the store for older days, and reloads after invalidation or the TTL', async () => {
    let t = now;
    const repo = fakeRepo(rows);
    const cache = new SnapshotCache(repo, { now: () => t }, 31, 1000);
    await cache.list('o', { from: '2026-01-01' });
    expect(repo.calls.map((q) => q.from)).toEqual(['2026-02-28', '2026-01-01']);
    cache.invalidate('o');
    await cache.list('o', { from: '2026-03-30' });
    t += 5000;
    await cache.list('o', { from: '2026-03-30' });
    expect(repo.calls).toHaveLength(4);
  });
});
