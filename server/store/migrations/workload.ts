import { portable, type Migration } from './types.js';

const schema = (real: string): string => `
CREATE TABLE workload_snapshots (
  organization_id TEXT NOT NULL,
  member_id TEXT NOT NULL,
  team_id TEXT,
  day TEXT NOT NULL,
  time_zone TEXT NOT NULL,
  active_tasks INTEGER NOT NULL,
  max_concurrent INTEGER NOT NULL,
  hours_inside ${real} NOT NULL,
  hours_outside ${real} NOT NULL,
  capacity_hours ${real} NOT NULL,
  utilization ${real},
  pages INTEGER NOT NULL,
  p1_assignments INTEGER NOT NULL,
  approvals_out_of_hours INTEGER NOT NULL,
  interruptions INTEGER NOT NULL,
  on_call INTEGER NOT NULL,
  on_call_hours ${real} NOT NULL,
  after_hours_work INTEGER NOT NULL,
  consecutive_on_call_days INTEGER NOT NULL,
  consecutive_after_hours_days INTEGER NOT NULL,
  defaults TEXT NOT NULL DEFAULT '[]',
  partial INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (organization_id, member_id, day)
);
CREATE INDEX workload_snapshots_day ON workload_snapshots (organization_id, day);
CREATE INDEX workload_snapshots_team ON workload_snapshots (organization_id, team_id, day);
CREATE TABLE workload_risk_state (
  organization_id TEXT NOT NULL,
  member_id TEXT NOT NULL,
  level TEXT NOT NULL,
  score INTEGER NOT NULL,
  day TEXT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (organization_id, member_id)
);
CREATE TABLE workload_alerts (
  id TEXT PRIMARY KEY,
  organization_id TEXT NOT NULL,
  member_id TEXT NOT NULL,
  day TEXT NOT NULL,
  from_level TEXT NOT NULL,
  to_level TEXT NOT NULL,
  kind TEXT NOT NULL,
  score INTEGER NOT NULL,
  factors TEXT NOT NULL DEFAULT '[]',
  at BIGINT NOT NULL
);
CREATE INDEX workload_alerts_org ON workload_alerts (organization_id, at);
`;

/** The workload area's schema (versions 400-499, per docs/extending.md). */
export const workloadMigrations: Migration[] = [
  { version: 400, name: 'workload snapshots, risk state and alerts', sqlite: schema('REAL'), postgres: schema('DOUBLE PRECISION') },
  portable(401, 'workload on-call shifts', `
CREATE TABLE workload_on_call_shifts (
  id TEXT PRIMARY KEY,
  organization_id TEXT NOT NULL,
  member_id TEXT NOT NULL,
  start_at BIGINT NOT NULL,
  end_at BIGINT NOT NULL
);
CREATE INDEX workload_on_call_member ON workload_on_call_shifts (organization_id, member_id, end_at);
`),
  // GET /v1/workload/snapshots?team= pages in (member, day) order: this index serves that order for one
  // team, so a page reads about as many rows as it returns (the primary key serves it for the whole org).
  portable(402, 'workload snapshots: (team, member, day) index for paging', `
CREATE INDEX workload_snapshots_team_member ON workload_snapshots (organization_id, team_id, member_id, day);
`),
];
