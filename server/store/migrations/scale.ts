import type { Migration } from './types.js';

/** Scale-out (600-699): system_metrics partitioned by day on PostgreSQL; SQLite keeps one table. */
export const scaleMigrations: Migration[] = [
  {
    version: 600,
    name: 'system_metrics range-partitioned by day (PostgreSQL)',
    sqlite: 'SELECT 1',
    postgres: `
ALTER TABLE system_metrics RENAME TO system_metrics_single;
ALTER INDEX system_metrics_series_at RENAME TO system_metrics_single_series_at;
CREATE TABLE system_metrics (
  organization_id TEXT NOT NULL,
  series_id BIGINT NOT NULL,
  at BIGINT NOT NULL,
  value DOUBLE PRECISION NOT NULL
) PARTITION BY RANGE (at);
CREATE INDEX system_metrics_series_at ON system_metrics (series_id, at);
-- points for a day without its partition (none are expected: partitions are made before inserts)
CREATE TABLE system_metrics_default PARTITION OF system_metrics DEFAULT;
INSERT INTO system_metrics (organization_id, series_id, at, value) SELECT organization_id, series_id, at, value FROM system_metrics_single;
DROP TABLE system_metrics_single`,
  },
];
