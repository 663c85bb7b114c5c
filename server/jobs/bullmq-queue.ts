import { randomUUID } from 'node:crypto';
import { Queue, Worker, type Job as BullJob, type JobsOptions } from 'bullmq';
import { Redis } from 'ioredis';
import type { EnqueueOptions, Job, JobHandler, JobQueue } from '../../core/jobs.js';
import type { Clock } from '../../core/ports.js';
import { parseRedisUrl } from '../bus/redis.js';

export interface BullMqQueueOptions {
  /** redis://host:port/db, optionally with ?prefix=NAME: every key of this deployment starts with NAME. */
  url: string;
  clock: Clock;
  /** The BullMQ queue's name under the prefix. */
  name?: string;
  /** Jobs handled at once by this daemon. */
  concurrency?: number;
  /** Tries per job before it is parked as failed; also how often it may be taken over after a crash. */
  maxAttempts?: number;
  /** First retry after this long, then twice as long each time (exponential backoff). */
  backoffMs?: number;
  /**
   * A running job's lock; the worker renews it every lockMs / 2. A job whose lock has run out (its daemon
   * died) is taken over by any daemon's stalled check within about lockMs + stalledCheckMs.
   */
  lockMs?: number;
  /** How often one of the daemons (whichever gets there first) looks for jobs whose lock ran out. */
  stalledCheckMs?: number;
  onError?: (err: unknown, job: Job) => void;
  /** A job whose worker stopped renewing its lock (its daemon died) was put back for another worker. */
  onTakeover?: (jobId: string) => void;
}

/** A job asked for while Redis was unreachable. */
interface Held {
  orgId: string;
  kind: string;
  payload: unknown;
  key: string | undefined;
  runAt: number;
  jobId: string;
}

interface JobData {
  orgId: string;
  payload: unknown;
  /** Epoch ms; kept beside BullMQ's delay so an earlier deadline can be compared without its internals. */
  runAt: number;
}

/** A job's state in the port's words (BullMQ's 'waiting', 'delayed', 'prioritized' are all queued). */
export type QueueCounts = Partial<Record<'queued' | 'running' | 'failed', number>>;

const TIMED_OUT = Symbol('timed out');

/** Settles with the promise, or with TIMED_OUT after `ms` (BullMQ waits for a connection without limit). */
async function within<T>(p: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<typeof TIMED_OUT>((r) => (timer = setTimeout(() => r(TIMED_OUT), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/** How long an enqueue waits for Redis before the job is held in memory instead. */
const ADD_WAIT_MS = 2_000;

const toJob = (j: BullJob<JobData>): Job => ({
  id: j.id!, orgId: j.data.orgId, kind: j.name, payload: j.data.payload, runAt: j.data.runAt, attempts: j.attemptsStarted,
});

/**
 * The job queue of scaled mode: BullMQ on the deployment's Redis, so any daemon's worker may take any job.
 *
 * - One job per `key` while queued or running: the key is BullMQ's deduplication id, with
 *   keepLastIfActive, so a job asked for while the key's job runs is created (atomically, in the same
 *   script that finishes the running one) when it finishes: never two workers on one key, and the
 *   request is not lost. That is what the healing runner relies on: an approval arriving while the
 *   action's previous run is about to stop makes it go round once more.
 * - At least once: a daemon that dies mid-job stops renewing the job's lock; after the lock runs out a
 *   stalled check (run by whichever daemon's worker gets there first) puts the job back, and another
 *   daemon runs it again with `attempts` one higher. The healing engine's step records then decide:
 *   a step left `running` is repeated only when declared idempotent.
 */
export class BullMqJobQueue implements JobQueue {
  private readonly handlers = new Map<string, JobHandler>();
  private readonly producer: Redis;
  private workerConn: Redis | null = null;
  private readonly queue: Queue<JobData>;
  private worker: Worker<JobData> | null = null;
  private readonly prefix: string;
  private readonly o: Required<Omit<BullMqQueueOptions, 'onError' | 'onTakeover'>> & Pick<BullMqQueueOptions, 'onError' | 'onTakeover'>;
  private closed: Promise<void> | null = null;
  private lastError: string | null = null;
  private readonly held = new Map<string, Held>();
  private flushing = false;
  /** Handlers in flight in this process. */
  private running = 0;
  private readonly retryHeld: NodeJS.Timeout;

  constructor(options: BullMqQueueOptions) {
    // Lock 5 s, renewed every 2.5 s, stalled check every 1.5 s: a dead daemon's job moves within about
    // 6.5 s, while a daemon has to miss a renewal for a whole 2.5 s (a blocked event loop, a slow Redis)
    // before its live job could be taken from it. Shorter locks would take over sooner but turn a busy
    // machine's pauses into double runs; BullMQ's default 30 s would leave a playbook stuck half a minute.
    this.o = { name: 'jobs', concurrency: 8, maxAttempts: 5, backoffMs: 1_000, lockMs: 5_000, stalledCheckMs: 1_500, ...options };
    const { url, prefix } = parseRedisUrl(options.url);
    this.prefix = prefix.slice(0, -1);
    // Enqueueing must not hang on a dead connection: an offline command fails after two reconnect tries.
    this.producer = this.connect(url, { maxRetriesPerRequest: 2 });
    this.queue = new Queue<JobData>(this.o.name, { connection: this.producer, prefix: this.prefix });
    this.queue.on('error', (err: Error) => this.noteError(err));
    this.producer.on('ready', () => void this.flushHeld());
    // Also when the connection never dropped but an add outlasted its wait (a slow Redis).
    this.retryHeld = setInterval(() => {
      if (this.held.size > 0 && this.producer.status === 'ready') void this.flushHeld();
    }, 1_000);
    this.retryHeld.unref();
  }

  /**
   * Adds the job to Redis. While Redis is unreachable the job is held in memory and added when the
   * connection returns (readiness says how many wait), so a request that already committed its action
   * does not fail for it; should this daemon die meanwhile, the healing engine's recovery at the next
   * start enqueues every unfinished action again.
   */
  async enqueue(orgId: string, kind: string, payload: unknown, options: EnqueueOptions = {}): Promise<string> {
    const runAt = options.runAt ?? this.o.clock.now();
    const waiting = options.key ? this.held.get(options.key) : undefined;
    if (waiting) {
      waiting.runAt = Math.min(waiting.runAt, runAt);
      return waiting.jobId;
    }
    const held: Held = { orgId, kind, payload, key: options.key, runAt, jobId: `job_${randomUUID()}` };
    try {
      // Should the add still land after the wait, the held copy is a no-op later: it has the same job id.
      const id = await within(this.add(held), ADD_WAIT_MS);
      if (id !== TIMED_OUT) return id;
    } catch (err) {
      if (this.producer.status === 'ready') throw err;
      this.noteError(err as Error);
    }
    this.held.set(held.key ?? held.jobId, held);
    return held.jobId;
  }

  private async add(h: Held): Promise<string> {
    const delay = Math.max(0, h.runAt - this.o.clock.now());
    const opts: JobsOptions = {
      jobId: h.jobId, delay,
      attempts: this.o.maxAttempts,
      backoff: { type: 'exponential', delay: this.o.backoffMs },
      removeOnComplete: true,
      // Failed jobs stay a week for inspection (BullMQ's failed set), at most 1,000 of them.
      removeOnFail: { age: 7 * 86_400, count: 1_000 },
    };
    if (h.key) {
      // Due now: a waiting or delayed job of the key is made due now too (reschedule). A later deadline
      // never postpones one already queued; an earlier one is applied below.
      opts.deduplication = { id: h.key, keepLastIfActive: true, ...(delay === 0 ? { reschedule: true } : {}) };
    }
    const job = await this.queue.add(h.kind, { orgId: h.orgId, payload: h.payload, runAt: h.runAt }, opts);
    const id = job.id ?? h.jobId;
    if (id !== h.jobId && delay > 0) await this.bringForward(id, h.runAt);
    return id;
  }

  /** Jobs held while Redis was away go in now, oldest first; those that fail again stay held. */
  private async flushHeld(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    try {
      for (const [k, h] of [...this.held]) {
        try {
          if ((await within(this.add(h), ADD_WAIT_MS)) === TIMED_OUT) return;
          this.held.delete(k);
        } catch (err) {
          this.noteError(err as Error);
          return;
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  handle(kind: string, handler: JobHandler): void {
    this.handlers.set(kind, handler);
  }

  /** Starts this daemon's worker. Jobs a dead worker held need nothing here: their lock runs out. */
  async start(): Promise<void> {
    if (this.worker || this.closed) return;
    const { url } = parseRedisUrl(this.o.url);
    // A worker blocks on Redis and must wait through outages rather than fail its commands.
    this.workerConn = this.connect(url, { maxRetriesPerRequest: null });
    this.worker = new Worker<JobData>(this.o.name, (job) => this.process(job), {
      connection: this.workerConn, prefix: this.prefix, concurrency: this.o.concurrency,
      lockDuration: this.o.lockMs, stalledInterval: this.o.stalledCheckMs,
      // A job may be taken over after a crash as often as it may fail.
      maxStalledCount: this.o.maxAttempts,
    });
    this.worker.on('error', (err: Error) => this.noteError(err));
    this.worker.on('stalled', (jobId: string) => this.o.onTakeover?.(jobId));
    this.worker.on('failed', (job, err) => {
      if (job) this.o.onError?.(err, toJob(job));
    });
    // Redis may be away at start-up: the worker connects when it can, and readiness says degraded until then.
    await within(this.worker.waitUntilReady(), ADD_WAIT_MS).catch(() => undefined);
  }

  /**
   * Stops taking jobs and gives the running ones `graceMs` to finish. One still running after that is
   * left to BullMQ's stalled check: another daemon takes it over once its lock runs out, as after a crash.
   */
  close(graceMs = 5_000): Promise<void> {
    this.closed ??= this.shutdown(graceMs);
    return this.closed;
  }

  /** 'ok', or why not: readiness reports it. */
  status(): string {
    const conns = [this.producer, ...(this.workerConn ? [this.workerConn] : [])];
    const held = this.held.size > 0 ? `; ${this.held.size} job(s) held in memory` : '';
    if (conns.every((c) => c.status === 'ready') && !held) return 'ok';
    return `degraded: ${this.lastError ?? 'redis unreachable'} (playbook steps wait until Redis returns${held})`;
  }

  /** Jobs waiting, running and failed, across all daemons; for /readyz and tests. */
  async counts(): Promise<QueueCounts> {
    const c = await this.queue.getJobCounts('waiting', 'delayed', 'prioritized', 'active', 'failed');
    const queued = (c.waiting ?? 0) + (c.delayed ?? 0) + (c.prioritized ?? 0);
    const out: QueueCounts = {};
    if (queued > 0) out.queued = queued;
    if (c.active) out.running = c.active;
    if (c.failed) out.failed = c.failed;
    return out;
  }

  private async process(bull: BullJob<JobData>): Promise<void> {
    const handler = this.handlers.get(bull.name);
    // Every daemon registers the same kinds; a missing one is a deployment of mixed versions: retry later.
    if (!handler) throw new Error(`no handler for job kind ${bull.name}`);
    this.running++;
    try {
      await handler(toJob(bull));
    } finally {
      this.running--;
    }
  }

  /** The key's job is already queued: an earlier deadline wins, so a re-enqueue never postpones work. */
  private async bringForward(id: string, runAt: number): Promise<void> {
    const existing = await this.queue.getJob(id);
    if (!existing || existing.data.runAt <= runAt) return;
    try {
      await existing.changeDelay(Math.max(0, runAt - this.o.clock.now()));
      await existing.updateData({ ...existing.data, runAt });
    } catch {
      // No longer delayed: it is due or running already, which is no later than asked.
    }
  }

  private connect(url: string, extra: { maxRetriesPerRequest: number | null }): Redis {
    const conn = new Redis(url, { ...extra, retryStrategy: (times) => Math.min(times * 100, 2_000) });
    conn.on('error', (err: Error) => this.noteError(err));
    conn.on('ready', () => (this.lastError = null));
    return conn;
  }

  private noteError(err: Error): void {
    this.lastError = err.message;
  }

  private async shutdown(graceMs: number): Promise<void> {
    clearInterval(this.retryHeld);
    if (this.held.size > 0 && this.producer.status === 'ready') await this.flushHeld();
    if (this.worker) {
      const worker = this.worker;
      // Redis away and nothing running here: a graceful close would only wait for Redis.
      const idleOffline = this.running === 0 && this.workerConn?.status !== 'ready';
      const finished = idleOffline ? TIMED_OUT : await within(worker.close(), graceMs).catch(() => undefined);
      if (finished === TIMED_OUT) await within(worker.close(true), ADD_WAIT_MS).catch(() => undefined);
    }
    // With Redis away these would wait for it: give up after a moment and drop the connections.
    await within(this.queue.close(), ADD_WAIT_MS).catch(() => undefined);
    this.workerConn?.disconnect();
    this.producer.disconnect();
  }
}
