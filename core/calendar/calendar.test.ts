import { describe, it, expect } from 'vitest';
import { calendarSchema, teamCalendar } from './calendar.js';

function issuePaths(input: unknown): string[] {
  const r = calendarSchema.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => i.path.join('.'));
}

describe('calendar definitions', () => {
  it('fills defaults: Monday to Friday, 09:00-17:00, no holidays', () => {
    const cal = calendarSchema.parse({ timeZone: 'Europe/Berlin' });
    expect(cal.days).toEqual([1, 2, 3, 4, 5]);
    expect(cal.hours).toEqual([{ start: '09:00', end: '17:00' }]);
    expect(cal.holidays).toEqual([]);
  });

  it('accepts day names and a single span', () => {
    const cal = calendarSchema.parse({ timeZone: 'UTC', days: ['sat', 'Sunday', 'mon'], hours: { start: '08:00', end: '12:00' } });
    expect(cal.days).toEqual([0, 1, 6]);
    expect(cal.hours).toEqual([{ start: '08:00', end: '12:00' }]);
  });

  it('refuses a bad calendar with the path of the bad field', () => {
    expect(issuePaths({ timeZone: 'Mars/Olympus' })).toEqual(['timeZone']);
    expect(issuePaths({ timeZone: 'UTC', days: ['someday'] })).toEqual(['days.0']);
    expect(issuePaths({ timeZone: 'UTC', days: [7] })).toEqual(['days.0']);
    expect(issuePaths({ timeZone: 'UTC', days: [] })).toEqual(['days']);
    expect(issuePaths({ timeZone: 'UTC', hours: [{ start: '09:00', end: '08:00' }] })).toEqual(['hours.0.end']);
    expect(issuePaths({ timeZone: 'UTC', hours: [{ start: '09:00', end: '12:00' }, { start: '11:00', end: '13:00' }] })).toEqual(['hours.1.start']);
    expect(issuePaths({ timeZone: 'UTC', hours: [{ start: '9am', end: '17:00' }] })).toEqual(['hours.0.start']);
    expect(issuePaths({ timeZone: 'UTC', holidays: ['2026-12-25', '2026-13-01'] })).toEqual(['holidays.1']);
    expect(issuePaths({ timeZone: 'UTC', weekends: true })).toEqual(['']);
  });
});

describe('a team calendar', () => {
  it('uses the team zone, hours and holidays', () => {
    const cal = teamCalendar({ name: 'dba', timezone: 'Europe/Berlin', workingHours: { start: '09:00', end: '17:00', days: [1, 2, 3, 4, 5] }, holidays: ['2026-12-25'] });
    expect(cal).toEqual({ name: 'team:dba', timeZone: 'Europe/Berlin', days: [1, 2, 3, 4, 5], hours: [{ start: '09:00', end: '17:00' }], holidays: ['2026-12-25'] });
  });

  it('is round the clock without working hours, and splits a night shift at midnight', () => {
    expect(teamCalendar({ name: 'sre', timezone: null, workingHours: null, holidays: [] }).hours).toEqual([{ start: '00:00', end: '24:00' }]);
    const night = teamCalendar({ name: 'noc', timezone: 'UTC', workingHours: { start: '22:00', end: '06:00', days: [1] }, holidays: [] });
    expect(night.hours).toEqual([{ start: '00:00', end: '06:00' }, { start: '22:00', end: '24:00' }]);
  });
});
