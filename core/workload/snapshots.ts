/**
 * Daily workload snapshots: per member and local day, what they held, how long they worked inside
 * and outside their working hours, how often they were interrupted, and how long their on-call or
 * after-hours streak has run.
 */
import type { MemberHistory } from './history.js';
import { coverageOf, CoverageCursor } from './intervals.js';
import { dayFrames, type DayFrame } from './day-frames.js';
import { dayKey, parseDayKey } from '../calendar/zone.js';
import type { DefaultedField, MemberProfile } from './profile.js';

const HOUR = 3_600_000;
/** Less than this outside working hours is noise (a glance at a phone), not after-hours work. */
export const AFTER_HOURS_MIN_HOURS = 0.25;

export interface WorkloadSnapshot {
  memberId: string;
  teamId: string | null;
  /** The member's local date, YYYY-MM-DD. */
  day: string;
  timeZone: string;
  /** Tasks the member held at some point of the day. */
  activeTasks: number;
  maxConcurrent: number;
  hoursInside: number;
  hoursOutside: number;
  /** Length of the day's working window; 0 on a day off. */
  capacityHours: number;
  /** Hours worked / capacity hours; null on a day off (any work then is all after-hours). */
  utilization: number | null;
  pages: number;
  p1Assignments: number;
  approvalsOutOfHours: number;
  interruptions: number;
  onCall: boolean;
  onCallHours: number;
  afterHoursWork: boolean;
  consecutiveOnCallDays: number;
  consecutiveAfterHoursDays: number;
  /** Settings that came from defaults for this member. */
  defaults: DefaultedField[];
  /** The day had not ended when it was computed. */
  partial: boolean;
}

export interface Streaks {
  consecutiveOnCallDays: number;
  consecutiveAfterHoursDays: number;
}

export interface SnapshotInput {
  profiles: MemberProfile[];
  histories: Map<string, MemberHistory>;
  /** First and last local day, YYYY-MM-DD, inclusive. */
  from: string;
  to: string;
  now: number;
  /** Streaks as of the day before `from`, so a backfill in pieces keeps counting. */
  previous?: Map<string, Streaks>;
}

/** Index of the frame containing t, or -1 when t falls outside every frame. */
function frameIndex(frames: DayFrame[], t: number): number {
  if (frames.length === 0 || t < frames[0]!.start || t >= frames[frames.length - 1]!.end) return -1;
  let lo = 0;
  let hi = frames.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (frames[mid]!.start <= t) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

function outsideWork(f: DayFrame, t: number): boolean {
  return t < f.workStart || t >= f.workEnd;
}

const round2 = (x: number): number => Math.round(x * 100) / 100;

/** Snapshots for every profile and every day in [from, to]; pure and deterministic. */
export function computeSnapshots(input: SnapshotInput): WorkloadSnapshot[] {
  const fromDay = parseDayKey(input.from);
  const toDay = parseDayKey(input.to);
  if (fromDay === undefined || toDay === undefined || toDay < fromDay) return [];
  const n = toDay - fromDay + 1;
  const keys: string[] = [];
  for (let d = fromDay; d <= toDay; d++) keys.push(dayKey(d));
  const out: WorkloadSnapshot[] = [];
  const active = new Int32Array(n + 1);
  const pages = new Int32Array(n);
  const p1 = new Int32Array(n);
  const approvals = new Int32Array(n);
  const pagedOutside = new Uint8Array(n);

  for (const p of input.profiles) {
    const frames = dayFrames(p.timeZone, p.workingHours, fromDay, toDay, p.holidays);
    const h = input.histories.get(p.memberId);
    active.fill(0);
    pages.fill(0);
    p1.fill(0);
    approvals.fill(0);
    pagedOutside.fill(0);
    const rangeStart = frames[0]!.start;
    const rangeEnd = frames[n - 1]!.end;

    let all = coverageOf();
    let anyHour = all;
    let onCall = all;
    if (h) {
      for (const s of h.spans) {
        const released = s.releasedAt ?? Number.POSITIVE_INFINITY;
        if (s.assignedAt >= rangeEnd || released <= rangeStart) continue;
        const first = s.assignedAt < rangeStart ? 0 : frameIndex(frames, s.assignedAt);
        const last = released >= rangeEnd ? n - 1 : frameIndex(frames, released - 1);
        active[first]! += 1;
        active[last + 1]! -= 1;
        if (s.assignedAt >= rangeStart) {
          const f = frames[first]!;
          if (s.priority === 'P1') p1[first]! += 1;
          if ((s.priority === 'P1' || s.priority === 'P2') && outsideWork(f, s.assignedAt)) {
            pages[first]! += 1;
            pagedOutside[first] = 1;
          }
        }
      }
      for (const t of h.pages) {
        const i = frameIndex(frames, t);
        if (i < 0) continue;
        pages[i]! += 1;
        if (outsideWork(frames[i]!, t)) pagedOutside[i] = 1;
      }
      for (const t of h.approvalRequests) {
        const i = frameIndex(frames, t);
        if (i >= 0 && outsideWork(frames[i]!, t)) approvals[i]! += 1;
      }
      anyHour = coverageOf(h.anyHour);
      all = h.work.length === 0 ? anyHour : coverageOf(h.work, h.anyHour);
      onCall = coverageOf(h.onCall);
    }

    const prev = input.previous?.get(p.memberId);
    let onCallStreak = prev?.consecutiveOnCallDays ?? 0;
    let afterStreak = prev?.consecutiveAfterHoursDays ?? 0;
    let running = 0;
    const allCur = new CoverageCursor(all);
    const anyCur = new CoverageCursor(anyHour);
    const onCallCur = new CoverageCursor(onCall);
    for (let i = 0; i < n; i++) {
      const f = frames[i]!;
      running += active[i]!;
      // A day that has not begun in the member's zone has nothing to say yet.
      if (f.start > input.now) break;
      // Queries rise within a day (start ≤ workStart ≤ workEnd ≤ end) and across days, as cursors need.
      const w0 = allCur.upTo(f.workStart);
      const inside = (allCur.upTo(f.workEnd) - w0) / HOUR;
      const a0 = anyCur.upTo(f.start);
      const a1 = anyCur.upTo(f.workStart);
      const a2 = anyCur.upTo(f.workEnd);
      const a3 = anyCur.upTo(f.end);
      const outside = (a1 - a0 + (a3 - a2)) / HOUR;
      const capacityHours = (f.workEnd - f.workStart) / HOUR;
      const c0 = onCallCur.upTo(f.start);
      const onCallHours = (onCallCur.upTo(f.end) - c0) / HOUR;
      const isOnCall = onCallHours > 0 || pagedOutside[i] === 1;
      const afterHoursWork = outside >= AFTER_HOURS_MIN_HOURS || pagedOutside[i] === 1 || approvals[i]! > 0;
      onCallStreak = isOnCall ? onCallStreak + 1 : 0;
      afterStreak = afterHoursWork ? afterStreak + 1 : 0;
      out.push({
        memberId: p.memberId,
        teamId: p.teamId,
        day: keys[i]!,
        timeZone: p.timeZone,
        activeTasks: running,
        maxConcurrent: p.maxConcurrent,
        hoursInside: round2(inside),
        hoursOutside: round2(outside),
        capacityHours: round2(capacityHours),
        utilization: capacityHours > 0 ? round2((inside + outside) / capacityHours) : null,
        pages: pages[i]!,
        p1Assignments: p1[i]!,
        approvalsOutOfHours: approvals[i]!,
        interruptions: pages[i]! + p1[i]! + approvals[i]!,
        onCall: isOnCall,
        onCallHours: round2(onCallHours),
        afterHoursWork,
        consecutiveOnCallDays: onCallStreak,
        consecutiveAfterHoursDays: afterStreak,
        defaults: p.defaults,
        partial: f.end > input.now,
      });
    }
  }
  return out;
}
