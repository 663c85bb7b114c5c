import { describe, it, expect } from 'vitest';
import { HOUR_MS, MINUTE_MS, isValidTimeZone, localDayOf, localToUtc, offsetAt, parseClockTime, parseDayKey, weekdayOf } from './zone.js';

const wall = (iso: string): number => Date.parse(`${iso}Z`); // a wall-clock reading, UTC-encoded

describe('zone offsets from Intl', () => {
  it('knows winter and summer time', () => {
    expect(offsetAt('Europe/Berlin', Date.parse('2026-01-15T12:00:00Z'))).toBe(1 * HOUR_MS);
    expect(offsetAt('Europe/Berlin', Date.parse('2026-07-15T12:00:00Z'))).toBe(2 * HOUR_MS);
    expect(offsetAt('America/New_York', Date.parse('2026-01-15T12:00:00Z'))).toBe(-5 * HOUR_MS);
    expect(offsetAt('Asia/Kolkata', Date.parse('2026-01-15T12:00:00Z'))).toBe(5.5 * HOUR_MS);
    expect(offsetAt('UTC', 0)).toBe(0);
  });

  it('changes offset exactly at the transition instant', () => {
    // EU summer time starts 2026-03-29 at 01:00 UTC.
    expect(offsetAt('Europe/Berlin', Date.parse('2026-03-29T00:59:59Z'))).toBe(HOUR_MS);
    expect(offsetAt('Europe/Berlin', Date.parse('2026-03-29T01:00:00Z'))).toBe(2 * HOUR_MS);
  });

  it('refuses unknown zones', () => {
    expect(isValidTimeZone('Europe/Berlin')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus')).toBe(false);
    expect(isValidTimeZone('')).toBe(false);
  });
});

describe('wall clock to instant', () => {
  it('maps an ordinary wall time', () => {
    expect(localToUtc('Europe/Berlin', wall('2026-01-15T09:00:00'))).toBe(Date.parse('2026-01-15T08:00:00Z'));
    expect(localToUtc('America/New_York', wall('2026-07-01T09:00:00'))).toBe(Date.parse('2026-07-01T13:00:00Z'));
  });

  it('moves a time skipped by spring-forward to the moment of the jump', () => {
    // 02:30 does not exist in Berlin on 2026-03-29: the clock jumps from 02:00 CET to 03:00 CEST at 01:00 UTC.
    expect(localToUtc('Europe/Berlin', wall('2026-03-29T02:30:00'))).toBe(Date.parse('2026-03-29T01:00:00Z'));
    expect(localToUtc('Europe/Berlin', wall('2026-03-29T03:00:00'))).toBe(Date.parse('2026-03-29T01:00:00Z'));
  });

  it('takes the first of two readings repeated by fall-back', () => {
    // 02:30 happens twice in Berlin on 2026-10-25: first at 00:30 UTC (CEST), then at 01:30 UTC (CET).
    expect(localToUtc('Europe/Berlin', wall('2026-10-25T02:30:00'))).toBe(Date.parse('2026-10-25T00:30:00Z'));
  });

  it('never goes backwards as the wall clock moves forward', () => {
    for (const zone of ['Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'America/Santiago']) {
      for (const start of ['2026-03-07T00:00:00', '2026-03-28T00:00:00', '2026-10-03T00:00:00', '2026-10-31T00:00:00', '2026-04-04T00:00:00']) {
        let prev = -Infinity;
        for (let m = 0; m < 72 * 60; m += 15) {
          const t = localToUtc(zone, wall(start) + m * MINUTE_MS);
          expect(t).toBeGreaterThanOrEqual(prev);
          prev = t;
        }
      }
    }
  });
});

describe('days and clock times', () => {
  it('places instants on their local day', () => {
    const t = Date.parse('2026-01-15T23:30:00Z');
    expect(localDayOf('UTC', t)).toBe(parseDayKey('2026-01-15'));
    expect(localDayOf('Europe/Berlin', t)).toBe(parseDayKey('2026-01-16'));
    expect(weekdayOf(parseDayKey('2026-01-16')!)).toBe(5); // a Friday
  });

  it('parses dates and times strictly', () => {
    expect(parseDayKey('2026-02-30')).toBeUndefined();
    expect(parseDayKey('2026-2-3')).toBeUndefined();
    expect(parseClockTime('24:00')).toBe(1440);
    expect(parseClockTime('24:30')).toBeUndefined();
    expect(parseClockTime('9:00')).toBeUndefined();
  });
});
