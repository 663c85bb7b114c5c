/**
 * Times are epoch milliseconds inside the daemon and ISO-8601 strings on the wire: every number in a
 * field whose name ends in `At` (createdAt, resolvedAt, at, …) is written as an ISO string.
 */
export function toWire(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toWire);
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Date) return value.toISOString();
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = typeof v === 'number' && (k === 'at' || k.endsWith('At')) && Number.isFinite(v) ? new Date(v).toISOString() : toWire(v);
  }
  return out;
}
