import { portable, type Migration } from './types.js';

/** Series get an id (its type differs per dialect); points refer to it instead of repeating name and tags. */
const metricSeriesTables = (autoId: string): string => `
CREATE TABLE metric_series (
  id ${autoId},
  organization_id TEXT NOT NULL,
  name TEXT NOT NULL,
  series TEXT NOT NULL,
  tags TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  UNIQUE (organization_id, series)
);
CREATE INDEX metric_series_name ON metric_series (organization_id, name);
DROP TABLE system_metrics;
CREATE TABLE system_metrics (
  organization_id TEXT NOT NULL,
  series_id BIGINT NOT NULL,
  at BIGINT NOT NULL,
  value DOUBLE PRECISION NOT NULL
);
CREATE INDEX system_metrics_series_at ON system_metrics (series_id, at)`;

/** The detection half of healing (200-249): issues, detector state, health checks, system metrics. */
export const healingDetectionMigrations: Migration[] = [
  portable(200, 'healing issues, anomaly detector state and health checks', `
CREATE TABLE issues (
  id TEXT PRIMARY KEY,
  organization_id TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  source TEXT NOT NULL,
  severity TEXT NOT NULL,
  status TEXT NOT NULL,
  title TEXT NOT NULL,
  description TEXT,
  labels TEXT NOT NULL,
  annotations TEXT NOT NULL,
  metric TEXT,
  value DOUBLE PRECISION,
  score DOUBLE PRECISION,
  occurrences INTEGER NOT NULL,
  first_seen_at BIGINT NOT NULL,
  last_seen_at BIGINT NOT NULL,
  resolved_at BIGINT,
  resolution TEXT,
  resolved_by TEXT
);
CREATE INDEX issues_status ON issues (organization_id, status, last_seen_at);
CREATE UNIQUE INDEX issues_open_fingerprint ON issues (organization_id, fingerprint) WHERE status = 'open';
CREATE TABLE anomaly_detector_state (
  organization_id TEXT NOT NULL,
  series_key TEXT NOT NULL,
  state TEXT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (organization_id, series_key)
);
CREATE TABLE health_checks (
  id TEXT PRIMARY KEY,
  organization_id TEXT NOT NULL,
  name TEXT NOT NULL,
  spec TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  UNIQUE (organization_id, name)
)`),
  portable(201, 'system metrics with an hourly rollup', `
CREATE TABLE system_metrics (
  organization_id TEXT NOT NULL,
  name TEXT NOT NULL,
  series TEXT NOT NULL,
  tags TEXT NOT NULL,
  at BIGINT NOT NULL,
  value DOUBLE PRECISION NOT NULL
);
CREATE INDEX system_metrics_name_at ON system_metrics (organization_id, name, at);
CREATE TABLE system_metrics_hourly (
  organization_id TEXT NOT NULL,
  name TEXT NOT NULL,
  series TEXT NOT NULL,
  tags TEXT NOT NULL,
  hour BIGINT NOT NULL,
  count INTEGER NOT NULL,
  sum DOUBLE PRECISION NOT NULL,
  min DOUBLE PRECISION NOT NULL,
  max DOUBLE PRECISION NOT NULL,
  PRIMARY KEY (organization_id, series, hour)
);
CREATE INDEX system_metrics_hourly_name ON system_metrics_hourly (organization_id, name, hour)`),
  // Points refer to a series row instead of repeating name and tags: a third of the bytes per point,
  // which is what batch ingest spends its time writing.
  {
    version: 202,
    name: 'metric series table; system_metrics points by series id',
    sqlite: metricSeriesTables('INTEGER PRIMARY KEY AUTOINCREMENT'),
    postgres: metricSeriesTables('BIGSERIAL PRIMARY KEY'),
  },
];
