/**
 * The workload engine: computes and stores snapshots (daily, on demand, backfilled), keeps each
 * member's risk level with hysteresis, raises `workload.alert` events on changes, and answers the
 * router's question "how loaded and how at risk is this member?".
 */
import { DAY_MS, dayKey, parseDayKey } from '../calendar/zone.js';
import { createHash } from 'node:crypto';
import { systemActor } from '../model.js';
import type { Clock, Commit, Repos } from '../ports.js';
import { burnoutScore, scoreSeries, WINDOW_DAYS } from './burnout.js';
import { loadInputs } from './inputs.js';
import { walkLevels, type RiskLevel } from './levels.js';
import type { WorkloadAlert, WorkloadSignal, WorkloadSignals } from './ports.js';
import { computeSnapshots, type Streaks, type WorkloadSnapshot } from './snapshots.js';

export const BACKFILL_DAYS = 90;
/** Members computed before other work gets a turn (a 90-day backfill of one member takes about a millisecond). */
const MEMBERS_PER_SLICE = 10;
const OPEN_STATUSES = ['open', 'acknowledged', 'in_progress', 'waiting_on_customer'] as const;

export interface WorkloadDeps {
  repos: Repos;
  commit: Commit;
  clock: Clock;
  /** Lets other work run between slices of a refresh (default: one turn of the event loop). */
  pause?: () => Promise<void>;
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

export interface RefreshResult {
  from: string;
  to: string;
  members: number;
  snapshots: number;
  alerts: WorkloadAlert[];
}

/** Groups snapshots by member, each list oldest first. */
export function byMember(snapshots: readonly WorkloadSnapshot[]): Map<string, WorkloadSnapshot[]> {
  const out = new Map<string, WorkloadSnapshot[]>();
  for (const s of snapshots) {
    let list = out.get(s.memberId);
    if (!list) out.set(s.memberId, (list = []));
    list.push(s);
  }
  for (const list of out.values()) {
    let sorted = true;
    for (let i = 1; i < list.length && sorted; i++) if (list[i - 1]!.day > list[i]!.day) sorted = false;
    if (!sorted) list.sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0));
  }
  return out;
}

/** The same level change of the same member on the same day has the same id, wherever it is computed. */
function alertId(orgId: string, memberId: string, day: string, from: string, to: string): string {
  return `wla_${createHash('sha256').update(`${orgId}|${memberId}|${day}|${from}|${to}`).digest('hex').slice(0, 24)}`;
}

export class WorkloadEngine implements WorkloadSignals {
  /** When on-call was last recorded, per org, so shifts are extended run to run. */
  private readonly lastRun = new Map<string, number>();

  constructor(private readonly deps: WorkloadDeps) {}

  /**
   * Computes and stores snapshots for [from, to] (local days). Without a range: from the day before
   * the latest stored snapshot (or BACKFILL_DAYS back when none exists) up to today.
   */
  async refresh(orgId: string, range: { from?: string; to?: string; days?: number } = {}): Promise<RefreshResult> {
    const { repos, clock } = this.deps;
    const now = clock.now();
    const today = Math.floor(now / DAY_MS);

    const members = await repos.members.list(orgId);
    const onCall = members.filter((m) => m.active && m.onCall).map((m) => m.id);
    const since = this.lastRun.get(orgId) ?? now - 3_600_000;
    await repos.workload.recordOnCall(orgId, onCall, since, now);
    this.lastRun.set(orgId, now);

    // Zones ahead of UTC are already in tomorrow; days that have not begun locally are skipped.
    const toDay = range.to ? parseDayKey(range.to) ?? today + 1 : today + 1;
    let fromDay: number;
    if (range.from) fromDay = parseDayKey(range.from) ?? today;
    else if (range.days) fromDay = toDay - Math.max(1, range.days);
    else {
      const latest = await repos.workload.latestDay(orgId);
      const latestDay = latest ? parseDayKey(latest) : undefined;
      fromDay = latestDay === undefined ? today - BACKFILL_DAYS : Math.min(latestDay - 1, today - 1);
    }
    fromDay = Math.max(fromDay, toDay - 366);

    const previous = new Map<string, Streaks>();
    for (const s of await repos.workload.listSnapshots(orgId, { from: dayKey(fromDay - 1), to: dayKey(fromDay - 1) })) {
      previous.set(s.memberId, s);
    }
    const inputs = await loadInputs(repos, orgId, (fromDay - 1) * DAY_MS, now);
    // In slices of members, so a large organisation's backfill never holds the daemon for long.
    let count = 0;
    for (let i = 0; i < inputs.profiles.length; i += MEMBERS_PER_SLICE) {
      if (i > 0) await (this.deps.pause ?? nextTurn)();
      const snapshots = computeSnapshots({
        profiles: inputs.profiles.slice(i, i + MEMBERS_PER_SLICE), histories: inputs.histories,
        from: dayKey(fromDay), to: dayKey(toDay), now, previous,
      });
      await repos.workload.upsertSnapshots(orgId, snapshots);
      count += snapshots.length;
    }
    const alerts = await this.evaluate(orgId);
    return { from: dayKey(fromDay), to: dayKey(toDay), members: inputs.profiles.length, snapshots: count, alerts };
  }

  /**
   * Walks each member's completed days since their stored level through the hysteresis and raises
   * an alert per change. A member seen for the first time starts from "ok" two weeks back, so a
   * backfill yields at most one alert per member, not one per historical wobble.
   */
  async evaluate(orgId: string): Promise<WorkloadAlert[]> {
    const { repos, clock, commit } = this.deps;
    const now = clock.now();
    const today = Math.floor(now / DAY_MS);
    const states = new Map((await repos.workload.riskStates(orgId)).map((s) => [s.memberId, s]));
    const snaps = await repos.workload.listSnapshots(orgId, { from: dayKey(today - 2 * WINDOW_DAYS - 2) });
    const alerts: WorkloadAlert[] = [];
    const updates: Array<{ memberId: string; level: RiskLevel; score: number; day: string }> = [];
    for (const [memberId, list] of byMember(snaps)) {
      const complete = list.filter((s) => !s.partial);
      if (complete.length === 0) continue;
      const series = scoreSeries(complete);
      const state = states.get(memberId);
      const pending = state ? series.filter((s) => s.day > state.day) : series.slice(-WINDOW_DAYS);
      if (pending.length === 0) continue;
      const walked = walkLevels(memberId, pending, state?.level ?? 'ok');
      const changes = state ? walked.changes : walked.level === 'ok' ? [] : [{
        memberId, day: pending[pending.length - 1]!.day, from: 'ok' as RiskLevel, to: walked.level,
        score: pending[pending.length - 1]!.score, kind: 'raised' as const,
      }];
      for (const c of changes) {
        const scored = series.find((s) => s.day === c.day)!;
        alerts.push({ ...c, id: alertId(orgId, c.memberId, c.day, c.from, c.to), orgId, at: now, factors: scored.factors });
      }
      const last = pending[pending.length - 1]!;
      updates.push({ memberId, level: walked.level, score: last.score, day: last.day });
    }
    if (updates.length === 0) return alerts;
    return commit(systemActor(orgId, 'workload'), async (tx) => {
      for (const u of updates) await tx.workload.setRiskState(orgId, { ...u, updatedAt: now });
      // Two daemons evaluating at once compute the same ids: only the first insert announces.
      const raised: WorkloadAlert[] = [];
      for (const a of alerts) if (await tx.workload.insertAlert(a)) raised.push(a);
      return {
        value: raised,
        audit: raised.length > 0
          ? { action: 'workload.alert', subject: null, summary: `${raised.length} burnout risk level change(s)` }
          : undefined,
        events: raised.map((a) => ({
          type: 'workload.alert',
          subject: a.memberId,
          data: {
            id: a.id, memberId: a.memberId, day: a.day, from: a.from, to: a.to, kind: a.kind, score: a.score,
            factors: a.factors.filter((f) => f.points > 0).sort((x, y) => y.points - x.points),
          },
        })),
      };
    });
  }

  /** Load and burnout risk per member, for routing; members without data get no entry. */
  async forMembers(orgId: string, memberIds: readonly string[]): Promise<Map<string, WorkloadSignal>> {
    const { repos } = this.deps;
    const out = new Map<string, WorkloadSignal>();
    if (memberIds.length === 0) return out;
    const wanted = new Set(memberIds);
    const status = [...OPEN_STATUSES];
    const [states, members] = await Promise.all([repos.workload.riskStates(orgId), repos.members.list(orgId)]);
    const stateOf = new Map(states.map((s) => [s.memberId, s]));
    const held = new Map<string, number>();
    // A router asks about a handful of candidates: one count each beats reading every open task.
    if (wanted.size <= 50) {
      const ids = [...wanted];
      const counts = await Promise.all(ids.map((assigneeId) => repos.tasks.count(orgId, { assigneeId, status })));
      ids.forEach((id, i) => held.set(id, counts[i]!));
    } else {
      for (const t of await repos.tasks.list(orgId, { status, limit: 100_000 })) {
        if (t.assigneeId && wanted.has(t.assigneeId)) held.set(t.assigneeId, (held.get(t.assigneeId) ?? 0) + 1);
      }
    }
    for (const m of members) {
      if (!wanted.has(m.id)) continue;
      const maxConcurrent = m.capacity > 0 ? m.capacity : 5;
      const activeTasks = held.get(m.id) ?? 0;
      const state = stateOf.get(m.id);
      out.set(m.id, {
        memberId: m.id,
        activeTasks,
        maxConcurrent,
        load: Math.round((activeTasks / maxConcurrent) * 100) / 100,
        burnoutScore: state ? state.score : null,
        riskLevel: state ? state.level : 'ok',
      });
    }
    return out;
  }

  /** The current score of a member from stored snapshots (latest day, partial or not). */
  static scoreOf(list: readonly WorkloadSnapshot[]) {
    return burnoutScore(list.slice(-WINDOW_DAYS));
  }
}
