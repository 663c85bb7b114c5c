// Pure text helpers shared by the row renderers. Every function returns exactly the width asked for
// (when it takes one), so tables line up without measuring.

/** Cut to `width` columns, marking the cut with an ellipsis. */
export function truncate(text: string, width: number): string {
  if (width <= 0) return '';
  const flat = text.replace(/[\r\n\t]+/g, ' ');
  if (flat.length <= width) return flat;
  return width === 1 ? '…' : `${flat.slice(0, width - 1)}…`;
}

export function fit(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  const t = truncate(text, width);
  return align === 'right' ? t.padStart(width) : t.padEnd(width);
}

/** "12s", "5m", "3h", "2d": how long ago `at` was, as seen at `now`. */
export function age(at: number, now: number): string {
  const s = Math.max(0, Math.round((now - at) / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h`;
  return `${Math.floor(h / 24)}d`;
}

/** "in 4m" / "5m late": time left until `due`. */
export function until(due: number, now: number): string {
  return due >= now ? `in ${age(now, due)}` : `${age(due, now)} late`;
}

export function percent(fraction: number): string {
  return `${Math.round(fraction * 100)}%`;
}

/** A load bar such as "██████░░░░"; values above 1 fill it completely. */
export function bar(fraction: number, width: number): string {
  if (width <= 0) return '';
  const clamped = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
  const full = Math.round(clamped * width);
  return '█'.repeat(full) + '░'.repeat(width - full);
}

const TICKS = '▁▂▃▄▅▆▇█';

/** The last `width` points as a sparkline scaled between their own min and max. */
export function sparkline(points: readonly number[], width: number): string {
  if (width <= 0) return '';
  const shown = points.filter((p) => Number.isFinite(p)).slice(-width);
  if (shown.length === 0) return ' '.repeat(width);
  const min = Math.min(...shown);
  const max = Math.max(...shown);
  const span = max - min;
  const line = shown
    .map((p) => TICKS[span === 0 ? 3 : Math.round(((p - min) / span) * (TICKS.length - 1))])
    .join('');
  return line.padStart(width);
}

/** Compact number: 0.42, 12.5, 1.2k, 3.4M. */
export function compact(n: number | null): string {
  if (n === null || !Number.isFinite(n)) return '-';
  const a = Math.abs(n);
  if (a >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (a >= 1e4) return `${(n / 1e3).toFixed(1)}k`;
  if (a >= 100 || Number.isInteger(n)) return String(Math.round(n));
  return a >= 10 ? n.toFixed(1) : n.toFixed(2);
}
