import { AppError } from '../errors.js';

/** One observation of a metric series. Tags identify the series together with the name. */
export interface MetricPoint {
  name: string;
  value: number;
  at: number;
  tags: Record<string, string>;
}

/** Names are Prometheus-like plus dots and dashes; nothing a shell would give meaning to. */
export const METRIC_NAME_RE = /^[a-zA-Z_:][a-zA-Z0-9_:.-]{0,199}$/;
export const TAG_KEY_RE = /^[a-zA-Z_][a-zA-Z0-9_.-]{0,99}$/;
export const MAX_TAG_VALUE = 200;
export const MAX_TAGS = 20;

/** Why a name/tag set is unacceptable, or null when it is fine. */
export function metricProblem(name: string, tags: Record<string, string>): string | null {
  if (!METRIC_NAME_RE.test(name)) return `metric name "${name.slice(0, 60)}" must match ${METRIC_NAME_RE.source}`;
  const keys = Object.keys(tags);
  if (keys.length > MAX_TAGS) return `at most ${MAX_TAGS} tags`;
  for (const k of keys) {
    if (!TAG_KEY_RE.test(k)) return `tag key "${k.slice(0, 60)}" must match ${TAG_KEY_RE.source}`;
    const v = tags[k];
    if (typeof v !== 'string' || v.length > MAX_TAG_VALUE) return `tag ${k} must be a string of at most ${MAX_TAG_VALUE} characters`;
  }
  return null;
}

/** Canonical series identity: name plus sorted tags, `cpu{host=a,zone=b}`. */
export function seriesKey(name: string, tags: Record<string, string>): string {
  const keys = Object.keys(tags);
  if (keys.length === 0) return name;
  keys.sort();
  return `${name}{${keys.map((k) => `${k}=${tags[k]}`).join(',')}}`;
}

/** `k=v` strings (CLI `--tag`) to a tag object. */
export function parseTagPairs(pairs: readonly string[]): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const p of pairs) {
    const eq = p.indexOf('=');
    if (eq <= 0) throw new AppError('usage', `tag "${p}" must look like key=value`);
    tags[p.slice(0, eq)] = p.slice(eq + 1);
  }
  return tags;
}

/** A timestamp from CSV or CLI: ISO-8601 (naive = UTC), or epoch seconds. Returns ms or null. */
export function parseTimestamp(text: string): number | null {
  const t = text.trim();
  if (t === '') return null;
  if (/^-?\d+(\.\d+)?$/.test(t)) {
    const n = Number(t);
    // epoch seconds; values that can only be milliseconds are taken as such
    return n > 1e11 ? Math.round(n) : Math.round(n * 1000);
  }
  // "2014-02-14 14:30:00" (NAB style, no zone) is read as UTC
  const iso = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(t) ? `${t.replace(' ', 'T')}Z` : t;
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? ms : null;
}

/** Durations like 90s, 15m, 24h, 30d, 1w (and plain seconds) to milliseconds. */
export function parseDuration(text: string): number | null {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)?$/.exec(text.trim());
  if (!m) return null;
  const n = Number(m[1]);
  const unit = m[2] ?? 's';
  const mult = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[unit]!;
  return n * mult;
}
