import type { RoutingRepo } from '../../../core/routing/ports.js';
import type { SqlDb } from '../sql.js';

/** The routing area's tables. Filled in by the routing engine. */
export class SqlRoutingRepo implements RoutingRepo {
  constructor(protected readonly db: SqlDb) {}
}
