/**
 * Counting business time. Every duration is measured between real instants (UTC ms) of working
 * windows, never by subtracting wall-clock readings, so DST gaps and overlaps and a calendar whose
 * time zone changed cannot give a negative or doubled duration.
 */
import { ALWAYS, type CalendarSpec } from './calendar.js';
import { DAY_MS, HOUR_MS, localDayOf, localToUtc, parseClockTime, parseDayKey, weekdayOf } from './zone.js';

/** A half-open span of real time [from, to) in epoch ms; `to` may be Infinity for "still running". */
export type Interval = readonly [from: number, to: number];

/** Search horizon for deadlines: past it a calendar with almost no working time gives up. */
const MAX_DAYS = 3_700;

/** A calendar ready for counting: working windows per local day are computed once and cached. */
export class BusinessCalendar {
  readonly spec: CalendarSpec;
  private readonly always: boolean;
  private readonly days: Set<number>;
  private readonly holidays: Set<number>;
  private readonly spans: [number, number][];
  private readonly cache = new Map<number, Interval[]>();

  constructor(spec: CalendarSpec) {
    this.spec = spec;
    this.days = new Set(spec.days);
    this.holidays = new Set(spec.holidays.map((h) => parseDayKey(h)).filter((d): d is number => d !== undefined));
    this.spans = spec.hours.map((h) => [parseClockTime(h.start) ?? 0, parseClockTime(h.end) ?? 0]);
    this.always = this.days.size === 7 && this.holidays.size === 0 && this.spans.length === 1 &&
      this.spans[0]![0] === 0 && this.spans[0]![1] === 24 * 60;
  }

  /** Working windows of one local day, as real instants, in order. */
  windows(day: number): Interval[] {
    let w = this.cache.get(day);
    if (w) return w;
    w = [];
    if (this.days.has(weekdayOf(day)) && !this.holidays.has(day)) {
      const tz = this.spec.timeZone;
      for (const [s, e] of this.spans) {
        const from = localToUtc(tz, day * DAY_MS + s * 60_000);
        const to = localToUtc(tz, day * DAY_MS + e * 60_000);
        if (to > from) w.push([from, to]);
      }
    }
    if (this.cache.size > 50_000) this.cache.clear();
    this.cache.set(day, w);
    return w;
  }

  /** Business ms inside [from, to); 0 when to ≤ from. */
  between(from: number, to: number): number {
    if (!(to > from)) return 0;
    if (this.always) return to - from;
    const tz = this.spec.timeZone;
    // One day of slack on each side: a window belongs to its local day, whose bounds move with DST.
    const first = localDayOf(tz, from) - 1;
    const last = localDayOf(tz, to) + 1;
    let total = 0;
    for (let d = first; d <= last; d++) {
      for (const [ws, we] of this.windows(d)) {
        const s = ws > from ? ws : from;
        const e = we < to ? we : to;
        if (e > s) total += e - s;
      }
    }
    return total;
  }

  /** Business ms inside a set of intervals (assumed not to overlap). */
  within(intervals: readonly Interval[]): number {
    let total = 0;
    for (const [f, t] of intervals) total += this.between(f, t);
    return total;
  }

  /**
   * The instant at which `amount` business ms have passed counting from `from`, staying below `to`;
   * undefined when the interval ends (or the search horizon passes) first. The amount already
   * reached at `from` (amount 0) is `from` itself.
   */
  advance(from: number, amount: number, to = Infinity): number | undefined {
    if (amount <= 0) return from;
    if (this.always) return from + amount <= to ? from + amount : undefined;
    let left = amount;
    const first = localDayOf(this.spec.timeZone, from) - 1;
    for (let d = first; d <= first + MAX_DAYS; d++) {
      // A local day starts no earlier than 14 h before its UTC namesake (the largest zone offset).
      if (d * DAY_MS - 15 * HOUR_MS >= to) return undefined;
      for (const [ws, we] of this.windows(d)) {
        const s = ws > from ? ws : from;
        const e = we < to ? we : to;
        if (e <= s) continue;
        if (e - s >= left) return s + left;
        left -= e - s;
      }
    }
    return undefined;
  }

  /** Walks the intervals in order and returns the instant the business time within them reaches `amount`. */
  reach(intervals: readonly Interval[], amount: number): number | undefined {
    let left = amount;
    for (const [f, t] of intervals) {
      const inside = t === Infinity ? Infinity : this.between(f, t);
      if (inside >= left) return this.advance(f, left, t);
      left -= inside;
    }
    return undefined;
  }
}

const compiled = new Map<string, BusinessCalendar>();
const bySpec = new WeakMap<CalendarSpec, BusinessCalendar>();

/** The cached BusinessCalendar of a spec (keyed by its content, so an edited calendar recompiles). */
export function businessCalendar(spec: CalendarSpec = ALWAYS): BusinessCalendar {
  // Sweeps ask for the same spec objects millions of times: look them up by identity first.
  let cal = bySpec.get(spec);
  if (cal) return cal;
  const key = JSON.stringify([spec.timeZone, spec.days, spec.hours, spec.holidays]);
  cal = compiled.get(key);
  if (!cal) {
    cal = new BusinessCalendar(spec);
    if (compiled.size > 1_000) compiled.clear();
    compiled.set(key, cal);
  }
  bySpec.set(spec, cal);
  return cal;
}

/**
 * [start, end) minus the pauses, as ordered, non-overlapping intervals. Pauses may overlap each
 * other, extend past either end or be open (to = Infinity).
 */
export function activeIntervals(start: number, end: number, pauses: readonly Interval[]): Interval[] {
  if (!(end > start)) return [];
  const sorted = pauses.filter(([f, t]) => t > f).slice().sort((a, b) => a[0] - b[0]);
  const out: Interval[] = [];
  let cursor = start;
  for (const [f, t] of sorted) {
    if (t <= cursor) continue;
    if (f >= end) break;
    if (f > cursor) out.push([cursor, f]);
    cursor = Math.max(cursor, t);
    if (cursor >= end) break;
  }
  if (cursor < end) out.push([cursor, end]);
  return out;
}
