/**
 * Times are epoch milliseconds inside the daemon and ISO-8601 strings on the wire: every number in a
 * field whose name ends in `At` (createdAt, resolvedAt, at, …) is written as an ISO string.
 *
 * Only what changes is copied: a reply is mostly strings and nested data without times (a routing
 * decision's factors), which are passed through as they are rather than rebuilt key by key.
 */
export function toWire(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) {
    let out: unknown[] = value;
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      const w = toWire(v);
      if (w === v) continue;
      if (out === value) out = value.slice();
      out[i] = w;
    }
    return out;
  }
  const record = value as Record<string, unknown>;
  let out = record;
  for (const k of Object.keys(record)) {
    const v = record[k];
    let w: unknown;
    if (typeof v === 'number') {
      if (!isTimeField(k) || !Number.isFinite(v)) continue;
      w = new Date(v).toISOString();
    } else {
      if (v === null || typeof v !== 'object') continue;
      w = toWire(v);
      if (w === v) continue;
    }
    if (out === record) out = { ...record };
    out[k] = w;
  }
  return out;
}

function isTimeField(k: string): boolean {
  return k === 'at' || k.endsWith('At');
}
