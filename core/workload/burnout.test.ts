import { describe, expect, it } from 'vitest';
import { burnoutScore, FACTORS, scoreSeries, trendOf } from './burnout.js';
import type { WorkloadSnapshot } from './snapshots.js';

function snap(day: number, over: Partial<WorkloadSnapshot> = {}): WorkloadSnapshot {
  return {
    memberId: 'm1', teamId: 't', day: `2026-03-${String(day).padStart(2, '0')}`, timeZone: 'UTC', activeTasks: 2,
    maxConcurrent: 5, hoursInside: 5, hoursOutside: 0, capacityHours: 8, utilization: 0.6, pages: 0, p1Assignments: 0,
    approvalsOutOfHours: 0, interruptions: 0, onCall: false, onCallHours: 0, afterHoursWork: false,
    consecutiveOnCallDays: 0, consecutiveAfterHoursDays: 0, defaults: [], partial: false, ...over,
  };
}
const days = (n: number, over: Partial<WorkloadSnapshot> = {}) => Array.from({ length: n }, (_, i) => snap(i + 1, over));

describe('burnout risk', () => {
  it('weights add up to 100 so the score is a share of the worst case', () => {
    expect(FACTORS.reduce((a, f) => a + f.weight, 0)).toBe(100);
  });

  it('is 0 for a sustainable fortnight', () => {
    const s = burnoutScore(days(14));
    expect(s.score).toBe(0);
    expect(s.factors.every((f) => f.points === 0)).toBe(true);
  });

  it('is high for someone working nights, paged daily, over capacity, on call for two weeks', () => {
    const s = burnoutScore(days(14, {
      hoursOutside: 2.5, utilization: 1.4, interruptions: 2, activeTasks: 8,
      consecutiveOnCallDays: 14, consecutiveAfterHoursDays: 14,
    }).map((d, i) => ({ ...d, consecutiveOnCallDays: i + 1, consecutiveAfterHoursDays: i + 1 })));
    expect(s.score).toBe(100);
  });

  it('shows each factor\'s contribution, and they add up to the score', () => {
    const s = burnoutScore(days(14, { hoursOutside: 1, utilization: 1.05 }));
    const afterHours = s.factors.find((f) => f.key === 'afterHours')!;
    expect(afterHours).toMatchObject({ value: 1, normalized: 0.5, points: 12.5, weight: 25 });
    expect(afterHours.explanation).toContain('12.5 of 25');
    const utilization = s.factors.find((f) => f.key === 'utilization')!;
    expect(utilization.points).toBe(10);
    expect(s.score).toBe(Math.round(s.factors.reduce((a, f) => a + f.points, 0)));
  });

  it('does not inflate a new member\'s first page into a weekly rate', () => {
    const s = burnoutScore([snap(1, { interruptions: 2 })]);
    expect(s.factors.find((f) => f.key === 'interruptions')!.value).toBe(2);
  });

  it('tells a rising trend from a steady one', () => {
    const rising = scoreSeries(days(14).map((d, i) => ({ ...d, hoursOutside: i * 0.2 })));
    expect(trendOf(rising).direction).toBe('rising');
    expect(trendOf(scoreSeries(days(14))).direction).toBe('steady');
  });
});
