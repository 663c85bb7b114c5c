import { portable, type Migration } from './types.js';

/** The hardening area's schema (versions 700-799, docs/extending.md). */
export const hardeningMigrations: Migration[] = [
  portable(
    700,
    'integration secrets, sealed with AES-256-GCM (server/secrets)',
    `CREATE TABLE integration_secrets (
       organization_id TEXT NOT NULL,
       name TEXT NOT NULL,
       value TEXT NOT NULL,
       key_id TEXT NOT NULL,
       created_by TEXT NOT NULL,
       created_at BIGINT NOT NULL,
       updated_at BIGINT NOT NULL,
       PRIMARY KEY (organization_id, name)
     )`,
  ),
];
