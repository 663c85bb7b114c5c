import { portable, type Migration } from './types.js';

/** The action half of healing: playbooks, actions with their step records, and the durable job queue (250-299). */
export const healingActionMigrations: Migration[] = [
  portable(250, 'healing playbooks, actions, steps and the job queue', `
CREATE TABLE playbooks (
  id TEXT PRIMARY KEY,
  organization_id TEXT NOT NULL,
  name TEXT NOT NULL,
  spec TEXT NOT NULL,
  source TEXT NOT NULL,
  enabled INTEGER NOT NULL DEFAULT 1,
  disabled_reason TEXT,
  enabled_at BIGINT NOT NULL,
  version INTEGER NOT NULL DEFAULT 1,
  created_by TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  UNIQUE (organization_id, name)
);
CREATE TABLE healing_actions (
  id TEXT PRIMARY KEY,
  organization_id TEXT NOT NULL,
  playbook_id TEXT NOT NULL,
  playbook_name TEXT NOT NULL,
  spec TEXT NOT NULL,
  issue_id TEXT,
  issue TEXT,
  target TEXT NOT NULL,
  status TEXT NOT NULL,
  phase TEXT NOT NULL DEFAULT 'main',
  trigger_kind TEXT NOT NULL,
  started_by TEXT NOT NULL,
  started_by_user_id TEXT,
  approval TEXT,
  error TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  started_at BIGINT,
  finished_at BIGINT
);
CREATE INDEX healing_actions_status ON healing_actions (organization_id, status, created_at);
CREATE INDEX healing_actions_target ON healing_actions (organization_id, target, created_at);
CREATE INDEX healing_actions_playbook ON healing_actions (organization_id, playbook_id, finished_at);
CREATE TABLE healing_action_steps (
  organization_id TEXT NOT NULL,
  action_id TEXT NOT NULL,
  phase TEXT NOT NULL,
  step_id TEXT NOT NULL,
  position INTEGER NOT NULL,
  type TEXT NOT NULL,
  status TEXT NOT NULL,
  attempt INTEGER NOT NULL,
  idempotent INTEGER NOT NULL,
  rendered TEXT,
  output TEXT NOT NULL DEFAULT '{}',
  error TEXT,
  started_at BIGINT NOT NULL,
  finished_at BIGINT,
  PRIMARY KEY (action_id, phase, step_id)
);
CREATE TABLE jobs (
  id TEXT PRIMARY KEY,
  organization_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  payload TEXT NOT NULL,
  job_key TEXT,
  status TEXT NOT NULL,
  run_at BIGINT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  locked_by TEXT,
  locked_until BIGINT,
  last_error TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX jobs_due ON jobs (status, run_at);
CREATE INDEX jobs_key ON jobs (job_key, status);
`),
  // A job asked for again while it runs is not duplicated (two workers on one action): it runs once more after.
  portable(251, 'jobs: rerun flag', 'ALTER TABLE jobs ADD COLUMN rerun INTEGER NOT NULL DEFAULT 0'),
  // Every daemon hears issue.detected; this key lets exactly one of them start the playbook for the issue.
  portable(252, 'healing_actions: one automatic action per playbook and issue', `
ALTER TABLE healing_actions ADD COLUMN dedupe_key TEXT;
CREATE UNIQUE INDEX healing_actions_dedupe ON healing_actions (organization_id, dedupe_key);
`),
];
