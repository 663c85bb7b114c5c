/**
 * What the workload commands show, computed from stored snapshots: the org or a team at a glance, one
 * member in depth, the capacity forecast, fairness over a period. Read-only.
 */
import { DAY_MS, dayKey, localDayOf } from '../calendar/zone.js';
import { notFound } from '../errors.js';
import type { Member, Team } from '../model.js';
import type { Repos } from '../ports.js';
import { burnoutScore, scoreSeries, trendOf, WINDOW_DAYS, type FactorContribution, type Trend } from './burnout.js';
import { byMember } from './engine.js';
import { fairness, type FairnessReport } from './fairness.js';
import { dailyCounts, forecastTeam, type TeamForecast } from './forecast.js';
import { THRESHOLDS, type RiskLevel } from './levels.js';
import type { WorkloadAlert } from './ports.js';
import { resolveProfile, type DefaultedField, type MemberProfile } from './profile.js';
import type { WorkloadSnapshot } from './snapshots.js';

const r2 = (x: number): number => Math.round(x * 100) / 100;

export interface MemberRow {
  memberId: string;
  name: string;
  team: string | null;
  day: string | null;
  activeTasks: number;
  maxConcurrent: number;
  /** Averages and sums over the last 7 days of snapshots. */
  utilization: number | null;
  hoursOutside7d: number;
  interruptions7d: number;
  onCall: boolean;
  score: number | null;
  level: RiskLevel;
  topFactor: string | null;
  defaults: DefaultedField[];
}

export interface TeamRow {
  teamId: string | null;
  team: string;
  members: number;
  utilization: number | null;
  hoursOutside14d: number;
  burdenGini: number;
  atRisk: number;
}

export interface WorkloadOverview {
  asOf: string | null;
  members: MemberRow[];
  teams: TeamRow[];
}

export interface MemberDetail {
  memberId: string;
  name: string;
  team: string | null;
  timeZone: string;
  workingHours: MemberProfile['workingHours'];
  defaults: DefaultedField[];
  sources: MemberProfile['sources'];
  /** From the latest snapshot. */
  activeTasks: number;
  maxConcurrent: number;
  /** Mean utilization over the last 7 days of snapshots (working days). */
  utilization: number | null;
  score: number | null;
  level: RiskLevel;
  thresholds: typeof THRESHOLDS;
  factors: FactorContribution[];
  trend: Trend;
  recent: WorkloadSnapshot[];
  alerts: WorkloadAlert[];
}

type ViewRepos = Pick<Repos, 'members' | 'teams' | 'tasks' | 'workload'>;

async function findTeam(repos: ViewRepos, orgId: string, idOrName: string): Promise<Team> {
  const team = await repos.teams.find(orgId, idOrName);
  if (!team) throw notFound('team', idOrName);
  return team;
}

function mean(xs: number[]): number | null {
  return xs.length === 0 ? null : r2(xs.reduce((a, b) => a + b, 0) / xs.length);
}

/** The org (or one team) at a glance: each member's load and risk, each team's spread. */
export async function overview(repos: ViewRepos, orgId: string, now: number, teamName?: string): Promise<WorkloadOverview> {
  const team = teamName ? await findTeam(repos, orgId, teamName) : null;
  const today = Math.floor(now / DAY_MS);
  const [members, teams, states, snaps] = await Promise.all([
    repos.members.list(orgId, team ? { teamId: team.id } : {}),
    repos.teams.list(orgId),
    repos.workload.riskStates(orgId),
    repos.workload.listSnapshots(orgId, { from: dayKey(today - WINDOW_DAYS), ...(team ? { teamId: team.id } : {}) }),
  ]);
  const teamName_ = new Map(teams.map((t) => [t.id, t.name]));
  const stateOf = new Map(states.map((s) => [s.memberId, s]));
  const grouped = byMember(snaps);
  const rows: MemberRow[] = [];
  for (const m of members.filter((x) => x.active)) {
    const list = grouped.get(m.id) ?? [];
    const last = list[list.length - 1];
    const week = list.slice(-7);
    const scored = list.length > 0 ? burnoutScore(list.slice(-WINDOW_DAYS), { explain: false }) : null;
    const top = scored?.factors.filter((f) => f.points > 0).sort((a, b) => b.points - a.points)[0];
    rows.push({
      memberId: m.id,
      name: m.name,
      team: m.teamId ? teamName_.get(m.teamId) ?? null : null,
      day: last?.day ?? null,
      activeTasks: last?.activeTasks ?? 0,
      maxConcurrent: last?.maxConcurrent ?? m.capacity,
      utilization: mean(week.flatMap((s) => (s.utilization === null ? [] : [s.utilization]))),
      hoursOutside7d: r2(week.reduce((a, s) => a + s.hoursOutside, 0)),
      interruptions7d: week.reduce((a, s) => a + s.interruptions, 0),
      onCall: m.onCall || (last?.onCall ?? false),
      score: scored?.score ?? null,
      level: stateOf.get(m.id)?.level ?? 'ok',
      topFactor: top ? top.key : null,
      defaults: last?.defaults ?? resolveProfile(m).defaults,
    });
  }
  rows.sort((a, b) => (b.score ?? -1) - (a.score ?? -1) || a.name.localeCompare(b.name));

  const report = fairness(snaps, dayKey(today - WINDOW_DAYS), dayKey(today + 1));
  const giniOf = new Map(report.teams.map((t) => [t.teamId, t.burdenGini]));
  const teamRows: TeamRow[] = [];
  const byTeam = new Map<string | null, MemberRow[]>();
  const teamOfMember = new Map(members.map((m) => [m.id, m.teamId]));
  for (const r of rows) {
    const id = teamOfMember.get(r.memberId) ?? null;
    const list = byTeam.get(id) ?? [];
    list.push(r);
    byTeam.set(id, list);
  }
  for (const [teamId, list] of byTeam) {
    const hours = report.people.filter((p) => p.teamId === teamId).reduce((a, p) => a + p.hoursOutside, 0);
    teamRows.push({
      teamId,
      team: teamId ? teamName_.get(teamId) ?? teamId : '(no team)',
      members: list.length,
      utilization: mean(list.flatMap((r) => (r.utilization === null ? [] : [r.utilization]))),
      hoursOutside14d: r2(hours),
      burdenGini: giniOf.get(teamId) ?? 0,
      atRisk: list.filter((r) => r.level !== 'ok').length,
    });
  }
  teamRows.sort((a, b) => a.team.localeCompare(b.team));
  const asOf = snaps.reduce<string | null>((a, s) => (a === null || s.day > a ? s.day : a), null);
  return { asOf, members: rows, teams: teamRows };
}

/** One member in depth: score, every factor's contribution, the trend, recent days, alerts. */
export async function memberDetail(repos: ViewRepos, orgId: string, idOrName: string, now: number): Promise<MemberDetail> {
  const m = await repos.members.find(orgId, idOrName);
  if (!m) throw notFound('member', idOrName);
  const team = m.teamId ? await repos.teams.find(orgId, m.teamId) : undefined;
  const profile = resolveProfile(m, team ?? null);
  const today = Math.floor(now / DAY_MS);
  const [snaps, states, alerts] = await Promise.all([
    repos.workload.listSnapshots(orgId, { memberId: m.id, from: dayKey(today - 3 * WINDOW_DAYS) }),
    repos.workload.riskStates(orgId),
    repos.workload.listAlerts(orgId, { memberId: m.id, limit: 10 }),
  ]);
  const series = scoreSeries(snaps);
  const latest = series[series.length - 1];
  const lastSnap = snaps[snaps.length - 1];
  return {
    memberId: m.id,
    name: m.name,
    team: team?.name ?? null,
    timeZone: profile.timeZone,
    workingHours: profile.workingHours,
    defaults: profile.defaults,
    sources: profile.sources,
    activeTasks: lastSnap?.activeTasks ?? 0,
    maxConcurrent: lastSnap?.maxConcurrent ?? profile.maxConcurrent,
    utilization: mean(snaps.slice(-7).flatMap((s) => (s.utilization === null ? [] : [s.utilization]))),
    score: latest?.score ?? null,
    level: states.find((s) => s.memberId === m.id)?.level ?? 'ok',
    thresholds: THRESHOLDS,
    factors: latest?.factors ?? [],
    trend: trendOf(series.slice(-WINDOW_DAYS)),
    recent: snaps.slice(-WINDOW_DAYS),
    alerts,
  };
}

/** Hours of work per resolved task in a team's recent history, or null when there is too little. */
function hoursPerTask(snaps: readonly WorkloadSnapshot[], resolved: number): number | null {
  if (resolved < 5) return null;
  const hours = snaps.reduce((a, s) => a + s.hoursInside + s.hoursOutside, 0);
  return hours > 0 ? hours / resolved : null;
}

const HISTORY_DAYS = 120;

/** Capacity forecast per team (or for one team) for the next `days` days. */
export type TeamForecastView = TeamForecast & { team: string };

export async function forecastView(repos: ViewRepos, orgId: string, now: number, days: number, teamName?: string): Promise<TeamForecastView[]> {
  const teams = teamName ? [await findTeam(repos, orgId, teamName)] : await repos.teams.list(orgId);
  const members = await repos.members.list(orgId);
  const since = now - HISTORY_DAYS * DAY_MS;
  const tasks = await repos.tasks.list(orgId, { since, limit: 100_000 });
  const out: TeamForecastView[] = [];
  for (const team of teams) {
    const zone = resolveProfile({ id: '', teamId: team.id, name: '', timezone: team.timezone, workingHours: team.workingHours, capacity: 1 }, team).timeZone;
    const teamMembers: Member[] = members.filter((m) => m.teamId === team.id && m.active);
    const profiles = teamMembers.map((m) => resolveProfile(m, team));
    const created = tasks.filter((t) => t.teamId === team.id);
    // The series runs from the team's first task to yesterday: today is not over.
    const lastDay = localDayOf(zone, now) - 1;
    const firstTask = created.reduce((a, t) => Math.min(a, t.createdAt), Number.POSITIVE_INFINITY);
    const firstDay = Number.isFinite(firstTask) ? Math.max(localDayOf(zone, firstTask), lastDay - HISTORY_DAYS + 1) : lastDay + 1;
    const counts = dailyCounts(created.map((t) => t.createdAt), (t) => localDayOf(zone, t), firstDay, lastDay);
    const from28 = dayKey(lastDay - 27);
    const snaps = await repos.workload.listSnapshots(orgId, { teamId: team.id, from: from28, to: dayKey(lastDay) });
    // Tasks closed with nobody assigned (duplicates, stale) took no member's time.
    const resolved = created.filter((t) => t.assigneeId !== null && t.resolvedAt !== null && t.resolvedAt >= (lastDay - 27) * DAY_MS).length;
    const f = forecastTeam({
      teamId: team.id, counts, lastDay: dayKey(lastDay), horizonDays: days, members: profiles,
      hoursPerTask: hoursPerTask(snaps, resolved),
    });
    out.push({ ...f, team: team.name });
  }
  return out;
}

/** Who carried the after-hours, on-call and interruption load over [from, to]. */
export async function fairnessView(repos: ViewRepos, orgId: string, from: string, to: string, teamName?: string): Promise<FairnessReport> {
  const team = teamName ? await findTeam(repos, orgId, teamName) : null;
  const snaps = await repos.workload.listSnapshots(orgId, { from, to, ...(team ? { teamId: team.id } : {}) });
  return fairness(snaps, from, to);
}
