/**
 * The durable job queue port. Embedded mode keeps jobs in the store (server/jobs); scaled mode puts
 * BullMQ behind the same interface. Delivery is at least once: a job whose worker died is handed out
 * again, so handlers must be safe to call twice (the healing engine is, through its step records).
 */

export interface Job {
  id: string;
  orgId: string;
  kind: string;
  payload: unknown;
  /** Epoch ms before which the job is not handed out. */
  runAt: number;
  /** How many times a worker has taken it, this time included. */
  attempts: number;
}

export interface EnqueueOptions {
  runAt?: number;
  /** While a job with this key is queued or running, enqueueing another with the same key does nothing. */
  key?: string;
}

export type JobHandler = (job: Job) => Promise<void>;

export interface JobQueue {
  /** Returns the job id (the existing one when `key` matched a waiting job). */
  enqueue(orgId: string, kind: string, payload: unknown, options?: EnqueueOptions): Promise<string>;
  /** Registers the handler for one kind; call before start. */
  handle(kind: string, handler: JobHandler): void;
  /** Starts taking jobs, first re-queueing those a dead worker held. */
  start(): Promise<void>;
  /** Stops taking jobs and waits for the running ones to finish. */
  close(): Promise<void>;
}
