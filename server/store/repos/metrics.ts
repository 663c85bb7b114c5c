import type { MetricsRepo } from '../../../core/metrics/ports.js';
import type { SqlDb } from '../sql.js';

/** The metrics area's tables. Filled in by the metrics engine. */
export class SqlMetricsRepo implements MetricsRepo {
  constructor(protected readonly db: SqlDb) {}
}
