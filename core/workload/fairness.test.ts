import { describe, expect, it } from 'vitest';
import { fairness, gini } from './fairness.js';
import type { WorkloadSnapshot } from './snapshots.js';

function snap(memberId: string, day: string, over: Partial<WorkloadSnapshot> = {}): WorkloadSnapshot {
  return {
    memberId, teamId: 'team_a', day, timeZone: 'UTC', activeTasks: 0, maxConcurrent: 5, hoursInside: 0, hoursOutside: 0,
    capacityHours: 8, utilization: 0, pages: 0, p1Assignments: 0, approvalsOutOfHours: 0, interruptions: 0, onCall: false,
    onCallHours: 0, afterHoursWork: false, consecutiveOnCallDays: 0, consecutiveAfterHoursDays: 0, defaults: [],
    partial: false, ...over,
  };
}

describe('fairness', () => {
  it('Gini is 0 when everyone carries the same and (n-1)/n when one carries everything', () => {
    expect(gini([3, 3, 3, 3])).toBe(0);
    expect(gini([0, 0, 0, 8])).toBeCloseTo(0.75);
    expect(gini([])).toBe(0);
    expect(gini([0, 0])).toBe(0);
  });

  it('shows who carries the after-hours and on-call load within the period only', () => {
    const snaps = [
      snap('alice', '2026-03-01', { hoursOutside: 3, onCallHours: 16, onCall: true, pages: 2, interruptions: 2 }),
      snap('alice', '2026-03-02', { hoursOutside: 1, onCallHours: 16, onCall: true }),
      snap('bob', '2026-03-01', { hoursOutside: 0 }),
      snap('bob', '2026-03-02', { hoursOutside: 0.5 }),
      snap('bob', '2026-02-20', { hoursOutside: 40 }),
    ];
    const r = fairness(snaps, '2026-03-01', '2026-03-02');
    expect(r.people.map((p) => p.memberId)).toEqual(['alice', 'bob']);
    expect(r.people[0]).toMatchObject({ hoursOutside: 4, onCallHours: 32, onCallDays: 2, pages: 2, burdenShare: 0.99 });
    expect(r.teams[0]).toMatchObject({ teamId: 'team_a', members: 2, topCarrier: 'alice' });
    expect(r.teams[0]!.burdenGini).toBeGreaterThan(0.4);
  });
});
