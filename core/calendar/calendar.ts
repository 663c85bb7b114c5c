/**
 * Business-hours calendars: which local days are working days, which hours of them count, in which
 * time zone, minus holidays. SLA clocks count time only inside these windows.
 */
import { z } from 'zod';
import type { Team } from '../model.js';
import { isValidTimeZone, parseClockTime, parseDayKey } from './zone.js';

/** A span of local wall-clock time within one day, `HH:MM`; `end` may be `24:00`. */
export interface HoursSpan {
  start: string;
  end: string;
}

export interface CalendarSpec {
  name: string;
  /** IANA zone name, e.g. `Europe/Berlin`. */
  timeZone: string;
  /** Working days, 0 = Sunday … 6 = Saturday (as in the team model). */
  days: number[];
  /** Working spans of each working day, in order, not overlapping. */
  hours: HoursSpan[];
  /** Local dates (`YYYY-MM-DD`) that are not worked. */
  holidays: string[];
}

const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

/** Round the clock, in UTC: the calendar of `"calendar": "24x7"`. */
export const ALWAYS: CalendarSpec = Object.freeze({
  name: '24x7',
  timeZone: 'UTC',
  days: [0, 1, 2, 3, 4, 5, 6],
  hours: [{ start: '00:00', end: '24:00' }],
  holidays: [],
}) as CalendarSpec;

const dayOfWeek = z.union([
  z.number().int().min(0, 'a day is 0 (Sunday) … 6 (Saturday)').max(6, 'a day is 0 (Sunday) … 6 (Saturday)'),
  z.string().transform((s, ctx) => {
    const i = DAY_NAMES.indexOf(s.trim().toLowerCase().slice(0, 3) as (typeof DAY_NAMES)[number]);
    if (i < 0) {
      ctx.addIssue({ code: 'custom', message: `unknown day "${s}" (mon, tue, … or 0-6 with 0 = Sunday)` });
      return z.NEVER;
    }
    return i;
  }),
]);

const clockTime = z.string().refine((s) => parseClockTime(s) !== undefined, 'expected a time HH:MM between 00:00 and 24:00');

const span = z.strictObject({ start: clockTime, end: clockTime });

/** Zod schema of a calendar; its errors carry the path of the bad field (`hours[1].end`). */
export const calendarSchema = z
  .strictObject({
    name: z.string().min(1).max(100).default('custom'),
    timeZone: z.string().superRefine((v, ctx) => {
      if (!isValidTimeZone(v)) ctx.addIssue({ code: 'custom', message: `unknown time zone ${JSON.stringify(v)}` });
    }),
    days: z.array(dayOfWeek).min(1, 'a calendar needs at least one working day').default([1, 2, 3, 4, 5]),
    hours: z.union([span.transform((s) => [s]), z.array(span).min(1, 'a calendar needs working hours')])
      .default([{ start: '09:00', end: '17:00' }]),
    holidays: z.array(z.string().refine((s) => parseDayKey(s) !== undefined, 'expected a date YYYY-MM-DD')).default([]),
  })
  .superRefine((cal, ctx) => {
    let lastEnd = -1;
    cal.hours.forEach((h, i) => {
      const start = parseClockTime(h.start);
      const end = parseClockTime(h.end);
      if (start === undefined || end === undefined) return;
      if (end <= start) ctx.addIssue({ code: 'custom', path: ['hours', i, 'end'], message: `ends at ${h.end}, not after its start ${h.start}` });
      else if (start < lastEnd) ctx.addIssue({ code: 'custom', path: ['hours', i, 'start'], message: 'overlaps the span before it (list spans in order)' });
      lastEnd = Math.max(lastEnd, end);
    });
  })
  .transform((cal): CalendarSpec => ({ ...cal, days: [...new Set(cal.days)].sort((a, b) => a - b) }));

/** A calendar given by name (`24x7`, `team`, a stored calendar) or inline. */
export type CalendarRef = string | CalendarSpec;

const calendarName = z.string().min(1, 'expected a calendar name such as "24x7" or "team"');

/** A calendar name or an inline calendar; an inline one reports its own bad field (`timeZone`). */
export const calendarRefSchema: z.ZodType<CalendarRef, unknown> = z.unknown().transform((value, ctx): CalendarRef => {
  const r = typeof value === 'string' ? calendarName.safeParse(value) : calendarSchema.safeParse(value);
  if (r.success) return r.data;
  for (const issue of r.error.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path as (string | number)[] });
  return z.NEVER;
});

/**
 * The calendar of a team from its time zone, working hours and holidays; round the clock when the
 * team has no working hours. A night shift (end before start) works from start to midnight and from
 * midnight to end on each working day.
 */
export function teamCalendar(team: Pick<Team, 'name' | 'timezone' | 'workingHours' | 'holidays'>): CalendarSpec {
  const timeZone = team.timezone && isValidTimeZone(team.timezone) ? team.timezone : 'UTC';
  const holidays = (team.holidays ?? []).filter((h) => parseDayKey(h) !== undefined);
  const wh = team.workingHours;
  const start = wh ? parseClockTime(wh.start) : undefined;
  const end = wh ? parseClockTime(wh.end) : undefined;
  if (!wh || start === undefined || end === undefined || wh.days.length === 0 || start === end) {
    return { ...ALWAYS, name: `team:${team.name}`, timeZone, holidays };
  }
  const hours = end > start ? [{ start: wh.start, end: wh.end }] : [{ start: '00:00', end: wh.end }, { start: wh.start, end: '24:00' }];
  const days = [...new Set(wh.days.filter((d) => Number.isInteger(d) && d >= 0 && d <= 6))].sort((a, b) => a - b);
  return { name: `team:${team.name}`, timeZone, days: days.length ? days : ALWAYS.days, hours, holidays };
}
