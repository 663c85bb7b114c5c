import { describe, it, expect } from 'vitest';
import { AnomalyMonitor } from './monitor.js';
import type { IssueChange, IssueEngine } from '../issues-engine.js';
import type { MetricPoint } from '../../metrics/model.js';

function fakeStore() {
  const states = new Map<string, string>();
  const healing = {
    getDetectorState: async (org: string, key: string) => states.get(`${org}/${key}`) ?? null,
    putDetectorState: async (org: string, key: string, state: string) => void states.set(`${org}/${key}`, state),
  };
  return { states, store: { healing, transaction: async <T>(fn: (tx: never) => Promise<T>) => fn({ healing } as never) } as never };
}

function fakeIssues() {
  const changes: IssueChange[] = [];
  return { changes, engine: { ingest: async (_org: string, c: IssueChange[]) => void changes.push(...c) } as unknown as IssueEngine };
}

const series = (from: number, n: number, spikeAt = -1): MetricPoint[] =>
  Array.from({ length: n }, (_, k) => {
    const i = from + k;
    return { name: 'latency', tags: { svc: 'api' }, at: i * 60_000, value: i === spikeAt ? 900 : 100 + 10 * Math.sin(i / 15) + ((i * 31) % 7) };
  });

describe('AnomalyMonitor', () => {
  it('raises an anomaly issue for a spike and clears it after a quiet spell, in order', async () => {
    const { store } = fakeStore();
    const issues = fakeIssues();
    const m = new AnomalyMonitor({ store, clock: { now: () => 0 }, issues: issues.engine, quietPoints: 20 });
    await m.observe('o', series(0, 1200, 1100));
    expect(issues.changes.map((c) => c.kind)).toEqual(['firing', 'resolved']);
    const firing = issues.changes[0]!;
    expect(firing.kind === 'firing' && firing.signal).toMatchObject({ source: 'anomaly', labels: { svc: 'api', metric: 'latency' }, value: 900, score: 1 });
  });

  it('resumes a series from its saved state after a restart, scoring as if it never stopped', async () => {
    const data = series(0, 1400, 1300);
    const straight = fakeIssues();
    const a = new AnomalyMonitor({ store: fakeStore().store, clock: { now: () => 0 }, issues: straight.engine });
    await a.observe('o', data);

    const shared = fakeStore();
    const resumed = fakeIssues();
    const before = new AnomalyMonitor({ store: shared.store, clock: { now: () => 0 }, issues: resumed.engine });
    await before.observe('o', data.slice(0, 700));
    expect(await before.persist()).toBe(1);
    expect(shared.states.size).toBe(1);
    const after = new AnomalyMonitor({ store: shared.store, clock: { now: () => 0 }, issues: resumed.engine });
    await after.observe('o', data.slice(700));
    expect(resumed.changes).toEqual(straight.changes);
    expect(straight.changes.length).toBeGreaterThan(0);
  });

  it('leaves ignored series alone', async () => {
    const issues = fakeIssues();
    const m = new AnomalyMonitor({ store: fakeStore().store, clock: { now: () => 0 }, issues: issues.engine, ignore: (n) => n === 'latency' });
    expect(await m.observe('o', series(0, 1200, 1100))).toEqual({ scored: 0, anomalies: 0 });
  });

  it('saves many series a slice per transaction, and keeps a series that changed meanwhile for the next save', async () => {
    const { states } = fakeStore();
    let transactions = 0;
    let between: (() => Promise<void>) | null = null;
    const healing = {
      getDetectorState: async () => null,
      putDetectorState: async (org: string, key: string, state: string) => void states.set(`${org}/${key}`, state),
    };
    const store = {
      healing,
      transaction: async <T>(fn: (tx: never) => Promise<T>) => {
        transactions++;
        const r = await fn({ healing } as never);
        const hook = between;
        between = null;
        await hook?.();
        return r;
      },
    } as never;
    const m = new AnomalyMonitor({ store, clock: { now: () => 0 }, issues: fakeIssues().engine, persistSlice: 3 });
    const point = (svc: string, i: number): MetricPoint => ({ name: 'latency', tags: { svc }, at: i * 60_000, value: 100 + i });
    for (let s = 0; s < 8; s++) await m.observe('o', [point(`s${s}`, 0)]);
    // after the first slice is written, a point for a series of that slice arrives
    between = async () => void (await m.observe('o', [point('s0', 1)]));
    expect(await m.persist()).toBe(8);
    expect(transactions).toBe(3);
    expect(states.size).toBe(8);
    expect(await m.persist()).toBe(1);
    expect(await m.persist()).toBe(0);
  });
});
