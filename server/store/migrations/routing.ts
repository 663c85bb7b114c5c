import type { Migration } from './types.js';

/** The routing area's schema (versions per docs/extending.md). */
export const routingMigrations: Migration[] = [];
