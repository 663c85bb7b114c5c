import { randomUUID } from 'node:crypto';
import type { EnqueueOptions, Job, JobHandler, JobQueue } from '../../core/jobs.js';
import type { Clock } from '../../core/ports.js';
import type { SqlDb } from '../store/sql.js';
import { json, num, parseJson } from '../store/sql.js';

export interface StoreQueueOptions {
  clock: Clock;
  /** Jobs handled at once by this daemon. */
  concurrency?: number;
  /** How often the table is looked at when nothing woke the worker (jobs from other processes, timers). */
  pollMs?: number;
  /** A running job's claim; renewed while its handler runs, so only a dead worker's jobs are taken over. */
  leaseMs?: number;
  /** Tries per job before it is parked as failed. */
  maxAttempts?: number;
  /** First retry after this long, then twice as long each time, at most a minute. */
  backoffMs?: number;
  /**
   * Embedded mode: one daemon owns the database, so at start every job marked running belonged to a
   * process that died, and is queued again at once instead of after its lease.
   */
  reclaimAllOnStart?: boolean;
  onError?: (err: unknown, job: Job) => void;
}

type Row = Record<string, unknown>;

const toJob = (r: Row): Job => ({
  id: r.id as string, orgId: r.organization_id as string, kind: r.kind as string, payload: parseJson(r.payload, null),
  runAt: num(r.run_at), attempts: num(r.attempts),
});

/**
 * The durable job queue of embedded mode: jobs are rows of the `jobs` table, so they survive kill -9.
 * Delivery is at least once; handlers decide what a repeated delivery means.
 */
export class StoreJobQueue implements JobQueue {
  private readonly handlers = new Map<string, JobHandler>();
  private readonly workerId = `w_${randomUUID()}`;
  private readonly running = new Map<string, Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private started = false;
  private closed = false;
  private pumping = false;
  private repump = false;
  private readonly o: Required<Omit<StoreQueueOptions, 'onError'>> & Pick<StoreQueueOptions, 'onError'>;

  constructor(private readonly db: SqlDb, options: StoreQueueOptions) {
    this.o = { concurrency: 8, pollMs: 500, leaseMs: 30_000, maxAttempts: 5, backoffMs: 1_000, reclaimAllOnStart: false, ...options };
  }

  async enqueue(orgId: string, kind: string, payload: unknown, options: EnqueueOptions = {}): Promise<string> {
    const now = this.o.clock.now();
    if (options.key) {
      const existing = await this.db.get<{ id: string; status: string }>("SELECT id, status FROM jobs WHERE job_key = ? AND status IN ('queued', 'running')", [options.key]);
      if (existing?.status === 'queued') {
        // An earlier deadline wins, so a re-enqueue never postpones work.
        if (options.runAt !== undefined) await this.db.run('UPDATE jobs SET run_at = ? WHERE id = ? AND run_at > ?', [options.runAt, existing.id, options.runAt]);
        this.wake();
        return existing.id;
      }
      if (existing?.status === 'running') {
        // Never a second worker on the same key: the running job goes round once more when it finishes.
        const n = await this.db.run("UPDATE jobs SET rerun = 1, run_at = ? WHERE id = ? AND status = 'running'", [options.runAt ?? now, existing.id]);
        if (n === 1) return existing.id;
      }
    }
    const id = `job_${randomUUID()}`;
    await this.db.run(
      `INSERT INTO jobs (id, organization_id, kind, payload, job_key, status, run_at, attempts, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, 'queued', ?, 0, ?, ?)`,
      [id, orgId, kind, json(payload), options.key ?? null, options.runAt ?? now, now, now],
    );
    this.wake();
    return id;
  }

  handle(kind: string, handler: JobHandler): void {
    this.handlers.set(kind, handler);
  }

  async start(): Promise<void> {
    const now = this.o.clock.now();
    if (this.o.reclaimAllOnStart) {
      await this.db.run("UPDATE jobs SET status = 'queued', locked_by = NULL, locked_until = NULL, updated_at = ? WHERE status = 'running'", [now]);
    }
    this.started = true;
    this.wake();
  }

  /**
   * Stops taking jobs and gives the running ones `graceMs` to finish. A step still running after that is
   * left as the store records it, and the next start treats it exactly like one interrupted by a crash.
   */
  async close(graceMs = 5_000): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.running.values()]),
      new Promise<void>((r) => {
        timer = setTimeout(r, graceMs);
        timer.unref?.();
      }),
    ]);
    if (timer) clearTimeout(timer);
  }

  /** Jobs waiting or running, by status; for /readyz and tests. */
  async counts(): Promise<Record<string, number>> {
    const rows = await this.db.all<{ status: string; n: number }>('SELECT status, COUNT(*) AS n FROM jobs GROUP BY status');
    return Object.fromEntries(rows.map((r) => [r.status, num(r.n)]));
  }

  private wake(): void {
    if (!this.started || this.closed) return;
    if (this.pumping) {
      this.repump = true;
      return;
    }
    void this.pump();
  }

  private async pump(): Promise<void> {
    this.pumping = true;
    try {
      do {
        this.repump = false;
        await this.reclaimExpired();
        while (!this.closed && this.running.size < this.o.concurrency) {
          const job = await this.claim();
          if (!job) break;
          const p = this.run(job).finally(() => {
            this.running.delete(job.id);
            this.wake();
          });
          this.running.set(job.id, p);
        }
      } while (this.repump && !this.closed);
    } catch (err) {
      this.o.onError?.(err, { id: '', orgId: '', kind: 'queue', payload: null, runAt: 0, attempts: 0 });
    } finally {
      this.pumping = false;
      this.schedule();
    }
  }

  private async schedule(): Promise<void> {
    if (this.closed) return;
    if (this.timer) clearTimeout(this.timer);
    let delay = this.o.pollMs;
    try {
      const next = await this.db.get<{ t: number | null }>("SELECT MIN(run_at) AS t FROM jobs WHERE status = 'queued'");
      if (next?.t !== null && next?.t !== undefined) delay = Math.max(0, Math.min(delay, num(next.t) - this.o.clock.now()));
    } catch {
      // the database is closing; the poll interval applies
    }
    if (this.closed) return;
    this.timer = setTimeout(() => this.wake(), delay);
    this.timer.unref?.();
  }

  private lastReclaim = 0;

  /** Leases run for leaseMs, so looking for expired ones a few times per lease is enough. */
  private async reclaimExpired(): Promise<void> {
    const now = this.o.clock.now();
    if (now - this.lastReclaim < this.o.leaseMs / 3) return;
    this.lastReclaim = now;
    await this.db.run(
      "UPDATE jobs SET status = 'queued', locked_by = NULL, locked_until = NULL, updated_at = ? WHERE status = 'running' AND locked_until < ?",
      [now, now],
    );
  }

  private async claim(): Promise<Job | null> {
    const now = this.o.clock.now();
    const kinds = [...this.handlers.keys()];
    if (kinds.length === 0) return null;
    const row = await this.db.get<Row>(
      `UPDATE jobs SET status = 'running', locked_by = ?, locked_until = ?, attempts = attempts + 1, updated_at = ?
       WHERE id = (SELECT id FROM jobs WHERE status = 'queued' AND run_at <= ? AND kind IN (${kinds.map(() => '?').join(', ')})
                   ORDER BY run_at, created_at LIMIT 1${this.db.dialect === 'postgres' ? ' FOR UPDATE SKIP LOCKED' : ''})
         AND status = 'queued'
       RETURNING *`,
      [this.workerId, now + this.o.leaseMs, now, now, ...kinds],
    );
    return row ? toJob(row) : null;
  }

  private async run(job: Job): Promise<void> {
    const handler = this.handlers.get(job.kind)!;
    const renew = setInterval(() => {
      void this.db
        .run('UPDATE jobs SET locked_until = ? WHERE id = ? AND locked_by = ?', [this.o.clock.now() + this.o.leaseMs, job.id, this.workerId])
        .catch(() => undefined);
    }, Math.max(50, Math.floor(this.o.leaseMs / 3)));
    try {
      await handler(job);
      const removed = await this.db.run('DELETE FROM jobs WHERE id = ? AND locked_by = ? AND rerun = 0', [job.id, this.workerId]);
      if (removed === 0) {
        await this.db.run(
          "UPDATE jobs SET status = 'queued', rerun = 0, attempts = 0, locked_by = NULL, locked_until = NULL, updated_at = ? WHERE id = ? AND locked_by = ?",
          [this.o.clock.now(), job.id, this.workerId],
        );
      }
    } catch (err) {
      this.o.onError?.(err, job);
      const now = this.o.clock.now();
      const message = err instanceof Error ? err.message : String(err);
      if (job.attempts >= this.o.maxAttempts) {
        await this.db.run("UPDATE jobs SET status = 'failed', last_error = ?, locked_by = NULL, updated_at = ? WHERE id = ?", [message, now, job.id]).catch(() => undefined);
      } else {
        const backoff = Math.min(60_000, this.o.backoffMs * 2 ** (job.attempts - 1));
        await this.db
          .run("UPDATE jobs SET status = 'queued', rerun = 0, run_at = ?, last_error = ?, locked_by = NULL, locked_until = NULL, updated_at = ? WHERE id = ?", [now + backoff, message, now, job.id])
          .catch(() => undefined);
      }
    } finally {
      clearInterval(renew);
    }
  }
}
