import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Job, JobQueue } from '../core/jobs.js';
import { eventually } from './helpers.js';

/** What the contract needs beyond the port: counts by status (queued, running, failed) and close(). */
export interface QueueUnderTest extends JobQueue {
  counts(): Promise<Partial<Record<string, number>>>;
}

export interface QueueTuning {
  maxAttempts?: number;
  backoffMs?: number;
}

/** One backing (a database, a Redis prefix) on which several queues (daemons) can be opened. */
export interface QueueBacking {
  open(tuning?: QueueTuning): QueueUnderTest;
  /** Called after every queue opened on it was closed. */
  cleanup(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The behaviours every JobQueue keeps, whatever holds the jobs. Call inside a describe block; each test
 * gets a fresh backing from `backing()`.
 */
export function jobQueueContract(backing: () => Promise<QueueBacking>): void {
  let b: QueueBacking;
  const opened: QueueUnderTest[] = [];
  const open = (tuning?: QueueTuning): QueueUnderTest => {
    const q = b.open(tuning);
    opened.push(q);
    return q;
  };

  beforeEach(async () => {
    b = await backing();
  });
  afterEach(async () => {
    for (const q of opened.splice(0)) await q.close();
    await b.cleanup();
  });

  it('hands a job with its organisation to the handler and removes it once handled', async () => {
    const q = open();
    const seen: Job[] = [];
    q.handle('greet', async (job) => void seen.push(job));
    await q.start();
    const id = await q.enqueue('org_1', 'greet', { who: 'ops' });
    const job = await eventually(() => seen[0], 5_000, 'the job');
    expect(job).toMatchObject({ id, orgId: 'org_1', kind: 'greet', payload: { who: 'ops' }, attempts: 1 });
    await eventually(async () => Object.keys(await q.counts()).length === 0, 5_000, 'the job to be removed');
  });

  it('keeps one waiting job per key, whichever daemon enqueues it', async () => {
    const a = open();
    const other = open();
    const first = await a.enqueue('org_1', 'run', { n: 1 }, { key: 'run:act_1' });
    expect(await a.enqueue('org_1', 'run', { n: 2 }, { key: 'run:act_1' })).toBe(first);
    expect(await other.enqueue('org_1', 'run', { n: 3 }, { key: 'run:act_1' })).toBe(first);
    expect(await a.enqueue('org_1', 'run', { n: 4 }, { key: 'run:act_2' })).not.toBe(first);
    expect(await a.counts()).toEqual({ queued: 2 });
  });

  it('never runs two jobs of one key at once; one asked for while running goes round once more', async () => {
    const q = open();
    const other = open();
    let running = 0;
    let most = 0;
    let calls = 0;
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const handler = async () => {
      calls++;
      running++;
      most = Math.max(most, running);
      if (calls === 1) await gate;
      running--;
    };
    q.handle('run', handler);
    other.handle('run', handler);
    await q.start();
    await other.start();
    await q.enqueue('org_1', 'run', {}, { key: 'run:act_1' });
    await eventually(() => calls === 1, 5_000, 'the first run');
    await q.enqueue('org_1', 'run', {}, { key: 'run:act_1' });
    await other.enqueue('org_1', 'run', {}, { key: 'run:act_1' });
    await sleep(300);
    expect(calls).toBe(1);
    release();
    await eventually(() => calls === 2, 5_000, 'the second run');
    await sleep(300);
    expect(calls).toBe(2);
    expect(most).toBe(1);
  });

  it('does not hand out a job before its time', async () => {
    const q = open();
    const seen: number[] = [];
    q.handle('later', async () => void seen.push(Date.now()));
    await q.start();
    const at = Date.now() + 300;
    await q.enqueue('org_1', 'later', {}, { runAt: at });
    const t = await eventually(() => seen[0], 5_000, 'the job');
    expect(t).toBeGreaterThanOrEqual(at);
  });

  it('lets an earlier deadline win for a queued key, and a later one never postpone it', async () => {
    const q = open();
    const seen: Job[] = [];
    q.handle('expire', async (job) => void seen.push(job));
    await q.start();
    const far = Date.now() + 3_600_000;
    const id = await q.enqueue('org_1', 'expire', {}, { runAt: far, key: 'expire:act_1' });
    expect(await q.enqueue('org_1', 'expire', {}, { runAt: far + 60_000, key: 'expire:act_1' })).toBe(id);
    await sleep(200);
    expect(seen).toHaveLength(0);
    const soon = Date.now() + 100;
    expect(await q.enqueue('org_1', 'expire', {}, { runAt: soon, key: 'expire:act_1' })).toBe(id);
    const job = await eventually(() => seen[0], 5_000, 'the job brought forward');
    expect(job.id).toBe(id);
    await sleep(200);
    expect(seen).toHaveLength(1);
  });

  it('retries a job whose handler throws, after a backoff, counting the attempts', async () => {
    const q = open({ backoffMs: 200 });
    const calls: Array<{ at: number; attempts: number }> = [];
    let failedAt = 0;
    q.handle('flaky', async (job) => {
      calls.push({ at: Date.now(), attempts: job.attempts });
      if (calls.length < 3) {
        failedAt = Date.now();
        throw new Error('boom');
      }
    });
    await q.start();
    await q.enqueue('org_1', 'flaky', {});
    await eventually(() => calls.length >= 3, 10_000, 'three tries');
    expect(calls.map((c) => c.attempts)).toEqual([1, 2, 3]);
    // Exponential: the second retry waits twice the first's backoff.
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(200 - 5);
    expect(calls[2]!.at - calls[1]!.at).toBeGreaterThanOrEqual(400 - 5);
    expect(failedAt).toBeGreaterThan(0);
    await eventually(async () => Object.keys(await q.counts()).length === 0, 5_000, 'the job to be removed');
  });

  it('parks a job as failed once its attempts are used up', async () => {
    const q = open({ maxAttempts: 2, backoffMs: 50 });
    let calls = 0;
    q.handle('broken', async () => {
      calls++;
      throw new Error('always');
    });
    await q.start();
    await q.enqueue('org_1', 'broken', {}, { key: 'broken:1' });
    await eventually(async () => (await q.counts()).failed === 1, 10_000, 'the job to fail');
    expect(calls).toBe(2);
    // The key is free again: a new job may be asked for.
    await q.enqueue('org_1', 'broken', {}, { key: 'broken:1' });
    await eventually(() => calls === 3, 5_000, 'the new job');
  });

  it('runs each job exactly once when two daemons work one queue', async () => {
    const a = open();
    const other = open();
    const runs = new Map<string, number>();
    const byWorker = { a: 0, other: 0 };
    const handler = (who: 'a' | 'other') => async (job: Job) => {
      runs.set(job.id, (runs.get(job.id) ?? 0) + 1);
      byWorker[who]++;
      await sleep(5);
    };
    a.handle('work', handler('a'));
    other.handle('work', handler('other'));
    await a.start();
    await other.start();
    const ids: string[] = [];
    for (let i = 0; i < 60; i++) ids.push(await (i % 2 ? a : other).enqueue('org_1', 'work', { i }));
    await eventually(() => runs.size === 60, 20_000, 'every job to run');
    await sleep(300);
    expect([...runs.keys()].sort()).toEqual([...ids].sort());
    expect([...runs.values()].every((n) => n === 1)).toBe(true);
    expect(byWorker.a + byWorker.other).toBe(60);
  });

  it('waits for running jobs on close', async () => {
    const q = open();
    let finished = false;
    let started = false;
    q.handle('slow', async () => {
      started = true;
      await sleep(300);
      finished = true;
    });
    await q.start();
    await q.enqueue('org_1', 'slow', {});
    await eventually(() => started, 5_000, 'the job to start');
    await q.close();
    expect(finished).toBe(true);
  });
}
