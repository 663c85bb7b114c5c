/** A member's time zone, working hours and capacity, with defaults that are reported as such. */
import type { Member, Team, WorkingHours } from '../model.js';
import { isValidTimeZone, parseClockTime } from '../calendar/zone.js';

export const DEFAULT_TIME_ZONE = 'UTC';
export const DEFAULT_WORKING_HOURS: WorkingHours = { start: '09:00', end: '17:00', days: [1, 2, 3, 4, 5] };
export const DEFAULT_MAX_CONCURRENT = 5;

/** Which of the member's settings were filled in by a default, and why. */
export type DefaultedField = 'timeZone' | 'workingHours' | 'capacity';

export interface MemberProfile {
  memberId: string;
  teamId: string | null;
  name: string;
  timeZone: string;
  workingHours: WorkingHours;
  /** Hours of work a normal working day holds (the length of the working window). */
  dailyCapacityHours: number;
  maxConcurrent: number;
  /** The team's holidays (YYYY-MM-DD), days off for the member. */
  holidays: string[];
  /** Settings that came from a default (own or team's missing or invalid), shown to users as such. */
  defaults: DefaultedField[];
  /** Where each setting came from: 'member', 'team' or 'default'. */
  sources: { timeZone: Source; workingHours: Source };
}

type Source = 'member' | 'team' | 'default';

// Intl validation builds a formatter; members share a handful of zones, so remember the answer.
const zoneValidity = new Map<string, boolean>();
function knownZone(zone: string | null | undefined): zone is string {
  if (!zone) return false;
  let ok = zoneValidity.get(zone);
  if (ok === undefined) {
    ok = isValidTimeZone(zone);
    if (zoneValidity.size < 10_000) zoneValidity.set(zone, ok);
  }
  return ok;
}

function validHours(h: WorkingHours | null | undefined): h is WorkingHours {
  if (!h || !Array.isArray(h.days)) return false;
  const s = parseClockTime(h.start);
  const e = parseClockTime(h.end);
  return s !== undefined && e !== undefined && s !== e && h.days.every((d) => Number.isInteger(d) && d >= 0 && d <= 6);
}

function windowHours(h: WorkingHours): number {
  const s = parseClockTime(h.start) ?? 0;
  const e = parseClockTime(h.end) ?? 0;
  return (e > s ? e - s : 24 * 60 - s) / 60;
}

type MemberLike = Pick<Member, 'id' | 'teamId' | 'name' | 'timezone' | 'workingHours' | 'capacity'>;
type TeamLike = Pick<Team, 'timezone' | 'workingHours'> & Partial<Pick<Team, 'holidays'>>;

/** Resolves member settings, falling back to the team's, then to defaults; never throws. */
export function resolveProfile(member: MemberLike, team?: TeamLike | null): MemberProfile {
  const defaults: DefaultedField[] = [];
  let timeZone = DEFAULT_TIME_ZONE;
  let tzSource: Source = 'default';
  if (knownZone(member.timezone)) {
    timeZone = member.timezone!;
    tzSource = 'member';
  } else if (knownZone(team?.timezone)) {
    timeZone = team!.timezone!;
    tzSource = 'team';
  } else defaults.push('timeZone');

  let workingHours = DEFAULT_WORKING_HOURS;
  let whSource: Source = 'default';
  if (validHours(member.workingHours)) {
    workingHours = member.workingHours;
    whSource = 'member';
  } else if (validHours(team?.workingHours)) {
    workingHours = team!.workingHours!;
    whSource = 'team';
  } else defaults.push('workingHours');

  let maxConcurrent = member.capacity;
  if (!Number.isFinite(maxConcurrent) || maxConcurrent <= 0) {
    maxConcurrent = DEFAULT_MAX_CONCURRENT;
    defaults.push('capacity');
  }
  return {
    memberId: member.id,
    teamId: member.teamId,
    name: member.name,
    timeZone,
    workingHours,
    dailyCapacityHours: windowHours(workingHours),
    maxConcurrent,
    holidays: team?.holidays ?? [],
    defaults,
    sources: { timeZone: tzSource, workingHours: whSource },
  };
}
