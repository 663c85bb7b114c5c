import type { MetricPoint } from './model.js';

/** One time bucket of a series (or of every series of a name, merged). */
export interface MetricBucket {
  start: number;
  count: number;
  avg: number;
  min: number;
  max: number;
}

export interface MetricQuery {
  name: string;
  since: number;
  until: number;
  bucketMs: number;
  /** Only series carrying all these tags. */
  tags?: Record<string, string>;
}

export interface MetricNameSummary {
  name: string;
  series: number;
  points: number;
  lastAt: number;
}

/** What the metrics engine needs from the store (system_metrics + its hourly rollup). */
export interface MetricsRepo {
  /** Appends points and folds them into the hourly rollup (avg/min/max) in the same transaction. */
  insertPoints(orgId: string, points: readonly MetricPoint[]): Promise<number>;
  /** Buckets of `bucketMs`; whole hours are read from the rollup, finer buckets from raw points. */
  queryBuckets(orgId: string, q: MetricQuery): Promise<MetricBucket[]>;
  /** Raw points of one name, oldest first (for verify steps and the detector's replay). */
  recentPoints(orgId: string, name: string, since: number, limit: number): Promise<MetricPoint[]>;
  listNames(orgId: string): Promise<MetricNameSummary[]>;
  /** Retention: drops raw points older than `rawBefore` and rollup hours older than `rollupBefore`. */
  prune(orgId: string, rawBefore: number, rollupBefore: number): Promise<number>;
}
