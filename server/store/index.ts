import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Repos, Store, Tx } from '../../core/ports.js';
import { migrate } from './migrate.js';
import { allMigrations } from './migrations/index.js';
import type { SqlDb } from './sql.js';
import { SqlAssistantRepo } from './repos/assistant.js';
import { SqlAuditRepo } from './repos/audit.js';
import { SqlComplianceRepo } from './repos/compliance.js';
import { SqlEventRepo } from './repos/events.js';
import { SqlHealingRepo } from './repos/healing.js';
import { SqlMemberRepo } from './repos/members.js';
import { SqlMetricsRepo } from './repos/metrics.js';
import { SqlOrgRepo } from './repos/orgs.js';
import { SqlRoutingRepo } from './repos/routing.js';
import { SqlTaskRepo } from './repos/tasks.js';
import { SqlTeamRepo } from './repos/teams.js';
import { SqlTokenRepo, SqlUserRepo } from './repos/users.js';
import { SqlWorkloadRepo } from './repos/workload.js';

function reposOver(db: SqlDb): Repos {
  return {
    orgs: new SqlOrgRepo(db),
    teams: new SqlTeamRepo(db),
    members: new SqlMemberRepo(db),
    users: new SqlUserRepo(db),
    tokens: new SqlTokenRepo(db),
    tasks: new SqlTaskRepo(db),
    events: new SqlEventRepo(db),
    audit: new SqlAuditRepo(db),
    routing: new SqlRoutingRepo(db),
    healing: new SqlHealingRepo(db),
    compliance: new SqlComplianceRepo(db),
    workload: new SqlWorkloadRepo(db),
    assistant: new SqlAssistantRepo(db),
    metrics: new SqlMetricsRepo(db),
  };
}

/** The one Store: repositories over a SQL database, with transactions that hand out tx-bound repositories. */
export class SqlStore implements Store {
  readonly kind: 'sqlite' | 'postgres';
  readonly orgs; readonly teams; readonly members; readonly users; readonly tokens; readonly tasks; readonly events;
  readonly audit; readonly routing; readonly healing; readonly compliance; readonly workload; readonly assistant; readonly metrics;

  constructor(readonly db: SqlDb) {
    this.kind = db.dialect;
    const r = reposOver(db);
    this.orgs = r.orgs; this.teams = r.teams; this.members = r.members; this.users = r.users; this.tokens = r.tokens;
    this.tasks = r.tasks; this.events = r.events; this.audit = r.audit; this.routing = r.routing; this.healing = r.healing;
    this.compliance = r.compliance; this.workload = r.workload; this.assistant = r.assistant; this.metrics = r.metrics;
  }

  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.db.transaction((txDb) => fn({ ...reposOver(txDb), onCommit: (hook) => txDb.onCommit(hook) }));
  }

  async ping(): Promise<void> {
    await this.db.get('SELECT 1 AS ok');
  }

  close(): Promise<void> {
    return this.db.close();
  }
}

export interface OpenOptions {
  /** Apply pending migrations (default true). */
  migrate?: boolean;
  now?: number;
  poolSize?: number;
}

/** Opens `sqlite:/path/file.db` (or a bare path) or `postgres://…`, migrating it to the current schema. */
export async function openStore(url: string, options: OpenOptions = {}): Promise<SqlStore> {
  let db: SqlDb;
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    // Loaded only when asked for: an embedded daemon never pays for the PostgreSQL driver.
    const { PostgresDb } = await import('./postgres.js');
    db = await PostgresDb.open(url, options.poolSize);
  } else {
    const file = url.startsWith('sqlite:') ? url.slice('sqlite:'.length) : url;
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    const { SqliteDb } = await import('./sqlite.js');
    db = SqliteDb.open(file);
  }
  if (options.migrate !== false) {
    try {
      await migrate(db, allMigrations, options.now ?? Date.now());
    } catch (err) {
      await db.close();
      throw err;
    }
  }
  return new SqlStore(db);
}
