import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SqliteDb } from '../server/store/sqlite.js';
import { eventually } from './helpers.js';

type Opener = { open(file: string): SqliteDb };

/**
 * The writer never checkpoints; once the log passes 4 MB a checkpoint copies it into the database file
 * (on a worker thread when compiled, on the daemon's thread when run from sources): the database file
 * grows while only the log was written to.
 */
async function checkpointsAWal(Db: Opener): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'foundry-wal-'));
  const file = join(dir, 'wal.db');
  const db = Db.open(file);
  try {
    await db.exec('CREATE TABLE blobs (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
    const before = statSync(file).size;
    const body = 'x'.repeat(4000);
    for (let i = 0; i < 6; i++) {
      await db.transaction(async (tx) => {
        for (let k = 0; k < 250; k++) await tx.run('INSERT INTO blobs (body) VALUES (?)', [body]);
      });
    }
    expect(statSync(`${file}-wal`).size).toBeGreaterThan(4 * 1024 * 1024);
    await eventually(() => statSync(file).size > before + 4 * 1024 * 1024, 10_000, 'the log to be checkpointed into the database file');
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('SQLite write-ahead log', () => {
  it('is checkpointed once it passes 4 MB, from the sources (on the daemon\'s thread)', () => checkpointsAWal(SqliteDb), 30_000);

  it('is checkpointed once it passes 4 MB, compiled (on a worker thread)', async () => {
    const compiled = (await import(new URL('../dist/server/store/sqlite.js', import.meta.url).href)) as { SqliteDb: Opener };
    await checkpointsAWal(compiled.SqliteDb);
  }, 30_000);
});
