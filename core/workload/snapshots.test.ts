import { describe, expect, it } from 'vitest';
import { buildHistories } from './history.js';
import { resolveProfile } from './profile.js';
import { computeSnapshots } from './snapshots.js';
import { at, member, task } from './test-helpers.js';

const NY = { timezone: 'America/New_York' };

function snapshotsFor(m: ReturnType<typeof member>, tasks: ReturnType<typeof task>[], from: string, to: string, extra = {}) {
  const now = at('2026-04-01T00:00:00Z');
  return computeSnapshots({
    profiles: [resolveProfile(m)],
    histories: buildHistories({ tasks, events: [], now, ...extra }),
    from,
    to,
    now,
  });
}

describe('daily snapshots', () => {
  it('splits work into inside and outside working hours in the member\'s own zone', () => {
    // Monday 2026-03-02 in New York (UTC-5): 10:00-12:00 local is inside, 22:00-23:30 (a P1) outside.
    const tasks = [
      task('t1', { assigneeId: 'm1', createdAt: at('2026-03-02T14:30:00Z'), acknowledgedAt: at('2026-03-02T15:00:00Z'), resolvedAt: at('2026-03-02T17:00:00Z') }),
      task('t2', { priority: 'P1', assigneeId: 'm1', createdAt: at('2026-03-03T03:00:00Z'), acknowledgedAt: at('2026-03-03T03:00:00Z'), resolvedAt: at('2026-03-03T04:30:00Z') }),
    ];
    const [day] = snapshotsFor(member('m1', NY), tasks, '2026-03-02', '2026-03-02');
    expect(day).toMatchObject({
      day: '2026-03-02',
      timeZone: 'America/New_York',
      activeTasks: 2,
      hoursInside: 2,
      hoursOutside: 1.5,
      capacityHours: 8,
      utilization: 0.44,
      p1Assignments: 1,
      pages: 1, // a P1 assigned at 22:00 local is a page
      afterHoursWork: true,
      onCall: true,
    });
  });

  it('does not count ordinary tasks left open overnight as night work', () => {
    const tasks = [task('t1', { assigneeId: 'm1', createdAt: at('2026-03-02T09:00:00Z'), acknowledgedAt: at('2026-03-02T09:00:00Z'), resolvedAt: at('2026-03-03T11:00:00Z') })];
    const days = snapshotsFor(member('m1'), tasks, '2026-03-02', '2026-03-03');
    expect(days.map((d) => [d.hoursInside, d.hoursOutside])).toEqual([[8, 0], [2, 0]]);
  });

  it('gives a day off no capacity and no utilization, so weekend work is all after-hours', () => {
    const tasks = [task('t1', { priority: 'P1', assigneeId: 'm1', createdAt: at('2026-03-07T10:00:00Z'), acknowledgedAt: at('2026-03-07T10:00:00Z'), resolvedAt: at('2026-03-07T13:00:00Z') })];
    const [sat] = snapshotsFor(member('m1'), tasks, '2026-03-07', '2026-03-07');
    expect(sat).toMatchObject({ capacityHours: 0, utilization: null, hoursInside: 0, hoursOutside: 3 });
  });

  it('knows that a local day around a DST change is not 24 hours long', () => {
    // 2026-03-08 is the spring-forward Sunday in New York: an on-call shift over the whole local day is 23 hours.
    const events = [{ id: 1, orgId: 'org_1', type: 'member.on_call', at: 0, actor: 'system', subject: 'm1',
      data: { memberId: 'm1', start: at('2026-03-07T00:00:00Z'), end: at('2026-03-10T00:00:00Z') } }];
    const days = snapshotsFor(member('m1', NY), [], '2026-03-07', '2026-03-08', { events });
    expect(days.map((d) => d.onCallHours)).toEqual([24, 23]);
  });

  it('counts consecutive after-hours days and resets the streak on a quiet day', () => {
    const night = (d: string) => task(`t${d}`, { priority: 'P1', assigneeId: 'm1', createdAt: at(`${d}T20:00:00Z`), acknowledgedAt: at(`${d}T20:00:00Z`), resolvedAt: at(`${d}T21:00:00Z`) });
    const tasks = ['2026-03-02', '2026-03-03', '2026-03-04', '2026-03-06'].map(night);
    const days = snapshotsFor(member('m1'), tasks, '2026-03-02', '2026-03-06');
    expect(days.map((d) => d.consecutiveAfterHoursDays)).toEqual([1, 2, 3, 0, 1]);
    expect(days.map((d) => d.consecutiveOnCallDays)).toEqual([1, 2, 3, 0, 1]);
  });

  it('continues streaks from the day before a backfill piece', () => {
    const days = snapshotsFor(member('m1'), [task('t', { priority: 'P1', assigneeId: 'm1', createdAt: at('2026-03-02T20:00:00Z'), acknowledgedAt: at('2026-03-02T20:00:00Z'), resolvedAt: at('2026-03-02T21:00:00Z') })], '2026-03-02', '2026-03-02');
    expect(days[0]!.consecutiveAfterHoursDays).toBe(1);
    const now = at('2026-04-01T00:00:00Z');
    const seeded = computeSnapshots({
      profiles: [resolveProfile(member('m1'))],
      histories: buildHistories({ tasks: [task('t', { priority: 'P1', assigneeId: 'm1', createdAt: at('2026-03-02T20:00:00Z'), acknowledgedAt: at('2026-03-02T20:00:00Z'), resolvedAt: at('2026-03-02T21:00:00Z') })], events: [], now }),
      from: '2026-03-02', to: '2026-03-02', now,
      previous: new Map([['m1', { consecutiveOnCallDays: 0, consecutiveAfterHoursDays: 4 }]]),
    });
    expect(seeded[0]!.consecutiveAfterHoursDays).toBe(5);
  });

  it('counts approvals asked out of hours, not those asked during the day', () => {
    const events = [
      { id: 1, orgId: 'org_1', type: 'action.awaiting_approval', at: at('2026-03-02T10:00:00Z'), actor: 'system', subject: null, data: { approverId: 'm1' } },
      { id: 2, orgId: 'org_1', type: 'action.awaiting_approval', at: at('2026-03-02T23:00:00Z'), actor: 'system', subject: null, data: { approverId: 'm1' } },
    ];
    const [day] = snapshotsFor(member('m1'), [], '2026-03-02', '2026-03-02', { events });
    expect(day!.approvalsOutOfHours).toBe(1);
    expect(day!.interruptions).toBe(1);
  });

  it('shows defaults for a member without zone or hours instead of failing', () => {
    const [day] = snapshotsFor(member('m1', { timezone: null, workingHours: null }), [], '2026-03-02', '2026-03-02');
    expect(day!.defaults).toEqual(['timeZone', 'workingHours']);
    expect(day!.capacityHours).toBe(8);
  });

  it('returns nothing for a reversed or malformed range', () => {
    expect(snapshotsFor(member('m1'), [], '2026-03-05', '2026-03-02')).toEqual([]);
    expect(snapshotsFor(member('m1'), [], 'yesterday', '2026-03-02')).toEqual([]);
  });
});
