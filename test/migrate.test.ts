import { afterAll, beforeAll, expect, it } from 'vitest';
import { migrate } from '../server/store/migrate.js';
import { portable } from '../server/store/migrations/types.js';
import type { SqlStore } from '../server/store/index.js';
import { forEachStore, openTestStore, type StoreKind } from './helpers.js';

forEachStore('migrations', (kind: StoreKind) => {
  let store: SqlStore;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ store, cleanup } = await openTestStore(kind));
  });
  afterAll(async () => cleanup());

  const tableExists = async (name: string): Promise<boolean> => {
    const sql = kind === 'sqlite'
      ? "SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?"
      : 'SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ?';
    return (await store.db.get(sql, [name])) !== undefined;
  };

  it('applies nothing when one of the pending migrations fails, and says which', async () => {
    const good = portable(9001, 'a good one', 'CREATE TABLE mig_good (id TEXT PRIMARY KEY)');
    const bad = portable(9002, 'a broken one', 'CREATE TABLE mig_bad (id TEXT PRIMARY KEY, oops NOT A TYPE (')
    await expect(migrate(store.db, [good, bad], 1)).rejects.toThrow(/migration 9002 \(a broken one\) failed/);
    expect(await tableExists('mig_good')).toBe(false);
    expect(await store.db.get('SELECT version FROM schema_migrations WHERE version = 9001')).toBeUndefined();
  });

  it('applies each migration once, however often it runs', async () => {
    const m = portable(9003, 'once', 'CREATE TABLE mig_once (id TEXT PRIMARY KEY)');
    expect(await migrate(store.db, [m], 1)).toEqual([9003]);
    expect(await migrate(store.db, [m], 2)).toEqual([]);
    expect(await tableExists('mig_once')).toBe(true);
  });

  it('refuses two migrations with the same version', async () => {
    await expect(migrate(store.db, [portable(9004, 'a', 'SELECT 1'), portable(9004, 'b', 'SELECT 1')], 1)).rejects.toThrow(/share version 9004/);
  });
});
