/**
 * Choosing the member within a team: available now (or soonest, for tasks that can wait), with the
 * required skills, with the most room under their limit of concurrent tasks (less what the workload
 * engine says about load and burnout); ties go round robin to whoever was assigned least recently.
 */
import { teamCalendar, type CalendarSpec } from '../calendar/calendar.js';
import { businessCalendar, type BusinessCalendar, type Interval } from '../calendar/business-time.js';
import { localDayOf } from '../calendar/zone.js';
import type { Member, Team } from '../model.js';

export interface Candidate {
  member: Member;
  /** tasks assigned and not resolved */
  activeTasks: number;
  /** merged out-of-office intervals from the member's calendar */
  busy: readonly Interval[];
  /** from the workload engine: 0 (no reason to hold back) … 1 (avoid) */
  penalty?: { penalty: number; reason: string };
  /** when this member was last given a task by routing, for round robin */
  lastAssignedAt: number | null;
}

export interface ChooseOptions {
  now: number;
  /** P1/P2: only someone available now (or on call) will do */
  urgent: boolean;
  skills: readonly string[];
  team: Pick<Team, 'name' | 'timezone' | 'workingHours' | 'holidays'> | null;
  /** how far ahead to look for a free working window */
  horizonDays?: number;
}

export interface MemberAssessment {
  memberId: string;
  name: string;
  eligible: boolean;
  /** why not, or what stood out */
  note: string;
  availableNow: boolean;
  /** the first instant the member is at work and not out of office; null past the horizon */
  availableAt: number | null;
  /** mean of level/5 over the required skills; 1 when none are required */
  skillScore: number;
  missingSkills: string[];
  activeTasks: number;
  capacity: number;
  /** capacity − active tasks, scaled down by the workload penalty */
  room: number;
  penalty: number;
}

export interface MemberChoice {
  memberId: string | null;
  name: string | null;
  /** one sentence on how the choice was made */
  reason: string;
  assessments: MemberAssessment[];
}

const calendars = new Map<string, { spec: CalendarSpec; cal: BusinessCalendar }>();

/** Building a calendar checks its time zone through Intl, which is slow: each distinct one is built once. */
function calendarOf(timezone: string | null, workingHours: Member['workingHours'], holidays: readonly string[]): { spec: CalendarSpec; cal: BusinessCalendar } {
  const key = `${timezone}|${JSON.stringify(workingHours)}|${holidays.join(',')}`;
  let hit = calendars.get(key);
  if (!hit) {
    const spec = teamCalendar({ name: 'member', timezone, workingHours, holidays: [...holidays] });
    hit = { spec, cal: businessCalendar(spec) };
    if (calendars.size > 5_000) calendars.clear();
    calendars.set(key, hit);
  }
  return hit;
}

const NO_HOLIDAYS: readonly string[] = [];
const byMember = new WeakMap<object, { timezone: string | null; hours: Member['workingHours']; holidays: readonly string[]; hit: ReturnType<typeof calendarOf> }>();

/** calendarOf for a member, remembered per member object (members are cached by the caller between reads). */
function calendarFor(member: Pick<Member, 'timezone' | 'workingHours'>, team: ChooseOptions['team']): ReturnType<typeof calendarOf> {
  const timezone = member.timezone ?? team?.timezone ?? null;
  const hours = member.workingHours ?? team?.workingHours ?? null;
  const holidays = team?.holidays ?? NO_HOLIDAYS;
  const seen = byMember.get(member);
  if (seen && seen.timezone === timezone && seen.hours === hours && seen.holidays === holidays) return seen.hit;
  const hit = calendarOf(timezone, hours, holidays);
  byMember.set(member, { timezone, hours, holidays, hit });
  return hit;
}

/** The first instant at or after `now` inside the member's working hours and outside `busy`. */
export function availableFrom(
  member: Pick<Member, 'name' | 'timezone' | 'workingHours'>,
  team: ChooseOptions['team'],
  busy: readonly Interval[],
  now: number,
  horizonDays = 14,
): number | null {
  const { spec, cal } = calendarFor(member, team);
  const first = localDayOf(spec.timeZone, now) - 1;
  for (let d = first; d <= first + horizonDays + 1; d++) {
    for (const [s, e] of cal.windows(d)) {
      if (e <= now) continue;
      let t = Math.max(s, now);
      for (const [bf, bt] of busy) if (bf <= t && t < bt) t = bt;
      if (t < e) return t;
    }
  }
  return null;
}

export function chooseMember(candidates: readonly Candidate[], options: ChooseOptions): MemberChoice {
  const { urgent, skills } = options;
  const assessments = candidates.map((c) => assess(c, options));
  const active = assessments.filter((a) => a.note !== 'inactive');
  if (active.length === 0) return none('the team has no active members', assessments);

  // Required skills filter; when nobody has them all, the best coverage is the best we can do.
  const fullSkill = active.filter((a) => a.missingSkills.length === 0);
  let pool = fullSkill;
  let skillNote = '';
  if (skills.length > 0 && fullSkill.length === 0) {
    const best = Math.max(...active.map((a) => a.skillScore));
    pool = active.filter((a) => a.skillScore === best && best > 0);
    skillNote = pool.length ? `nobody has all of ${skills.join(', ')}; closest match` : '';
    if (pool.length === 0) return none(`nobody in the team has any of ${skills.join(', ')}`, assessments);
  }
  const withRoom = pool.filter((a) => a.activeTasks < a.capacity);
  for (const a of pool) if (a.activeTasks >= a.capacity) mark(a, `at capacity (${a.activeTasks}/${a.capacity})`);
  if (withRoom.length === 0) return none('everyone who fits is at capacity; the task waits in the team queue', assessments);

  let ready = withRoom.filter((a) => a.availableNow);
  let timing = 'available now';
  if (ready.length === 0) {
    const later = withRoom.filter((a) => a.availableAt !== null);
    if (later.length === 0) return none('nobody who fits works in the next two weeks', assessments);
    const soonest = Math.min(...later.map((a) => a.availableAt!));
    ready = later.filter((a) => a.availableAt === soonest);
    timing = urgent ? 'nobody is available now; soonest available' : 'soonest available';
  }
  for (const a of withRoom) if (!ready.includes(a)) mark(a, a.availableNow ? 'available now' : 'available later than others');

  const byLast = new Map(candidates.map((c) => [c.member.id, c.lastAssignedAt ?? -Infinity]));
  ready.sort(
    (a, b) =>
      b.room - a.room ||
      b.skillScore - a.skillScore ||
      byLast.get(a.memberId)! - byLast.get(b.memberId)! ||
      a.memberId.localeCompare(b.memberId),
  );
  const chosen = ready[0]!;
  const tied = ready.filter((a) => a.room === chosen.room && a.skillScore === chosen.skillScore).length;
  const parts = [timing, `most room (${fmt(chosen.room)} of ${chosen.capacity})`];
  if (skills.length) parts.push(skillNote || `has ${skills.join(', ')}`);
  if (tied > 1) parts.push(`round robin among ${tied} equal candidates`);
  mark(chosen, 'chosen');
  for (const a of ready) if (a !== chosen && a.note === '') a.note = 'ranked lower on room, skill level or turn';
  return { memberId: chosen.memberId, name: chosen.name, reason: parts.join('; '), assessments };
}

function assess(c: Candidate, o: ChooseOptions): MemberAssessment {
  const m = c.member;
  const missing = o.skills.filter((s) => !(m.skills[s]! > 0));
  const skillScore = o.skills.length === 0 ? 1 : round(o.skills.reduce((s, k) => s + Math.min(5, Math.max(0, m.skills[k] ?? 0)) / 5, 0) / o.skills.length);
  const penalty = Math.min(1, Math.max(0, c.penalty?.penalty ?? 0));
  let availableAt = availableFrom(m, o.team, c.busy, o.now, o.horizonDays);
  const busyNow = c.busy.some(([f, t]) => f <= o.now && o.now < t);
  // someone on call covers urgent work outside their hours, unless they are out of office
  if (o.urgent && m.onCall && !busyNow) availableAt = o.now;
  const capacity = Math.max(0, m.capacity);
  const a: MemberAssessment = {
    memberId: m.id,
    name: m.name,
    eligible: m.active,
    note: m.active ? '' : 'inactive',
    availableNow: availableAt === o.now,
    availableAt,
    skillScore,
    missingSkills: missing,
    activeTasks: c.activeTasks,
    capacity,
    room: round(Math.max(0, capacity - c.activeTasks) * (1 - penalty)),
    penalty,
  };
  if (m.active && missing.length) mark(a, `lacks ${missing.join(', ')}`);
  else if (m.active && c.penalty && penalty > 0) a.note = c.penalty.reason;
  return a;
}

function mark(a: MemberAssessment, note: string): void {
  a.eligible = note === 'chosen';
  a.note = note === 'chosen' ? (a.note ? `chosen; ${a.note}` : 'chosen') : a.note && a.note !== note ? `${note}; ${a.note}` : note;
}

function none(reason: string, assessments: MemberAssessment[]): MemberChoice {
  for (const a of assessments) a.eligible = false;
  return { memberId: null, name: null, reason, assessments };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

function fmt(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(2);
}
