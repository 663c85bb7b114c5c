import type { Migration } from './types.js';
import { foundationMigrations } from './foundation.js';
import { routingMigrations } from './routing.js';
import { healingMigrations } from './healing.js';
import { complianceMigrations } from './compliance.js';
import { workloadMigrations } from './workload.js';
import { assistantMigrations } from './assistant.js';
import { scaleMigrations } from './scale.js';
import { hardeningMigrations } from './hardening.js';

export type { Migration } from './types.js';

/** Every migration of every area, in version order. */
export const allMigrations: Migration[] = [
  ...foundationMigrations,
  ...routingMigrations,
  ...healingMigrations,
  ...complianceMigrations,
  ...workloadMigrations,
  ...assistantMigrations,
  ...scaleMigrations,
  ...hardeningMigrations,
].sort((a, b) => a.version - b.version);
