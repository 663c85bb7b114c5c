/**
 * Busy time from an iCalendar (RFC 5545) document: out-of-office, holidays and other blocking
 * events of a member's calendar as real-time intervals. Enough of the format for exported calendars:
 * folded lines, UTC / TZID / floating / all-day times, DTEND or DURATION, TRANSP and STATUS, and
 * RRULE with FREQ DAILY, WEEKLY or YEARLY, INTERVAL, COUNT, UNTIL and EXDATE.
 */
import { DAY_MS, localToUtc } from '../calendar/zone.js';
import type { Interval } from '../calendar/business-time.js';

export interface BusyEvent {
  summary: string;
  from: number;
  to: number;
}

interface Prop {
  name: string;
  params: Record<string, string>;
  value: string;
}

const MAX_OCCURRENCES = 1000;

/**
 * Busy intervals overlapping [windowFrom, windowTo), sorted by start. `zone` is used for floating
 * and all-day times (the member's time zone). Unparseable events are skipped, never thrown on.
 */
export function icsBusy(text: string, windowFrom: number, windowTo: number, zone = 'UTC'): BusyEvent[] {
  const out: BusyEvent[] = [];
  for (const ev of events(text)) {
    const get = (n: string): Prop | undefined => ev.find((p) => p.name === n);
    if (get('TRANSP')?.value.toUpperCase() === 'TRANSPARENT') continue;
    if (get('STATUS')?.value.toUpperCase() === 'CANCELLED') continue;
    const start = get('DTSTART');
    if (!start) continue;
    const from = parseTime(start, zone);
    if (from === undefined) continue;
    const end = get('DTEND');
    const dur = get('DURATION');
    const allDay = start.params.VALUE === 'DATE' || /^\d{8}$/.test(start.value);
    let to = end ? parseTime(end, zone) : dur ? addDuration(from, dur.value) : allDay ? from + DAY_MS : from;
    if (to === undefined || to < from) continue;
    if (to === from && allDay) to = from + DAY_MS;
    const summary = get('SUMMARY')?.value.replace(/\\([,;\\])/g, '$1').replace(/\\n/gi, ' ') ?? '';
    const excluded = new Set(ev.filter((p) => p.name === 'EXDATE').flatMap((p) => p.value.split(',').map((v) => parseTime({ ...p, value: v }, zone))));
    for (const s of occurrences(from, get('RRULE')?.value, windowTo)) {
      const e = s + (to - from);
      if (excluded.has(s)) continue;
      if (e > windowFrom && s < windowTo) out.push({ summary, from: s, to: e });
    }
  }
  return out.sort((a, b) => a.from - b.from);
}

/** Busy events as merged intervals, ready to subtract from working time. */
export function mergeBusy(busy: readonly { from: number; to: number }[]): Interval[] {
  const sorted = [...busy].sort((a, b) => a.from - b.from);
  const out: [number, number][] = [];
  for (const b of sorted) {
    const last = out[out.length - 1];
    if (last && b.from <= last[1]) last[1] = Math.max(last[1], b.to);
    else out.push([b.from, b.to]);
  }
  return out;
}

function events(text: string): Prop[][] {
  const lines = text.replace(/\r\n?/g, '\n').replace(/\n[ \t]/g, '').split('\n');
  const out: Prop[][] = [];
  let cur: Prop[] | null = null;
  let depth = 0;
  for (const line of lines) {
    const upper = line.trim().toUpperCase();
    if (upper === 'BEGIN:VEVENT') {
      cur = [];
      depth = 0;
      continue;
    }
    if (!cur) continue;
    // alarms and other nested components carry their own DTSTART-like lines
    if (upper.startsWith('BEGIN:')) depth++;
    else if (upper.startsWith('END:') && upper !== 'END:VEVENT') depth--;
    else if (upper === 'END:VEVENT') {
      out.push(cur);
      cur = null;
    } else if (depth === 0) {
      const p = parseLine(line);
      if (p) cur.push(p);
    }
  }
  return out;
}

function parseLine(line: string): Prop | undefined {
  const colon = line.search(/:(?=(?:[^"]*"[^"]*")*[^"]*$)/);
  if (colon < 0) return undefined;
  const [name, ...params] = line.slice(0, colon).split(';');
  const map: Record<string, string> = {};
  for (const p of params) {
    const eq = p.indexOf('=');
    if (eq > 0) map[p.slice(0, eq).toUpperCase()] = p.slice(eq + 1).replace(/^"|"$/g, '');
  }
  return { name: name!.toUpperCase(), params: map, value: line.slice(colon + 1).trim() };
}

function parseTime(p: Prop, zone: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})?(Z)?)?$/.exec(p.value);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, z] = m;
  const local = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h ?? 0), Number(mi ?? 0), Number(s ?? 0));
  if (!Number.isFinite(local)) return undefined;
  if (z) return local;
  try {
    return localToUtc(p.params.TZID ?? zone, local);
  } catch {
    return localToUtc(zone, local);
  }
}

/** RFC 5545 durations such as P1D, PT2H30M, P1W. */
function addDuration(from: number, d: string): number | undefined {
  const m = /^([+-])?P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(d.trim());
  if (!m) return undefined;
  const [, sign, w, dd, h, mi, s] = m;
  const ms = ((Number(w ?? 0) * 7 + Number(dd ?? 0)) * 24 * 3600 + Number(h ?? 0) * 3600 + Number(mi ?? 0) * 60 + Number(s ?? 0)) * 1000;
  return sign === '-' ? undefined : from + ms;
}

function occurrences(start: number, rrule: string | undefined, until: number): number[] {
  if (!rrule) return [start];
  const parts = Object.fromEntries(rrule.split(';').map((kv) => kv.split('=') as [string, string]).map(([k, v]) => [k.toUpperCase(), v ?? '']));
  const interval = Math.max(1, Number(parts.INTERVAL) || 1);
  const count = parts.COUNT ? Number(parts.COUNT) : Infinity;
  const stopAt = parts.UNTIL ? (parseTime({ name: 'UNTIL', params: {}, value: parts.UNTIL }, 'UTC') ?? Infinity) : Infinity;
  const out: number[] = [];
  for (let i = 0; out.length < Math.min(count, MAX_OCCURRENCES); i++) {
    let t: number;
    if (parts.FREQ === 'DAILY') t = start + i * interval * DAY_MS;
    else if (parts.FREQ === 'WEEKLY') t = start + i * interval * 7 * DAY_MS;
    else if (parts.FREQ === 'YEARLY') {
      const d = new Date(start);
      d.setUTCFullYear(d.getUTCFullYear() + i * interval);
      t = d.getTime();
    } else return [start];
    if (t > stopAt || t >= until) break;
    out.push(t);
  }
  return out;
}
