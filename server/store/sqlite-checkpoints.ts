import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

/** WAL size at which a checkpoint is asked for: SQLite's own default threshold (1000 pages of 4 KiB). */
const CHECKPOINT_BYTES = 4 * 1024 * 1024;
/** How often the log's size is looked at, when something was written since. */
const CHECK_EVERY_MS = 500;
/** A worker with nothing to do for this long is stopped (an idle daemon keeps no thread for it). */
const WORKER_IDLE_MS = 30_000;

/**
 * Keeps the WAL short without checkpointing on the daemon's thread: when the log has grown past the
 * threshold, a worker thread (started on first need, stopped when idle) checkpoints it. Should the
 * worker be unavailable, the checkpoint runs here, as SQLite itself would have.
 */
export class Checkpoints {
  private dirty = false;
  private busy = false;
  private failed = false;
  private worker: Worker | null = null;
  private idleTimer: NodeJS.Timeout | null = null;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly file: string, private readonly inline: () => void) {
    this.timer = setInterval(() => this.check(), CHECK_EVERY_MS);
    this.timer.unref();
  }

  wrote(): void {
    this.dirty = true;
  }

  private check(): void {
    if (!this.dirty || this.busy) return;
    this.dirty = false;
    let size = 0;
    try {
      size = statSync(`${this.file}-wal`).size;
    } catch {
      return;
    }
    if (size < CHECKPOINT_BYTES) return;
    if (this.failed) {
      this.inline();
      return;
    }
    this.busy = true;
    try {
      const worker = this.workerNow();
      if (this.idleTimer) clearTimeout(this.idleTimer);
      worker.once('message', () => {
        this.busy = false;
        this.idleTimer = setTimeout(() => this.stopWorker(), WORKER_IDLE_MS);
        this.idleTimer.unref();
      });
      worker.postMessage('checkpoint');
    } catch {
      this.failed = true;
      this.busy = false;
      this.inline();
    }
  }

  private workerNow(): Worker {
    if (!this.worker) {
      // Compiled, the worker sits beside this file; run from TypeScript sources (tests) it does not.
      const script = new URL('./sqlite-checkpointer.js', import.meta.url);
      if (!existsSync(fileURLToPath(script))) throw new Error('no checkpoint worker script');
      const worker = new Worker(script, {
        workerData: { file: this.file },
        resourceLimits: { maxOldGenerationSizeMb: 8, maxYoungGenerationSizeMb: 2 },
      });
      worker.unref();
      worker.on('error', () => {
        // From now on checkpoints run here: a worker that failed once is not tried again.
        this.failed = true;
        if (this.worker === worker) this.worker = null;
        this.busy = false;
      });
      worker.on('exit', () => {
        if (this.worker === worker) this.worker = null;
      });
      this.worker = worker;
    }
    return this.worker;
  }

  private stopWorker(): void {
    const worker = this.worker;
    if (!worker || this.busy) return;
    this.worker = null;
    worker.postMessage('close');
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    if (this.idleTimer) clearTimeout(this.idleTimer);
    const worker = this.worker;
    this.worker = null;
    if (worker) await worker.terminate();
  }
}
