import { describe, expect, it } from 'vitest';
import { DEFAULT_WORKING_HOURS, resolveProfile } from './profile.js';
import { member } from './test-helpers.js';

describe('member profile', () => {
  it('uses the member\'s own time zone and hours when set', () => {
    const p = resolveProfile(member('m1', { timezone: 'Europe/Berlin', workingHours: { start: '08:00', end: '16:30', days: [1, 2, 3] } }));
    expect(p.timeZone).toBe('Europe/Berlin');
    expect(p.dailyCapacityHours).toBe(8.5);
    expect(p.defaults).toEqual([]);
  });

  it('falls back to the team, then to defaults that are named as such', () => {
    const team = { timezone: 'Asia/Tokyo', workingHours: null, holidays: ['2026-01-01'] };
    const p = resolveProfile(member('m1', { timezone: null, workingHours: null }), team);
    expect(p.timeZone).toBe('Asia/Tokyo');
    expect(p.sources.timeZone).toBe('team');
    expect(p.workingHours).toEqual(DEFAULT_WORKING_HOURS);
    expect(p.defaults).toEqual(['workingHours']);
    expect(p.holidays).toEqual(['2026-01-01']);
  });

  it('never throws on an unknown zone or malformed hours', () => {
    const p = resolveProfile(member('m1', {
      timezone: 'Mars/Olympus_Mons',
      workingHours: { start: 'nine', end: '17:00', days: [1] },
      capacity: 0,
    }));
    expect(p.timeZone).toBe('UTC');
    expect(p.defaults).toEqual(['timeZone', 'workingHours', 'capacity']);
  });
});
