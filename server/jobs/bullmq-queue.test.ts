import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import type { Job } from '../../core/jobs.js';
import { eventually, ROOT } from '../../test/helpers.js';
import { jobQueueContract } from '../../test/job-queue-contract.js';
import { BullMqJobQueue, type BullMqQueueOptions } from './bullmq-queue.js';

const REDIS = process.env.FOUNDRY_TEST_REDIS;
const clock = { now: () => Date.now() };

/** Every key of a test lives under its own prefix; this removes them. */
async function dropPrefix(prefix: string): Promise<void> {
  const redis = new Redis(REDIS!);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

const newPrefix = () => `tq${randomBytes(4).toString('hex')}`;
const urlFor = (prefix: string) => `${REDIS}?prefix=${prefix}`;

describe.skipIf(!REDIS)('the BullMQ job queue', () => {
  // The same behaviours as the store's queue; several queues on one prefix stand for several daemons.
  describe('keeps the JobQueue contract', () => {
    jobQueueContract(async () => {
      const prefix = newPrefix();
      return {
        open: (tuning) => new BullMqJobQueue({ url: urlFor(prefix), clock, ...tuning }),
        cleanup: () => dropPrefix(prefix),
      };
    });
  });

  describe('across processes', () => {
    const queues: BullMqJobQueue[] = [];
    const children: ChildProcess[] = [];
    const prefixes: string[] = [];
    let dir = '';
    const open = (prefix: string, o: Partial<BullMqQueueOptions> = {}) => {
      const q = new BullMqJobQueue({ url: urlFor(prefix), clock, ...o });
      queues.push(q);
      return q;
    };

    afterEach(async () => {
      for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
      for (const q of queues.splice(0)) await q.close();
      for (const p of prefixes.splice(0)) await dropPrefix(p);
      if (dir) rmSync(dir, { recursive: true, force: true });
      dir = '';
    });

    /** A worker in its own process (the compiled queue) whose handler announces the job and never returns. */
    function hangingWorker(prefix: string, tuning: Partial<BullMqQueueOptions>): { child: ChildProcess; started: Promise<string> } {
      dir = mkdtempSync(join(tmpdir(), 'foundry-bullmq-'));
      const script = join(dir, 'worker.mjs');
      writeFileSync(script, `
        const { BullMqJobQueue } = await import(${JSON.stringify(pathToFileURL(join(ROOT, 'dist/server/jobs/bullmq-queue.js')).href)});
        const q = new BullMqJobQueue({ url: process.argv[2], clock: { now: () => Date.now() }, ...JSON.parse(process.argv[3]) });
        q.handle('step', async (job) => {
          process.stdout.write('started ' + job.id + ' ' + job.attempts + ' ' + job.orgId + '\\n');
          await new Promise(() => undefined);
        });
        await q.start();
      `);
      const child = spawn(process.execPath, [script, urlFor(prefix), JSON.stringify(tuning)], { stdio: ['ignore', 'pipe', 'inherit'] });
      children.push(child);
      const started = new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout!.on('data', (d: Buffer) => {
          out += d.toString();
          const line = out.split('\n').find((l) => l.startsWith('started '));
          if (line) resolve(line);
        });
        child.once('exit', (code) => reject(new Error(`the worker process exited (${code}) before taking the job`)));
      });
      return { child, started };
    }

    it('takes over the job of a worker killed with -9 once its lock runs out', async () => {
      const prefix = newPrefix();
      prefixes.push(prefix);
      const tuning = { lockMs: 1_000, stalledCheckMs: 500 };
      const producer = open(prefix, tuning);
      const id = await producer.enqueue('org_7', 'step', { actionId: 'act_1' }, { key: 'run:act_1' });
      const { child, started } = hangingWorker(prefix, tuning);
      expect(await started).toBe(`started ${id} 1 org_7`);
      expect(await producer.counts()).toEqual({ running: 1 });

      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      // While the dead worker's job waits for takeover, its key still stands for it.
      expect(await producer.enqueue('org_7', 'step', { actionId: 'act_1' }, { key: 'run:act_1' })).toBe(id);

      const seen: Job[] = [];
      const takenOver: string[] = [];
      const survivor = open(prefix, { ...tuning, onTakeover: (jobId) => takenOver.push(jobId) });
      survivor.handle('step', async (job) => void seen.push(job));
      await survivor.start();
      const job = await eventually(() => seen[0], 15_000, 'another worker to take the job over');
      expect(job).toMatchObject({ id, orgId: 'org_7', kind: 'step', payload: { actionId: 'act_1' }, attempts: 2 });
      expect(takenOver).toEqual([id]);
      // The enqueue made while the job was held by the dead worker: one more round, not a second job at once.
      await eventually(() => seen.length === 2, 10_000, 'the round asked for while it ran');
      await eventually(async () => Object.keys(await survivor.counts()).length === 0, 5_000, 'the queue to empty');
      expect(seen).toHaveLength(2);
    }, 60_000);

    it('reports Redis readiness and isolates deployments by prefix', async () => {
      const a = newPrefix();
      const b = newPrefix();
      prefixes.push(a, b);
      const qa = open(a);
      const qb = open(b);
      await qa.start();
      await eventually(() => qa.status() === 'ok', 5_000, 'the connection');
      await qb.enqueue('org_1', 'other', {}, { runAt: Date.now() + 60_000 });
      expect(await qa.counts()).toEqual({});
      expect(await qb.counts()).toEqual({ queued: 1 });
      // Redis away from the start: start() does not wait for it, a job is held in memory, close() returns.
      const unreachable = new BullMqJobQueue({ url: 'redis://127.0.0.1:1', clock });
      queues.push(unreachable);
      unreachable.handle('step', async () => undefined);
      await unreachable.start();
      await eventually(() => unreachable.status().startsWith('degraded: '), 5_000, 'the failure to show');
      const held = await unreachable.enqueue('org_1', 'step', {}, { key: 'run:act_9' });
      expect(await unreachable.enqueue('org_1', 'step', {}, { key: 'run:act_9' })).toBe(held);
      expect(unreachable.status()).toMatch(/^degraded: .*1 job\(s\) held in memory/);
      await unreachable.close();
    });
  });
});
