import { afterEach, describe, it, expect } from 'vitest';
import { openStore, type SqlStore } from '../store/index.js';
import { StoreJobQueue } from './store-queue.js';
import type { Job } from '../../core/jobs.js';

const clock = { now: () => Date.now() };
const stores: SqlStore[] = [];
const queues: StoreJobQueue[] = [];

async function setup(options: Partial<ConstructorParameters<typeof StoreJobQueue>[1]> = {}) {
  const store = await openStore(':memory:');
  stores.push(store);
  const q = new StoreJobQueue(store.db, { clock, pollMs: 20, ...options });
  queues.push(q);
  return { store, q };
}

function waitFor<T>(fn: () => T | undefined, ms = 5000): Promise<T> {
  const deadline = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const tick = () => {
      const v = fn();
      if (v !== undefined) return resolve(v);
      if (Date.now() > deadline) return reject(new Error('timed out waiting'));
      setTimeout(tick, 5);
    };
    tick();
  });
}

afterEach(async () => {
  for (const q of queues.splice(0)) await q.close();
  for (const s of stores.splice(0)) await s.close();
});

describe('the store job queue', () => {
  it('hands a job to its handler and removes it once handled', async () => {
    const { q } = await setup();
    const seen: Job[] = [];
    q.handle('greet', async (job) => void seen.push(job));
    await q.start();
    await q.enqueue('org_1', 'greet', { who: 'ops' });
    const job = await waitFor(() => seen[0]);
    expect(job).toMatchObject({ orgId: 'org_1', kind: 'greet', payload: { who: 'ops' }, attempts: 1 });
    let counts: Record<string, number> = { queued: 1 };
    for (let i = 0; i < 100 && Object.keys(counts).length > 0; i++) {
      await new Promise((r) => setTimeout(r, 10));
      counts = await q.counts();
    }
    expect(counts).toEqual({});
  });

  it('keeps one waiting job per key', async () => {
    const { q } = await setup();
    const a = await q.enqueue('org_1', 'run', { n: 1 }, { key: 'run:act_1' });
    const b = await q.enqueue('org_1', 'run', { n: 2 }, { key: 'run:act_1' });
    expect(b).toBe(a);
    expect(await q.counts()).toEqual({ queued: 1 });
  });

  it('never runs two jobs of one key at once; one asked for while running goes round once more', async () => {
    const { q } = await setup();
    let running = 0;
    let most = 0;
    let calls = 0;
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    q.handle('run', async () => {
      calls++;
      running++;
      most = Math.max(most, running);
      if (calls === 1) await gate;
      running--;
    });
    await q.start();
    await q.enqueue('org_1', 'run', {}, { key: 'run:act_1' });
    await waitFor(() => (calls === 1 ? true : undefined));
    await q.enqueue('org_1', 'run', {}, { key: 'run:act_1' });
    await q.enqueue('org_1', 'run', {}, { key: 'run:act_1' });
    await new Promise((r) => setTimeout(r, 50));
    expect(calls).toBe(1);
    release();
    await waitFor(() => (calls === 2 ? true : undefined));
    await new Promise((r) => setTimeout(r, 50));
    expect(calls).toBe(2);
    expect(most).toBe(1);
  });

  it('does not hand out a job before its time', async () => {
    const { q } = await setup();
    const seen: number[] = [];
    q.handle('later', async () => void seen.push(Date.now()));
    await q.start();
    const at = Date.now() + 150;
    await q.enqueue('org_1', 'later', {}, { runAt: at });
    const t = await waitFor(() => seen[0]);
    expect(t).toBeGreaterThanOrEqual(at);
  });

  it('retries a job whose handler throws', async () => {
    const { q } = await setup();
    let calls = 0;
    q.handle('flaky', async () => {
      calls++;
      if (calls === 1) throw new Error('boom');
    });
    await q.start();
    await q.enqueue('org_1', 'flaky', {});
    await waitFor(() => (calls >= 2 ? true : undefined));
    expect(calls).toBe(2);
  });

  it('survives the process: jobs a dead worker held are queued again on start', async () => {
    const { store, q } = await setup();
    await q.enqueue('org_1', 'resume', { actionId: 'act_1' });
    // What kill -9 leaves behind: a job claimed by a worker that no longer exists.
    await store.db.run("UPDATE jobs SET status = 'running', attempts = 1, locked_by = 'w_dead', locked_until = ?", [Date.now() + 60_000]);
    const next = new StoreJobQueue(store.db, { clock, pollMs: 20, reclaimAllOnStart: true });
    queues.push(next);
    const seen: Job[] = [];
    next.handle('resume', async (job) => void seen.push(job));
    await next.start();
    const job = await waitFor(() => seen[0]);
    expect(job).toMatchObject({ payload: { actionId: 'act_1' }, attempts: 2 });
  });

  it('takes over a job whose lease ran out even without a restart', async () => {
    const { store, q } = await setup();
    await q.enqueue('org_1', 'resume', {});
    await store.db.run("UPDATE jobs SET status = 'running', locked_by = 'w_dead', locked_until = ?", [Date.now() - 1]);
    const seen: Job[] = [];
    q.handle('resume', async (job) => void seen.push(job));
    await q.start();
    await waitFor(() => seen[0]);
  });
});
