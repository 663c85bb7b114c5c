/**
 * A small dialect-neutral SQL layer. Repositories write SQL once with `?` placeholders, times as
 * BIGINT epoch ms, booleans as INTEGER 0/1 and JSON as TEXT; the SQLite and PostgreSQL adapters run it.
 */
export type Dialect = 'sqlite' | 'postgres';
export type SqlValue = string | number | bigint | boolean | null | undefined | Buffer;

export interface SqlDb {
  readonly dialect: Dialect;
  all<T = Record<string, unknown>>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  get<T = Record<string, unknown>>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined>;
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
  /** Runs several statements separated by semicolons (migrations). */
  exec(sql: string): Promise<void>;
  /** One transaction; nested calls join the outer one. */
  transaction<T>(fn: (tx: SqlDb) => Promise<T>): Promise<T>;
  /** Inside a transaction: runs after COMMIT and before the next transaction begins. */
  onCommit(fn: () => void): void;
  close(): Promise<void>;
}

/** Rewrites `?` placeholders to `$1, $2, …`, leaving quoted text alone. */
export function toPostgresPlaceholders(sql: string): string {
  let out = '';
  let n = 0;
  let quote: string | null = null;
  for (let i = 0; i < sql.length; i++) {
    const ch = sql[i]!;
    if (quote) {
      if (ch === quote) quote = null;
      out += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      out += ch;
    } else if (ch === '?') {
      out += `$${++n}`;
    } else {
      out += ch;
    }
  }
  return out;
}

export function normaliseParams(params: readonly SqlValue[] | undefined): unknown[] {
  if (!params) return [];
  return params.map((v) => (v === undefined ? null : typeof v === 'boolean' ? (v ? 1 : 0) : v));
}

/** JSON columns: stored as TEXT in both dialects. */
export const json = (value: unknown): string => JSON.stringify(value ?? null);
export function parseJson<T>(text: unknown, fallback: T): T {
  if (typeof text !== 'string' || text === '') return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}
export const bool = (v: unknown): boolean => v === 1 || v === true || v === '1';
export const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v));
export const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/** Values per IN list: a power of two (so padding stays within it), far below both dialects' limits. */
export const MAX_IN = 512;

/**
 * Placeholders for an `IN (…)` list, padded to the next power of two by repeating the last value (which
 * changes nothing): the SQL then comes in a handful of lengths, and each is prepared once and reused
 * instead of one statement per list length.
 */
export function inList<T extends SqlValue>(values: readonly T[]): { marks: string; values: T[] } {
  let size = 1;
  while (size < values.length) size *= 2;
  const padded = [...values];
  while (padded.length < size && padded.length > 0) padded.push(values[values.length - 1]!);
  return { marks: padded.map(() => '?').join(', '), values: padded };
}

/** `list` in consecutive parts of at most `size`. */
export function chunks<T>(list: readonly T[], size = MAX_IN): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

/** inList for each part of at most MAX_IN values: one query per part. */
export const inLists = <T extends SqlValue>(values: readonly T[]): { marks: string; values: T[] }[] => chunks(values).map(inList);

/**
 * `list` in parts whose sizes are powers of two, largest first, none above `max`: multi-row INSERTs
 * then come in a handful of statement shapes, each prepared once (see inList).
 */
export function powerOfTwoParts<T>(list: readonly T[], max: number): T[][] {
  const out: T[][] = [];
  let i = 0;
  for (let size = max; size >= 1; size = Math.floor(size / 2)) {
    for (; list.length - i >= size; i += size) out.push(list.slice(i, i + size));
  }
  return out;
}

/** `(?, ?, …), (?, ?, …)`: the VALUES of a multi-row INSERT of `rows` rows of `columns` columns. */
export function valueRows(rows: number, columns: number): string {
  const row = `(${Array(columns).fill('?').join(', ')})`;
  return Array(rows).fill(row).join(', ');
}
