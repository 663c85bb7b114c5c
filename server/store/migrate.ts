import type { SqlDb } from './sql.js';
import type { Migration } from './migrations/types.js';

/**
 * Applies every pending migration in one transaction: a failure leaves the schema as it was.
 * On PostgreSQL an advisory lock keeps daemons that start together from migrating twice.
 */
export async function migrate(db: SqlDb, migrations: Migration[], now: number): Promise<number[]> {
  const seen = new Set<number>();
  for (const m of migrations) {
    if (seen.has(m.version)) throw new Error(`two migrations share version ${m.version}`);
    seen.add(m.version);
  }
  return db.transaction(async (tx) => {
    if (tx.dialect === 'postgres') await tx.run('SELECT pg_advisory_xact_lock(7717001)');
    await tx.exec(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)',
    );
    const rows = await tx.all<{ version: number }>('SELECT version FROM schema_migrations');
    const applied = new Set(rows.map((r) => Number(r.version)));
    const done: number[] = [];
    for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
      if (applied.has(m.version)) continue;
      try {
        await tx.exec(tx.dialect === 'sqlite' ? m.sqlite : m.postgres);
      } catch (err) {
        throw new Error(`migration ${m.version} (${m.name}) failed: ${(err as Error).message}`);
      }
      await tx.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [m.version, m.name, now]);
      done.push(m.version);
    }
    return done;
  });
}
