import { describe, expect, it } from 'vitest';
import type { BusEvent } from '../model.js';
import type { EventQuery } from '../ports.js';
import { loadEvents, type WorkloadReads } from './inputs.js';

const HOUR = 3_600_000;

function repos(events: BusEvent[]) {
  let scanned = 0;
  const r = {
    events: {
      lastId: async () => events[events.length - 1]?.id ?? 0,
      list: async (_org: string, q: EventQuery = {}) => {
        const out = events.filter((e) => e.id > (q.afterId ?? 0) && (!q.types || q.types.includes(e.type))).slice(0, q.limit ?? 1000);
        scanned += out.length;
        return out;
      },
    },
  } as unknown as WorkloadReads;
  return { r, scanned: () => scanned };
}

describe('loading events for a snapshot run', () => {
  it('reads only the events since the start of the range (less one action session), not all history', async () => {
    const events: BusEvent[] = Array.from({ length: 5000 }, (_, i) => ({
      id: i + 1, orgId: 'o', type: i % 2 ? 'task.created' : 'task.resolved', at: i * HOUR, actor: 'a', subject: null, data: {},
    }));
    const { r, scanned } = repos(events);
    const got = await loadEvents(r, 'o', 4990 * HOUR);
    expect(got.map((e) => e.at / HOUR)).toEqual([4990, 4991, 4992, 4993, 4994, 4995, 4996, 4997, 4998, 4999]);
    expect(scanned()).toBeLessThan(100);
  });

  it('copes with an org without events', async () => {
    expect(await loadEvents(repos([]).r, 'o', 0)).toEqual([]);
  });
});

describe('loading tasks for a snapshot run', () => {
  it('pages past the store\'s 100,000-row limit', async () => {
    const { loadTasks } = await import('./inputs.js');
    const ids = Array.from({ length: 250_000 }, (_, i) => `tsk_${String(i).padStart(7, '0')}`);
    const r = {
      tasks: {
        list: async (_o: string, f: { before?: string; limit?: number; status?: unknown }) => {
          if (f.status) return [];
          const below = f.before ? ids.filter((id) => id < f.before!) : ids;
          return below.slice(-(f.limit ?? 100)).reverse().map((id) => ({ id }));
        },
      },
    } as unknown as WorkloadReads;
    expect((await loadTasks(r, 'o', 0)).length).toBe(250_000);
  });
});
