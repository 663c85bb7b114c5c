import { portable, type Migration } from './types.js';

/** The compliance area's schema: rules, violations, task status history, clock pauses, calendars (300-399). */
export const complianceMigrations: Migration[] = [
  portable(300, 'compliance rules, violations, status history, pauses and calendars', `
CREATE TABLE compliance_rules (
  id TEXT PRIMARY KEY,
  organization_id TEXT NOT NULL,
  name TEXT NOT NULL,
  type TEXT NOT NULL,
  severity TEXT NOT NULL,
  enabled INTEGER NOT NULL DEFAULT 1,
  definition TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  UNIQUE (organization_id, name)
);
CREATE TABLE violations (
  id TEXT PRIMARY KEY,
  organization_id TEXT NOT NULL,
  rule_id TEXT NOT NULL,
  rule_name TEXT NOT NULL,
  rule_type TEXT NOT NULL,
  severity TEXT NOT NULL,
  entity_kind TEXT NOT NULL,
  entity_id TEXT NOT NULL,
  team_id TEXT,
  priority TEXT,
  status TEXT NOT NULL,
  message TEXT NOT NULL,
  since BIGINT NOT NULL,
  detected_at BIGINT NOT NULL,
  opened_at BIGINT,
  acknowledged_at BIGINT,
  acknowledged_by TEXT,
  resolved_at BIGINT,
  resolved_by TEXT,
  resolution TEXT,
  waived_at BIGINT,
  waived_by TEXT,
  waiver_reason TEXT,
  waiver_expires_at BIGINT,
  updated_at BIGINT NOT NULL
);
CREATE INDEX violations_org_status ON violations (organization_id, status);
CREATE INDEX violations_org_entity ON violations (organization_id, entity_id);
CREATE INDEX violations_org_detected ON violations (organization_id, detected_at);
CREATE TABLE compliance_task_status (
  organization_id TEXT NOT NULL,
  task_id TEXT NOT NULL,
  status TEXT NOT NULL,
  at BIGINT NOT NULL
);
CREATE INDEX compliance_task_status_task ON compliance_task_status (organization_id, task_id, at);
CREATE TABLE compliance_pauses (
  organization_id TEXT NOT NULL,
  task_id TEXT NOT NULL,
  reason TEXT NOT NULL,
  from_at BIGINT NOT NULL,
  to_at BIGINT
);
CREATE INDEX compliance_pauses_task ON compliance_pauses (organization_id, task_id);
CREATE TABLE compliance_calendars (
  organization_id TEXT NOT NULL,
  name TEXT NOT NULL,
  definition TEXT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (organization_id, name)
);
`),
  // Looking up the active violations of one entity is the hot query of per-change evaluation; without
  // statistics SQLite preferred the detected_at index and scanned every violation of the organisation.
  portable(301, 'compliance: index violations by entity and status', `
DROP INDEX violations_org_detected;
CREATE INDEX violations_org_entity_status ON violations (organization_id, entity_id, status);
`),
  // A sweep refreshes its working set with the tasks changed since the last sweep; without this index
  // that query read the whole tasks table every minute.
  portable(302, 'compliance: index tasks by update time', `
CREATE INDEX compliance_tasks_org_updated ON tasks (organization_id, updated_at);
`),
  // At most one active violation per rule and entity, even if two daemons evaluate the same change.
  portable(303, 'compliance: one active violation per rule and entity', `
CREATE UNIQUE INDEX violations_one_active ON violations (organization_id, rule_id, entity_id)
  WHERE status IN ('pending', 'open', 'acknowledged', 'waived');
`),
  // The compliance score counts each team's tasks of the last 30 days; by (org, team) alone SQLite read
  // every such task row to check its date, tens of milliseconds per sweep under load.
  portable(304, 'compliance: index tasks by team and creation time', `
DROP INDEX tasks_org_team;
CREATE INDEX tasks_org_team_created ON tasks (organization_id, team_id, created_at);
`),
];
