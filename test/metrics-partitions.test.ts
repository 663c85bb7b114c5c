import { afterAll, beforeAll, expect, it } from 'vitest';
import type { SqlStore } from '../server/store/index.js';
import { forEachStore, openTestStore, type StoreKind } from './helpers.js';

const DAY = 86_400_000;
const day0 = Date.UTC(2026, 10, 20);

forEachStore('metric retention', (kind: StoreKind) => {
  let store: SqlStore;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ store, cleanup } = await openTestStore(kind));
    await store.orgs.insert({ id: 'org_m', name: 'm', createdAt: 0 });
  });
  afterAll(async () => cleanup());

  it('keeps points of every day queryable and drops what is older than the retention, a whole day at a time on PostgreSQL', async () => {
    const points = [0, 1, 2].flatMap((d) => [0, 6, 12].map((h) => ({ name: 'cpu', tags: { host: 'a' }, at: day0 + d * DAY + h * 3_600_000, value: d * 10 + h })));
    await store.metrics.insertPoints('org_m', points);
    expect(await store.metrics.recentPoints('org_m', 'cpu', day0, 100)).toHaveLength(9);
    if (kind === 'postgres') {
      const parts = await store.db.all<{ name: string }>(
        "SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent JOIN pg_namespace n ON n.oid = p.relnamespace WHERE p.relname = 'system_metrics' AND n.nspname = current_schema() ORDER BY 1",
      );
      expect(parts.map((p) => p.name)).toEqual(['system_metrics_d20261120', 'system_metrics_d20261121', 'system_metrics_d20261122', 'system_metrics_default']);
    }
    await store.metrics.prune('org_m', day0 + 2 * DAY, 0);
    const left = await store.metrics.recentPoints('org_m', 'cpu', 0, 100);
    expect(left.map((p) => p.at - day0)).toEqual([0, 6, 12].map((h) => 2 * DAY + h * 3_600_000));
  });
});
