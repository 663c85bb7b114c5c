/**
 * Time-zone arithmetic over Intl.DateTimeFormat, with no date library. Local wall times are encoded
 * as "UTC-encoded local ms": the number Date.UTC would give for the wall-clock fields.
 */

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

const formatters = new Map<string, Intl.DateTimeFormat>();
const offsets = new Map<string, Map<number, number>>();
const OFFSET_BUCKET = 15 * MINUTE_MS;

/** True when the runtime knows the IANA zone name (`Europe/Berlin`, `UTC`). */
export function isValidTimeZone(zone: string): boolean {
  if (typeof zone !== 'string' || zone.length === 0) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric',
      hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
    formatters.set(zone, f);
  }
  return f;
}

function computeOffset(zone: string, t: number): number {
  const parts = formatter(zone).formatToParts(new Date(t));
  let y = 0, mo = 1, d = 1, h = 0, mi = 0, s = 0;
  for (const p of parts) {
    switch (p.type) {
      case 'year': y = Number(p.value); break;
      case 'month': mo = Number(p.value); break;
      case 'day': d = Number(p.value); break;
      case 'hour': h = Number(p.value) % 24; break;
      case 'minute': mi = Number(p.value); break;
      case 'second': s = Number(p.value); break;
    }
  }
  const era = parts.find((p) => p.type === 'era');
  if (era && /^b/i.test(era.value)) y = 1 - y;
  const asUtc = Date.UTC(y, mo - 1, d, h, mi, s);
  // Date.UTC maps years 0-99 to 1900-1999; no real timestamp we handle is that old.
  return asUtc - Math.floor(t / 1000) * 1000;
}

/**
 * Offset of the zone's wall clock from UTC at instant t, in ms (local = t + offset). Zones change
 * offset on quarter hours, so one Intl call per quarter hour and zone is exact and keeps sweeps fast.
 */
export function offsetAt(zone: string, t: number): number {
  if (zone === 'UTC' || zone === 'Etc/UTC') return 0;
  let byBucket = offsets.get(zone);
  if (!byBucket) {
    byBucket = new Map();
    offsets.set(zone, byBucket);
  }
  const bucket = Math.floor(t / OFFSET_BUCKET);
  let off = byBucket.get(bucket);
  if (off === undefined) {
    off = computeOffset(zone, bucket * OFFSET_BUCKET);
    if (byBucket.size > 500_000) byBucket.clear();
    byBucket.set(bucket, off);
  }
  return off;
}

/**
 * The instant at which the zone's wall clock reads `local`. A wall time repeated by a fall-back
 * overlap maps to its first occurrence; one skipped by a spring-forward gap maps to the instant of
 * the transition (a shift starting at 02:30 on that night starts when the clock jumps). The mapping
 * is therefore monotonic in `local`, which is what keeps business durations from going negative.
 */
export function localToUtc(zone: string, local: number): number {
  const before = offsetAt(zone, local - DAY_MS);
  const after = offsetAt(zone, local + DAY_MS);
  if (before === after) {
    const t = local - before;
    if (offsetAt(zone, t) === before) return t;
  }
  const early = local - before;
  const late = local - after;
  const earlyOk = offsetAt(zone, early) === before;
  const lateOk = offsetAt(zone, late) === after;
  if (earlyOk && lateOk) return Math.min(early, late);
  if (earlyOk) return early;
  if (lateOk) return late;
  return transitionBetween(zone, Math.min(early, late), Math.max(early, late));
}

/** The first instant in (lo, hi] whose offset differs from the offset at lo; offsets change on quarter hours. */
function transitionBetween(zone: string, lo: number, hi: number): number {
  const start = offsetAt(zone, lo);
  let a = Math.floor(lo / OFFSET_BUCKET);
  let b = Math.ceil(hi / OFFSET_BUCKET);
  while (b - a > 1) {
    const mid = Math.floor((a + b) / 2);
    if (offsetAt(zone, mid * OFFSET_BUCKET) === start) a = mid;
    else b = mid;
  }
  return b * OFFSET_BUCKET;
}

/** The local calendar day (days since 1970-01-01 in the zone's wall clock) that contains t. */
export function localDayOf(zone: string, t: number): number {
  return Math.floor((t + offsetAt(zone, t)) / DAY_MS);
}

/** Day of week of a local day number: 0 = Sunday … 6 = Saturday (1970-01-01 was a Thursday). */
export function weekdayOf(day: number): number {
  return (((day + 4) % 7) + 7) % 7;
}

/** `YYYY-MM-DD` of a day number. */
export function dayKey(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** Day number of `YYYY-MM-DD`, or undefined when it is not a real date. */
export function parseDayKey(key: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(key);
  if (!m) return undefined;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  if (dayKey(ms / DAY_MS) !== key) return undefined; // 2026-02-30 rolls over: refuse it
  return ms / DAY_MS;
}

/** Minutes since midnight of `HH:MM` (up to `24:00`), or undefined when malformed. */
export function parseClockTime(hhmm: string): number | undefined {
  const m = /^(\d{2}):(\d{2})$/.exec(hhmm);
  if (!m) return undefined;
  const h = Number(m[1]);
  const min = Number(m[2]);
  if (h > 24 || min > 59 || (h === 24 && min !== 0)) return undefined;
  return h * 60 + min;
}
