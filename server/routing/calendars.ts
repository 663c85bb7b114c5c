/**
 * Members' calendars (ICS files, http(s) URLs or data: URLs) kept warm in memory. A decision reads what is cached and
 * never waits on the network: a stale or missing URL calendar is refreshed in the background, and a
 * file is read when first needed (it is local and small).
 */
import { readFileSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Interval } from '../../core/calendar/business-time.js';
import type { Member } from '../../core/model.js';
import type { CalendarSource } from '../../core/routing/engine.js';
import { icsBusy, mergeBusy } from '../../core/routing/ics.js';
import { hostTarget, httpCall } from '../outbound/http.js';
import { redact, type Outbound } from '../outbound/outbound.js';

const DAY = 86_400_000;
const MAX_BYTES = 5 * 1024 * 1024;

interface Entry {
  fetchedAt: number;
  /** window the intervals were computed for */
  from: number;
  to: number;
  zone: string;
  text: string;
  busy: Interval[];
  loading: boolean;
  error: string | null;
}

export interface CalendarCacheOptions {
  ttlMs?: number;
  /** folder relative paths are read from */
  baseDir: string;
  fetchTimeoutMs?: number;
  /** URL calendars are fetched through it: retries, a circuit per host, failures recorded (target `calendar <host>`). */
  outbound: Outbound;
  /** Told of a calendar that could not be read; a URL is cut to its origin (private ICS links carry a secret). */
  onError?: (url: string, message: string) => void;
}

export class CalendarCache implements CalendarSource {
  private readonly entries = new Map<string, Entry>();
  private readonly ttl: number;

  constructor(private readonly options: CalendarCacheOptions) {
    this.ttl = options.ttlMs ?? 15 * 60_000;
  }

  busy(member: Member, now: number): readonly Interval[] {
    const url = member.calendarUrl?.trim();
    if (!url) return [];
    const zone = member.timezone ?? 'UTC';
    let e = this.entries.get(url);
    if (!e || (now - e.fetchedAt > this.ttl && !e.loading)) {
      if (isHttp(url)) {
        if (!e) {
          e = { fetchedAt: now, from: now, to: now, zone, text: '', busy: [], loading: false, error: null };
          this.entries.set(url, e);
        }
        this.fetchInBackground(url, e, now);
      } else {
        e = this.readFile(url, now, zone);
        this.entries.set(url, e);
      }
    }
    // the window moves with time; recompute from the cached text when it no longer covers now
    if (e.text && (now < e.from || now + 14 * DAY > e.to || e.zone !== zone)) this.window(e, now, zone);
    return e.busy;
  }

  /** Waits until the calendars of these members are loaded (used at start and by tests). */
  async warm(members: readonly Member[], now: number): Promise<void> {
    await Promise.all(members.filter((m) => m.calendarUrl && isHttp(m.calendarUrl)).map(async (m) => {
      const url = m.calendarUrl!.trim();
      let e = this.entries.get(url);
      if (!e) {
        e = { fetchedAt: now, from: now, to: now, zone: m.timezone ?? 'UTC', text: '', busy: [], loading: false, error: null };
        this.entries.set(url, e);
      }
      await this.fetch(url, e, now);
    }));
  }

  private readFile(ref: string, now: number, zone: string): Entry {
    const e: Entry = { fetchedAt: now, from: now, to: now, zone, text: '', busy: [], loading: false, error: null };
    try {
      if (ref.startsWith('data:')) e.text = dataUrlText(ref);
      else {
        const path = ref.startsWith('file:') ? fileURLToPath(ref) : isAbsolute(ref) ? ref : resolve(this.options.baseDir, ref);
        if (statSync(path).size > MAX_BYTES) throw new Error(`larger than ${MAX_BYTES} bytes`);
        e.text = readFileSync(path, 'utf8');
      }
      this.window(e, now, zone);
    } catch (err) {
      e.error = (err as Error).message;
      this.options.onError?.(ref, e.error);
    }
    return e;
  }

  private fetchInBackground(url: string, e: Entry, now: number): void {
    void this.fetch(url, e, now);
  }

  private async fetch(url: string, e: Entry, now: number): Promise<void> {
    if (e.loading) return;
    e.loading = true;
    try {
      // In the background: a decision never waits for this, so retries cost routing nothing.
      const res = await httpCall(this.options.outbound, hostTarget('calendar', url), url, { timeoutMs: this.options.fetchTimeoutMs ?? 5_000, maxBody: MAX_BYTES });
      if (res.status >= 300) throw new Error(`HTTP ${res.status}`);
      if (res.truncated) throw new Error(`larger than ${MAX_BYTES} bytes`);
      e.text = res.body;
      e.error = null;
      this.window(e, now, e.zone);
    } catch (err) {
      e.error = redact((err as Error).message);
      this.options.onError?.(redact(url), e.error);
    } finally {
      e.fetchedAt = now;
      e.loading = false;
    }
  }

  private window(e: Entry, now: number, zone: string): void {
    e.from = now - DAY;
    e.to = now + 60 * DAY;
    e.zone = zone;
    e.busy = mergeBusy(icsBusy(e.text, e.from, e.to, zone));
  }
}

/** `data:[type][;base64],payload` → its text. */
function dataUrlText(url: string): string {
  const comma = url.indexOf(',');
  if (comma < 0) throw new Error('malformed data: URL');
  const meta = url.slice(5, comma);
  const payload = url.slice(comma + 1);
  return meta.endsWith(';base64') ? Buffer.from(payload, 'base64').toString('utf8') : decodeURIComponent(payload);
}

function isHttp(url: string): boolean {
  return /^https?:\/\//i.test(url);
}
