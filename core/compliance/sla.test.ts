import { describe, it, expect } from 'vitest';
import { calendarSchema } from '../calendar/calendar.js';
import type { TaskEntity } from './entities.js';
import { pauseIntervals, slaClock } from './sla.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const at = (iso: string): number => Date.parse(iso);

function task(over: Partial<TaskEntity>): TaskEntity {
  return {
    kind: 'task', id: 't', title: '', description: '', priority: 'P1', status: 'open', team: null, teamId: null, assignee: null,
    assigneeId: null, source: 'cli', createdBy: 'x', createdAt: 0, updatedAt: 0, acknowledgedAt: null, resolvedAt: null, tags: {}, labels: {}, ...over,
  };
}

const berlinAllDay = calendarSchema.parse({ timeZone: 'Europe/Berlin', days: [0, 1, 2, 3, 4, 5, 6], hours: [{ start: '00:00', end: '24:00' }] });
const berlinOffice = calendarSchema.parse({ timeZone: 'Europe/Berlin' });
const nyOffice = calendarSchema.parse({ timeZone: 'America/New_York' });
const input = (calendar = berlinAllDay, targetMs = 2 * HOUR) => ({ clock: 'ack' as const, targetMs, calendar, pauseStates: ['waiting_on_customer'], atRisk: 0.8 });

describe('SLA clocks across clock changes', () => {
  it('counts the repeated fall-back hour once, not twice and not zero', () => {
    // Created at 02:30 CEST, acknowledged at 02:30 CET: the wall clock shows the same time, an hour apart.
    const t = task({ createdAt: at('2026-10-25T00:30:00Z'), acknowledgedAt: at('2026-10-25T01:30:00Z') });
    expect(slaClock(t, input(), at('2026-10-25T05:00:00Z'))).toMatchObject({ elapsedMs: HOUR, status: 'met' });
  });

  it('does not count the hour skipped by spring-forward', () => {
    // 01:30 CET → 03:30 CEST is one real hour although the wall clock moved two.
    const t = task({ createdAt: at('2026-03-29T00:30:00Z'), acknowledgedAt: at('2026-03-29T01:30:00Z') });
    expect(slaClock(t, input(), at('2026-03-29T05:00:00Z')).elapsedMs).toBe(HOUR);
  });

  it('keeps office-hours clocks at eight hours a day over the DST weekend', () => {
    // Friday 27 March 09:00 CET to Monday 30 March 17:00 CEST: two working days.
    const t = task({ createdAt: at('2026-03-27T08:00:00Z'), resolvedAt: at('2026-03-30T15:00:00Z'), acknowledgedAt: at('2026-03-30T15:00:00Z') });
    expect(slaClock(t, input(berlinOffice, 20 * HOUR), at('2026-04-01T00:00:00Z'))).toMatchObject({ elapsedMs: 16 * HOUR, status: 'met' });
  });

  it('never runs backwards when the team moves to another time zone', () => {
    const t = task({ createdAt: at('2026-03-06T14:00:00Z') });
    let prevBerlin = 0;
    let prevNy = 0;
    for (let now = t.createdAt; now < t.createdAt + 5 * 24 * HOUR; now += 37 * MIN) {
      const b = slaClock(t, input(berlinOffice, 100 * HOUR), now).elapsedMs;
      const n = slaClock(t, input(nyOffice, 100 * HOUR), now).elapsedMs;
      expect(b).toBeGreaterThanOrEqual(prevBerlin);
      expect(n).toBeGreaterThanOrEqual(prevNy);
      expect(b).toBeLessThanOrEqual(now - t.createdAt);
      expect(n).toBeLessThanOrEqual(now - t.createdAt);
      prevBerlin = b;
      prevNy = n;
    }
  });
});

describe('SLA clock states', () => {
  it('is at risk from 80 % of the target and breached at 100 %', () => {
    const t = task({ createdAt: 0 });
    expect(slaClock(t, input(berlinAllDay, 100 * MIN), 79 * MIN).status).toBe('running');
    expect(slaClock(t, input(berlinAllDay, 100 * MIN), 80 * MIN).status).toBe('at_risk');
    expect(slaClock(t, input(berlinAllDay, 100 * MIN), 100 * MIN)).toMatchObject({ status: 'breached', breachedAt: 100 * MIN, dueAt: null });
  });

  it('takes a resolution without acknowledgement as the end of the ack clock', () => {
    expect(slaClock(task({ createdAt: 0, resolvedAt: 30 * MIN }), input(berlinAllDay, HOUR), 2 * HOUR)).toMatchObject({ status: 'met', stoppedAt: 30 * MIN, elapsedMs: 30 * MIN });
  });

  it('reads pause spans from the status history', () => {
    const t = task({
      history: [
        { status: 'open', at: 0 }, { status: 'waiting_on_customer', at: 10 }, { status: 'waiting_on_customer', at: 15 },
        { status: 'in_progress', at: 20 }, { status: 'waiting_on_customer', at: 30 },
      ],
      pauses: [[40, 50]],
    });
    expect(pauseIntervals(t, ['waiting_on_customer'])).toEqual([[10, 20], [30, Infinity], [40, 50]]);
  });
});
