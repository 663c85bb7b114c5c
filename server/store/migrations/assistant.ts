import type { Migration } from './types.js';

/** The assistant area's schema (versions per docs/extending.md). */
export const assistantMigrations: Migration[] = [];
