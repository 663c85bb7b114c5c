import { afterEach, describe, it, expect } from 'vitest';
import { openStore, type SqlStore } from '../store/index.js';
import { StoreJobQueue } from './store-queue.js';
import type { Job } from '../../core/jobs.js';
import { forEachStore, openTestStore } from '../../test/helpers.js';
import { jobQueueContract } from '../../test/job-queue-contract.js';

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

// The behaviours every JobQueue keeps (test/job-queue-contract.ts), here with the jobs table as backing;
// several queues on one database stand for several daemons.
forEachStore('the store job queue', (kind) => {
  jobQueueContract(async () => {
    const { store, cleanup } = await openTestStore(kind);
    return {
      open: (tuning) => new StoreJobQueue(store.db, { clock, pollMs: 20, ...tuning }),
      cleanup,
    };
  });
});

describe('the store job queue after a crash', () => {
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
