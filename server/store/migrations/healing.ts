import type { Migration } from './types.js';
import { healingActionMigrations } from './healing-actions.js';
import { healingDetectionMigrations } from './healing-detection.js';

/** The healing area's schema (versions per docs/extending.md). */
export const healingMigrations: Migration[] = [...healingDetectionMigrations, ...healingActionMigrations];
