import { describe, it, expect } from 'vitest';
import { ALWAYS, calendarSchema } from './calendar.js';
import { activeIntervals, businessCalendar } from './business-time.js';
import { HOUR_MS } from './zone.js';

const at = (iso: string): number => Date.parse(iso);
const office = (timeZone: string, extra: object = {}) => businessCalendar(calendarSchema.parse({ timeZone, ...extra }));
const allDay = (timeZone: string) => businessCalendar(calendarSchema.parse({ timeZone, days: [0, 1, 2, 3, 4, 5, 6], hours: [{ start: '00:00', end: '24:00' }] }));

describe('business time in office hours', () => {
  const berlin = office('Europe/Berlin', { holidays: ['2026-12-25'] });

  it('counts only working hours', () => {
    // Friday 16:00 → Monday 10:00 Berlin (CET): one hour on Friday, one on Monday.
    expect(berlin.between(at('2026-01-16T15:00:00Z'), at('2026-01-19T09:00:00Z'))).toBe(2 * HOUR_MS);
  });

  it('skips holidays', () => {
    // Thursday 24 Dec 16:00 → Monday 28 Dec 10:00: 1 h + (25th holiday) + weekend + 1 h.
    expect(berlin.between(at('2026-12-24T15:00:00Z'), at('2026-12-28T09:00:00Z'))).toBe(2 * HOUR_MS);
  });

  it('is zero for an empty or reversed interval', () => {
    expect(berlin.between(at('2026-01-16T15:00:00Z'), at('2026-01-16T15:00:00Z'))).toBe(0);
    expect(berlin.between(at('2026-01-19T09:00:00Z'), at('2026-01-16T15:00:00Z'))).toBe(0);
  });

  it('keeps eight hours a day across the DST weekends', () => {
    expect(berlin.between(at('2026-03-27T00:00:00Z'), at('2026-03-31T00:00:00Z'))).toBe(16 * HOUR_MS); // Fri + Mon
    expect(berlin.between(at('2026-10-23T00:00:00Z'), at('2026-10-27T00:00:00Z'))).toBe(16 * HOUR_MS);
    // Monday 30 March starts at 09:00 CEST = 07:00 UTC, an hour earlier in UTC than the week before.
    expect(berlin.between(at('2026-03-30T06:00:00Z'), at('2026-03-30T08:00:00Z'))).toBe(HOUR_MS);
  });

  it('finds the instant a target is reached', () => {
    // 4 business hours from Friday 15:00 CET: 2 h Friday, 2 h Monday → Monday 11:00 CET.
    expect(berlin.advance(at('2026-01-16T14:00:00Z'), 4 * HOUR_MS)).toBe(at('2026-01-19T10:00:00Z'));
    expect(berlin.advance(at('2026-01-16T14:00:00Z'), 4 * HOUR_MS, at('2026-01-19T09:30:00Z'))).toBeUndefined();
  });
});

describe('round-the-clock calendars over DST changes', () => {
  it('a spring-forward day lasts 23 hours and a fall-back day 25, never 24 twice', () => {
    const berlin = allDay('Europe/Berlin');
    const springDay = [at('2026-03-28T23:00:00Z'), at('2026-03-29T22:00:00Z')] as const; // local midnight to midnight
    const fallDay = [at('2026-10-24T22:00:00Z'), at('2026-10-25T23:00:00Z')] as const;
    expect(berlin.between(...springDay)).toBe(23 * HOUR_MS);
    expect(berlin.between(...fallDay)).toBe(25 * HOUR_MS);
    // Inside the repeated hour: 30 real minutes are 30 minutes, not 90 and not -30.
    expect(berlin.between(at('2026-10-25T00:45:00Z'), at('2026-10-25T01:15:00Z'))).toBe(HOUR_MS / 2);
  });

  it('equals wall-clock-free real time', () => {
    expect(ALWAYS.timeZone).toBe('UTC');
    expect(businessCalendar().between(at('2026-03-29T00:00:00Z'), at('2026-03-30T00:00:00Z'))).toBe(24 * HOUR_MS);
  });
});

describe('business time properties over random instants and zones', () => {
  // A small deterministic PRNG, so a failure reproduces.
  let seed = 42;
  const rand = (): number => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
  const zones = ['Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kolkata', 'America/Santiago', 'Pacific/Chatham'];
  const base = at('2026-01-01T00:00:00Z');
  const year = 365 * 24 * HOUR_MS;

  it('is never negative, never more than real time, and adds up over split intervals', () => {
    for (let i = 0; i < 400; i++) {
      const zone = zones[i % zones.length]!;
      const cal = i % 2 ? allDay(zone) : office(zone, { hours: [{ start: '01:30', end: '03:30' }, { start: '09:00', end: '17:00' }] });
      const a = base + rand() * year;
      const c = a + rand() * 20 * 24 * HOUR_MS;
      const b = a + rand() * (c - a);
      const whole = cal.between(a, c);
      expect(whole).toBeGreaterThanOrEqual(0);
      expect(whole).toBeLessThanOrEqual(c - a);
      expect(cal.between(a, b) + cal.between(b, c)).toBe(whole);
      if (i % 2) expect(whole).toBe(c - a);
    }
  });

  it('advance is the inverse of between', () => {
    for (let i = 0; i < 200; i++) {
      const cal = office(zones[i % zones.length]!);
      const from = base + rand() * year;
      const amount = Math.round(rand() * 40 * HOUR_MS);
      const until = cal.advance(from, amount)!;
      expect(until).toBeGreaterThanOrEqual(from);
      expect(cal.between(from, until)).toBe(amount);
    }
  });

  it('a calendar moved to another zone mid-clock still counts within real time', () => {
    const from = at('2026-03-06T12:00:00Z');
    const to = at('2026-03-10T12:00:00Z');
    const ny = office('America/New_York').between(from, to);
    const tokyo = office('Asia/Tokyo').between(from, to);
    for (const d of [ny, tokyo]) {
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThanOrEqual(to - from);
    }
    // Clock split at the moment of the zone change: first part in New York, the rest in Tokyo.
    const switchAt = at('2026-03-08T12:00:00Z');
    const mixed = office('America/New_York').between(from, switchAt) + office('Asia/Tokyo').between(switchAt, to);
    expect(mixed).toBeGreaterThanOrEqual(0);
    expect(mixed).toBeLessThanOrEqual(to - from);
  });
});

describe('pauses', () => {
  it('removes paused spans, merging overlaps and open pauses', () => {
    expect(activeIntervals(0, 100, [[10, 20], [15, 30], [50, 60]])).toEqual([[0, 10], [30, 50], [60, 100]]);
    expect(activeIntervals(0, 100, [[-5, 5], [90, Infinity]])).toEqual([[5, 90]]);
    expect(activeIntervals(0, 100, [[0, 100]])).toEqual([]);
    expect(activeIntervals(100, 0, [])).toEqual([]);
  });

  it('reach walks the active spans in order', () => {
    const cal = businessCalendar();
    expect(cal.reach([[0, 10], [30, 50]], 15)).toBe(35);
    expect(cal.reach([[0, 10], [30, 50]], 40)).toBeUndefined();
    expect(cal.reach([[0, 10], [30, Infinity]], 40)).toBe(60);
  });
});
