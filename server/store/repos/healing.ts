import type { HealingRepo } from '../../../core/healing/ports.js';
import type { SqlDb } from '../sql.js';
import { SqlHealingActionRepo } from './healing-actions.js';

/** The healing area's tables. Filled in by the healing engine. */
// The action half (playbooks, actions, steps) lives in ./healing-actions.ts; this class adds the detection half.
export class SqlHealingRepo extends SqlHealingActionRepo implements HealingRepo {
  constructor(db: SqlDb) {
    super(db);
  }
}
