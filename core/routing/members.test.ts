import { describe, it, expect } from 'vitest';
import type { Member } from '../model.js';
import { availableFrom, chooseMember, type Candidate, type ChooseOptions } from './members.js';
import { icsBusy, mergeBusy } from './ics.js';

// Wednesday 2026-11-25 15:00 UTC = 10:00 in New York, 16:00 in Berlin, 00:00 (Thu) in Tokyo
const NOW = Date.UTC(2026, 10, 25, 15, 0);
const HOUR = 3_600_000;
const nineToFive = { start: '09:00', end: '17:00', days: [1, 2, 3, 4, 5] };

function member(id: string, over: Partial<Member> = {}): Member {
  return {
    id, orgId: 'o', teamId: 't', name: id, email: null, skills: {}, timezone: 'America/New_York', workingHours: nineToFive,
    capacity: 5, calendarUrl: null, onCall: false, active: true, createdAt: 0, ...over,
  };
}

function cand(m: Member, over: Partial<Candidate> = {}): Candidate {
  return { member: m, activeTasks: 0, busy: [], lastAssignedAt: null, ...over };
}

const opts = (over: Partial<ChooseOptions> = {}): ChooseOptions => ({ now: NOW, urgent: false, skills: [], team: null, ...over });

describe('availableFrom: working hours in the member’s zone, minus out-of-office', () => {
  it('is now during working hours', () => {
    expect(availableFrom(member('ny'), null, [], NOW)).toBe(NOW);
  });

  it('is the next morning after hours, in the member’s own zone', () => {
    const tokyo = member('tk', { timezone: 'Asia/Tokyo' });
    // Thursday 09:00 in Tokyo = Thursday 00:00 UTC
    expect(availableFrom(tokyo, null, [], NOW)).toBe(Date.UTC(2026, 10, 26, 0, 0));
  });

  it('skips an out-of-office interval', () => {
    const busy: [number, number][] = [[NOW - HOUR, NOW + 2 * HOUR]];
    expect(availableFrom(member('ny'), null, busy, NOW)).toBe(NOW + 2 * HOUR);
  });

  it('falls back to the team’s hours and skips team holidays', () => {
    const m = member('x', { timezone: null, workingHours: null });
    const team = { name: 't', timezone: 'UTC', workingHours: nineToFive, holidays: ['2026-11-26'] };
    // after 17:00 UTC Wednesday; Thursday is a holiday → Friday 09:00 UTC
    expect(availableFrom(m, team, [], Date.UTC(2026, 10, 25, 18))).toBe(Date.UTC(2026, 10, 27, 9));
  });

  it('with no working hours anywhere is always available', () => {
    expect(availableFrom(member('x', { timezone: null, workingHours: null }), null, [], NOW)).toBe(NOW);
  });
});

describe('chooseMember', () => {
  it('picks the member with the most room', () => {
    const c = chooseMember([cand(member('a'), { activeTasks: 3 }), cand(member('b'), { activeTasks: 1 })], opts());
    expect(c.memberId).toBe('b');
    expect(c.reason).toMatch(/available now; most room \(4 of 5\)/);
  });

  it('requires the skills a rule or the classifier asked for', () => {
    const c = chooseMember(
      [cand(member('a', { skills: { postgres: 2 } }), { activeTasks: 4 }), cand(member('b', { skills: { linux: 5 } }))],
      opts({ skills: ['postgres'] }),
    );
    expect(c.memberId).toBe('a');
    expect(c.assessments.find((x) => x.memberId === 'b')!.note).toMatch(/lacks postgres/);
  });

  it('when nobody has every skill, takes the closest match and says so', () => {
    const c = chooseMember(
      [cand(member('a', { skills: { postgres: 5 } })), cand(member('b', { skills: { linux: 1 } }))],
      opts({ skills: ['postgres', 'linux'] }),
    );
    expect(c.memberId).toBe('a'); // half the skills at level 5 (0.5) beats the other half at level 1 (0.1)
    expect(c.reason).toMatch(/nobody has all of postgres, linux; closest match/);
  });

  it('never exceeds the maximum of concurrent tasks', () => {
    const c = chooseMember([cand(member('a', { capacity: 2 }), { activeTasks: 2 })], opts());
    expect(c.memberId).toBeNull();
    expect(c.reason).toMatch(/at capacity/);
  });

  it('skips inactive members', () => {
    const c = chooseMember([cand(member('a', { active: false })), cand(member('b'), { activeTasks: 4 })], opts());
    expect(c.memberId).toBe('b');
  });

  it('prefers someone available now over someone with more room later', () => {
    const c = chooseMember([cand(member('tokyo', { timezone: 'Asia/Tokyo' })), cand(member('ny'), { activeTasks: 4 })], opts());
    expect(c.memberId).toBe('ny');
  });

  it('for a task that can wait, takes the soonest available when nobody is at work', () => {
    const tokyo = member('tokyo', { timezone: 'Asia/Tokyo' }); // starts at 00:00 UTC
    const berlin = member('berlin', { timezone: 'Europe/Berlin' }); // starts at 08:00 UTC
    const late = NOW + 4 * HOUR; // 19:00 UTC: everyone is off
    const c = chooseMember([cand(berlin), cand(tokyo)], opts({ now: late }));
    expect(c.memberId).toBe('tokyo');
    expect(c.reason).toMatch(/^soonest available/);
  });

  it('for urgent work, someone on call counts as available now, unless out of office', () => {
    const late = NOW + 4 * HOUR;
    const onCall = member('oncall', { onCall: true, timezone: 'Europe/Berlin' });
    expect(chooseMember([cand(member('tokyo', { timezone: 'Asia/Tokyo' })), cand(onCall)], opts({ now: late, urgent: true })).memberId).toBe('oncall');
    const away = cand(onCall, { busy: [[late - HOUR, late + HOUR]] });
    const c = chooseMember([cand(member('tokyo', { timezone: 'Asia/Tokyo' })), away], opts({ now: late, urgent: true }));
    expect(c.memberId).toBe('tokyo');
    expect(c.reason).toMatch(/nobody is available now/);
  });

  it('counts the workload penalty against room', () => {
    const c = chooseMember(
      [cand(member('tired'), { penalty: { penalty: 0.8, reason: '4/5 tasks, burnout 80/100 (high)' } }), cand(member('fresh'), { activeTasks: 2 })],
      opts(),
    );
    expect(c.memberId).toBe('fresh');
    expect(c.assessments.find((a) => a.memberId === 'tired')).toMatchObject({ room: 1, penalty: 0.8 });
  });

  it('breaks ties round robin: whoever was assigned least recently', () => {
    const members = ['a', 'b', 'c'].map((id) => member(id));
    const last = new Map<string, number>();
    const picks: string[] = [];
    for (let i = 0; i < 6; i++) {
      const c = chooseMember(members.map((m) => cand(m, { lastAssignedAt: last.get(m.id) ?? null })), opts());
      picks.push(c.memberId!);
      last.set(c.memberId!, i);
    }
    expect(picks).toEqual(['a', 'b', 'c', 'a', 'b', 'c']);
  });

  it('says so when the team has nobody', () => {
    expect(chooseMember([], opts())).toMatchObject({ memberId: null, reason: 'the team has no active members' });
  });
});

describe('icsBusy: out-of-office from an iCalendar file', () => {
  const ics = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'BEGIN:VEVENT',
    'SUMMARY:Vacation',
    'DTSTART;VALUE=DATE:20261125',
    'DTEND;VALUE=DATE:20261127',
    'END:VEVENT',
    'BEGIN:VEVENT',
    'SUMMARY:Dentist\\, downtown',
    'DTSTART;TZID=Europe/Berlin:20261201T100000',
    'DURATION:PT1H30M',
    'END:VEVENT',
    'BEGIN:VEVENT',
    'SUMMARY:Focus time (free)',
    'TRANSP:TRANSPARENT',
    'DTSTART:20261125T150000Z',
    'DTEND:20261125T160000Z',
    'END:VEVENT',
    'BEGIN:VEVENT',
    'SUMMARY:Weekly offsite',
    'DTSTART:20261202T090000Z',
    'DTEND:20261202T170000Z',
    'RRULE:FREQ=WEEKLY;COUNT=3',
    'EXDATE:20261209T090000Z',
    'BEGIN:VALARM',
    'TRIGGER:-PT15M',
    'END:VALARM',
    'END:VEVENT',
    'END:VCALENDAR',
  ].join('\r\n');

  it('reads all-day, zoned and UTC events, skips free time, expands recurrences', () => {
    const busy = icsBusy(ics, NOW - 30 * 24 * HOUR, NOW + 60 * 24 * HOUR, 'America/New_York');
    expect(busy.map((b) => [b.summary, new Date(b.from).toISOString(), new Date(b.to).toISOString()])).toEqual([
      ['Vacation', '2026-11-25T05:00:00.000Z', '2026-11-27T05:00:00.000Z'],
      ['Dentist, downtown', '2026-12-01T09:00:00.000Z', '2026-12-01T10:30:00.000Z'],
      ['Weekly offsite', '2026-12-02T09:00:00.000Z', '2026-12-02T17:00:00.000Z'],
      ['Weekly offsite', '2026-12-16T09:00:00.000Z', '2026-12-16T17:00:00.000Z'],
    ]);
  });

  it('makes a member on vacation unavailable until it ends', () => {
    const busy = mergeBusy(icsBusy(ics, NOW - 24 * HOUR, NOW + 30 * 24 * HOUR, 'America/New_York'));
    // back on Friday 27th at 09:00 New York time
    expect(availableFrom(member('ny'), null, busy, NOW)).toBe(Date.UTC(2026, 10, 27, 14));
  });

  it('ignores garbage instead of failing', () => {
    expect(icsBusy('not a calendar', 0, Infinity)).toEqual([]);
    expect(icsBusy('BEGIN:VEVENT\nDTSTART:garbage\nEND:VEVENT', 0, Infinity)).toEqual([]);
  });
});
