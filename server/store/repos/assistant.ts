import type { AssistantRepo } from '../../../core/assistant/ports.js';
import type { SqlDb } from '../sql.js';

/** The assistant area's tables. Filled in by the assistant engine. */
export class SqlAssistantRepo implements AssistantRepo {
  constructor(protected readonly db: SqlDb) {}
}
