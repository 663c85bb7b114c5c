import type { Leases } from '../core/ports.js';
import type { Logger } from './log.js';

export interface Loop {
  stop(): void;
}

/**
 * Runs `work` every `everyMs` on whichever daemon holds the lease `name` (every daemon, when embedded,
 * holds it). The lease outlives three periods, so a holder that dies hands over within that time.
 * A run still going when the next tick comes is not started twice.
 */
export function leasedLoop(opts: { name: string; everyMs: number; firstInMs?: number; leases: Leases; log: Logger; work: (fence: number) => Promise<void> }): Loop {
  let running = false;
  let stopped = false;
  const tick = async (): Promise<void> => {
    if (running || stopped) return;
    running = true;
    try {
      const lease = await opts.leases.acquire(opts.name, leaseTtl(opts.everyMs));
      if (lease) await opts.work(lease.fence);
    } catch (err) {
      opts.log.warn(`${opts.name} failed`, { error: (err as Error).message });
    } finally {
      running = false;
    }
  };
  const first = setTimeout(() => void tick(), opts.firstInMs ?? opts.everyMs);
  const every = setInterval(() => void tick(), opts.everyMs);
  first.unref();
  every.unref();
  return {
    stop() {
      stopped = true;
      clearTimeout(first);
      clearInterval(every);
      void opts.leases.release(opts.name);
    },
  };
}

/** How long a periodic job's lease lasts: a few periods, within bounds, so a dead holder hands over soon. */
export function leaseTtl(periodMs: number): number {
  return Math.min(10 * 60_000, Math.max(5_000, periodMs * 3));
}

/**
 * Runs one round of periodic work only if this daemon holds (or takes) the lease `name`. In scaled mode
 * that makes one daemon at a time do it; embedded, the lease is always granted.
 */
export async function underLease(leases: Leases, name: string, periodMs: number, work: () => Promise<unknown>): Promise<void> {
  const lease = await leases.acquire(name, leaseTtl(periodMs));
  if (lease) await work();
}
