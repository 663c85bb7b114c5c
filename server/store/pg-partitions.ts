import type { SqlDb } from './sql.js';

/**
 * On PostgreSQL, system_metrics is range-partitioned by day on `at` (epoch ms). A day's partition is
 * made before its first point arrives, and retention drops whole days instead of deleting rows.
 */
const DAY = 86_400_000;
const made = new WeakMap<SqlDb, Set<number>>();

export const partitionName = (day: number): string => `system_metrics_d${new Date(day).toISOString().slice(0, 10).replace(/-/g, '')}`;

/** Creates the daily partitions that points at these times need (inside the caller's transaction). */
export async function ensureDailyPartitions(root: SqlDb, db: SqlDb, ats: Iterable<number>): Promise<void> {
  if (db.dialect !== 'postgres') return;
  let known = made.get(root);
  if (!known) made.set(root, (known = new Set()));
  const days = new Set<number>();
  for (const at of ats) days.add(at - (((at % DAY) + DAY) % DAY));
  const missing = [...days].filter((d) => !known.has(d));
  if (missing.length === 0) return;
  // Daemons that ingest the same new day at once must not both create its partition.
  await db.run("SELECT pg_advisory_xact_lock(hashtext('system_metrics_partitions'))");
  for (const day of missing) {
    await db.exec(`CREATE TABLE IF NOT EXISTS ${partitionName(day)} PARTITION OF system_metrics FOR VALUES FROM (${day}) TO (${day + DAY})`);
  }
  db.onCommit(() => missing.forEach((d) => known.add(d)));
}

/** Drops the daily partitions that end before `before`; returns how many. */
export async function dropPartitionsBefore(root: SqlDb, before: number): Promise<number> {
  if (root.dialect !== 'postgres') return 0;
  const rows = await root.all<{ name: string }>(
    `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
     JOIN pg_namespace n ON n.oid = p.relnamespace
     WHERE p.relname = 'system_metrics' AND n.nspname = current_schema()`,
  );
  let dropped = 0;
  for (const { name } of rows) {
    const m = /^system_metrics_d(\d{4})(\d{2})(\d{2})$/.exec(name);
    if (!m) continue;
    const day = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
    if (day + DAY <= before) {
      await root.exec(`DROP TABLE IF EXISTS ${name}`);
      made.get(root)?.delete(day);
      dropped++;
    }
  }
  return dropped;
}
