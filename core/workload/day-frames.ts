/**
 * Local days and working windows in a member's time zone. Zone arithmetic is core/calendar's; this
 * only lays out a range of days, cached because a snapshot run asks for the same (zone, hours, range)
 * for every member that shares them.
 */
import type { WorkingHours } from '../model.js';
import { DAY_MS, localToUtc, parseClockTime, weekdayOf } from '../calendar/zone.js';

/** Bounds of one local day and of its working window, all as UTC instants. */
export interface DayFrame {
  day: number;
  start: number;
  end: number;
  /** Working window inside the day; workStart === workEnd on a day off. */
  workStart: number;
  workEnd: number;
}

const frameCache = new Map<string, DayFrame[]>();

/**
 * Frames for local days [fromDay, toDay] inclusive. A working window that crosses midnight (end not
 * after start) is clipped at midnight: night shifts are not modelled beyond that. Holidays
 * (YYYY-MM-DD) are days off.
 */
export function dayFrames(
  zone: string, hours: WorkingHours, fromDay: number, toDay: number, holidays: readonly string[] = [],
): DayFrame[] {
  const key = `${zone}|${hours.start}|${hours.end}|${hours.days.join(',')}|${fromDay}|${toDay}|${holidays.join(',')}`;
  const hit = frameCache.get(key);
  if (hit) return hit;
  const startMin = parseClockTime(hours.start) ?? 9 * 60;
  const endMin = parseClockTime(hours.end) ?? 17 * 60;
  const overnight = endMin <= startMin;
  const workDays = new Set(hours.days);
  const off = new Set(holidays);
  const frames: DayFrame[] = [];
  let dayStart = localToUtc(zone, fromDay * DAY_MS);
  for (let d = fromDay; d <= toDay; d++) {
    const next = localToUtc(zone, (d + 1) * DAY_MS);
    let workStart = dayStart;
    let workEnd = dayStart;
    if (workDays.has(weekdayOf(d)) && (off.size === 0 || !off.has(new Date(d * DAY_MS).toISOString().slice(0, 10)))) {
      workStart = localToUtc(zone, d * DAY_MS + startMin * 60_000);
      workEnd = overnight ? next : localToUtc(zone, d * DAY_MS + endMin * 60_000);
    }
    frames.push({ day: d, start: dayStart, end: next, workStart, workEnd });
    dayStart = next;
  }
  if (frameCache.size > 5_000) frameCache.clear();
  frameCache.set(key, frames);
  return frames;
}
