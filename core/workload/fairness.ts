/**
 * Fairness over a period: who carries the after-hours, on-call and interruption load, and how unevenly
 * a team spreads it (Gini: 0 when everyone carries the same, towards 1 when one person carries it all).
 */
import type { WorkloadSnapshot } from './snapshots.js';

export interface PersonLoad {
  memberId: string;
  teamId: string | null;
  days: number;
  hoursOutside: number;
  onCallHours: number;
  onCallDays: number;
  interruptions: number;
  pages: number;
  p1Assignments: number;
  approvalsOutOfHours: number;
  /** This person's share of the team's after-hours + on-call hours, 0..1. */
  burdenShare: number;
}

export interface TeamFairness {
  teamId: string | null;
  members: number;
  /** Gini of after-hours + on-call hours across the team's members. */
  burdenGini: number;
  interruptionsGini: number;
  /** The member carrying the most after-hours + on-call hours, if anyone carries any. */
  topCarrier: string | null;
}

export interface FairnessReport {
  from: string;
  to: string;
  people: PersonLoad[];
  teams: TeamFairness[];
}

const r2 = (x: number): number => Math.round(x * 100) / 100;

/** Gini coefficient of non-negative values; 0 for an empty or all-zero list. */
export function gini(values: readonly number[]): number {
  const n = values.length;
  if (n === 0) return 0;
  const sorted = values.slice().sort((a, b) => a - b);
  let total = 0;
  let weighted = 0;
  sorted.forEach((v, i) => {
    total += v;
    weighted += (i + 1) * v;
  });
  if (total === 0) return 0;
  return (2 * weighted) / (n * total) - (n + 1) / n;
}

/** Sums snapshots whose day lies in [from, to] per person and per team. */
export function fairness(snapshots: readonly WorkloadSnapshot[], from: string, to: string): FairnessReport {
  const people = new Map<string, PersonLoad>();
  for (const s of snapshots) {
    if (s.day < from || s.day > to) continue;
    let p = people.get(s.memberId);
    if (!p) {
      p = {
        memberId: s.memberId, teamId: s.teamId, days: 0, hoursOutside: 0, onCallHours: 0, onCallDays: 0,
        interruptions: 0, pages: 0, p1Assignments: 0, approvalsOutOfHours: 0, burdenShare: 0,
      };
      people.set(s.memberId, p);
    }
    p.days++;
    p.hoursOutside += s.hoursOutside;
    p.onCallHours += s.onCallHours;
    if (s.onCall) p.onCallDays++;
    p.interruptions += s.interruptions;
    p.pages += s.pages;
    p.p1Assignments += s.p1Assignments;
    p.approvalsOutOfHours += s.approvalsOutOfHours;
  }
  const byTeam = new Map<string | null, PersonLoad[]>();
  for (const p of people.values()) {
    p.hoursOutside = r2(p.hoursOutside);
    p.onCallHours = r2(p.onCallHours);
    const list = byTeam.get(p.teamId) ?? [];
    list.push(p);
    byTeam.set(p.teamId, list);
  }
  const teams: TeamFairness[] = [];
  for (const [teamId, list] of byTeam) {
    const burden = list.map((p) => p.hoursOutside + p.onCallHours);
    const total = burden.reduce((a, b) => a + b, 0);
    let top: PersonLoad | null = null;
    list.forEach((p, i) => {
      p.burdenShare = total > 0 ? r2(burden[i]! / total) : 0;
      if (burden[i]! > 0 && (!top || burden[i]! > top.hoursOutside + top.onCallHours)) top = p;
    });
    teams.push({
      teamId,
      members: list.length,
      burdenGini: r2(gini(burden)),
      interruptionsGini: r2(gini(list.map((p) => p.interruptions))),
      topCarrier: (top as PersonLoad | null)?.memberId ?? null,
    });
  }
  const sortedPeople = [...people.values()].sort(
    (a, b) => b.hoursOutside + b.onCallHours - (a.hoursOutside + a.onCallHours) || a.memberId.localeCompare(b.memberId),
  );
  return { from, to, people: sortedPeople, teams };
}
