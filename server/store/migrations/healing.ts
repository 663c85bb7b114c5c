import type { Migration } from './types.js';
import { healingActionMigrations } from './healing-actions.js';

/** The healing area's schema (versions per docs/extending.md). */
export const healingMigrations: Migration[] = [...healingActionMigrations];
