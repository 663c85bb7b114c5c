import type { Migration } from './types.js';

const tables = (autoId: string): string => `
CREATE TABLE orgs (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  created_at BIGINT NOT NULL
);
CREATE TABLE teams (
  id TEXT PRIMARY KEY,
  organization_id TEXT NOT NULL REFERENCES orgs(id),
  name TEXT NOT NULL,
  description TEXT,
  timezone TEXT,
  working_hours TEXT,
  holidays TEXT NOT NULL DEFAULT '[]',
  created_at BIGINT NOT NULL,
  UNIQUE (organization_id, name)
);
CREATE TABLE members (
  id TEXT PRIMARY KEY,
  organization_id TEXT NOT NULL REFERENCES orgs(id),
  team_id TEXT REFERENCES teams(id),
  name TEXT NOT NULL,
  email TEXT,
  skills TEXT NOT NULL DEFAULT '{}',
  timezone TEXT,
  working_hours TEXT,
  capacity INTEGER NOT NULL DEFAULT 5,
  calendar_url TEXT,
  on_call INTEGER NOT NULL DEFAULT 0,
  active INTEGER NOT NULL DEFAULT 1,
  created_at BIGINT NOT NULL,
  UNIQUE (organization_id, name)
);
CREATE INDEX members_team ON members (organization_id, team_id);
CREATE TABLE users (
  id TEXT PRIMARY KEY,
  organization_id TEXT NOT NULL REFERENCES orgs(id),
  name TEXT NOT NULL,
  role TEXT NOT NULL,
  member_id TEXT REFERENCES members(id),
  created_at BIGINT NOT NULL,
  UNIQUE (organization_id, name)
);
CREATE TABLE tokens (
  id TEXT PRIMARY KEY,
  organization_id TEXT NOT NULL REFERENCES orgs(id),
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at BIGINT NOT NULL,
  expires_at BIGINT,
  revoked_at BIGINT
);
CREATE INDEX tokens_user ON tokens (organization_id, user_id);
CREATE TABLE tasks (
  id TEXT PRIMARY KEY,
  organization_id TEXT NOT NULL REFERENCES orgs(id),
  title TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  priority TEXT NOT NULL,
  status TEXT NOT NULL,
  team_id TEXT REFERENCES teams(id),
  assignee_id TEXT REFERENCES members(id),
  tags TEXT NOT NULL DEFAULT '{}',
  source TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  acknowledged_at BIGINT,
  resolved_at BIGINT
);
CREATE INDEX tasks_org_created ON tasks (organization_id, created_at);
CREATE INDEX tasks_org_status ON tasks (organization_id, status);
CREATE INDEX tasks_org_assignee ON tasks (organization_id, assignee_id);
CREATE INDEX tasks_org_team ON tasks (organization_id, team_id);
CREATE TABLE events (
  id ${autoId},
  organization_id TEXT NOT NULL,
  type TEXT NOT NULL,
  at BIGINT NOT NULL,
  actor TEXT NOT NULL,
  subject TEXT,
  data TEXT NOT NULL
);
CREATE INDEX events_org_id ON events (organization_id, id);
CREATE INDEX events_at ON events (at);
CREATE TABLE audit_log (
  id ${autoId},
  organization_id TEXT NOT NULL,
  at BIGINT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  subject TEXT,
  summary TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE INDEX audit_org_id ON audit_log (organization_id, id);
`;

export const foundationMigrations: Migration[] = [
  {
    version: 1,
    name: 'foundation: orgs, teams, members, users, tokens, tasks, events, audit_log',
    sqlite: tables('INTEGER PRIMARY KEY AUTOINCREMENT'),
    postgres: tables('BIGSERIAL PRIMARY KEY'),
  },
];
