import type { IssueFilter, HealingRepo } from '../../../core/healing/ports.js';
import type { Issue } from '../../../core/healing/issues.js';
import type { HealthCheck } from '../../../core/healing/health.js';
import type { SqlDb, SqlValue } from '../sql.js';
import { inLists, json, num, numOrNull, parseJson, powerOfTwoParts, valueRows } from '../sql.js';
import { SqlHealingActionRepo } from './healing-actions.js';

type Row = Record<string, unknown>;

const ISSUE_COLUMNS = `id, organization_id, fingerprint, source, severity, status, title, description, labels, annotations,
  metric, value, score, occurrences, first_seen_at, last_seen_at, resolved_at, resolution, resolved_by`;

const toIssue = (r: Row): Issue => ({
  id: r.id as string,
  organizationId: r.organization_id as string,
  fingerprint: r.fingerprint as string,
  source: r.source as Issue['source'],
  severity: r.severity as Issue['severity'],
  status: r.status as Issue['status'],
  title: r.title as string,
  description: (r.description as string | null) ?? null,
  labels: parseJson(r.labels, {}),
  annotations: parseJson(r.annotations, {}),
  metric: (r.metric as string | null) ?? null,
  value: numOrNull(r.value),
  score: numOrNull(r.score),
  occurrences: num(r.occurrences),
  firstSeenAt: num(r.first_seen_at),
  lastSeenAt: num(r.last_seen_at),
  resolvedAt: numOrNull(r.resolved_at),
  resolution: (r.resolution as string | null) ?? null,
  resolvedBy: (r.resolved_by as string | null) ?? null,
});

/** Rows per INSERT (19 parameters each): far below both dialects' limits. */
const MAX_ROWS = 64;

const issueParams = (i: Issue): SqlValue[] => [
  i.fingerprint, i.source, i.severity, i.status, i.title, i.description, json(i.labels), json(i.annotations),
  i.metric, i.value, i.score, i.occurrences, i.firstSeenAt, i.lastSeenAt, i.resolvedAt, i.resolution, i.resolvedBy,
];

/** The healing area's tables: the action half in ./healing-actions.ts, the detection half here. */
export class SqlHealingRepo extends SqlHealingActionRepo implements HealingRepo {
  constructor(private readonly sql: SqlDb) {
    super(sql);
  }

  async getIssue(orgId: string, id: string): Promise<Issue | null> {
    const r = await this.sql.get<Row>(`SELECT ${ISSUE_COLUMNS} FROM issues WHERE organization_id = ? AND id = ?`, [orgId, id]);
    return r ? toIssue(r) : null;
  }

  async findOpenIssues(orgId: string, fingerprints: readonly string[]): Promise<Issue[]> {
    const out: Issue[] = [];
    for (const fps of inLists(fingerprints)) {
      const rows = await this.sql.all<Row>(
        `SELECT ${ISSUE_COLUMNS} FROM issues WHERE organization_id = ? AND status = 'open' AND fingerprint IN (${fps.marks})`,
        [orgId, ...fps.values],
      );
      for (const r of rows) out.push(toIssue(r));
    }
    return out;
  }

  async listIssues(orgId: string, filter: IssueFilter = {}): Promise<Issue[]> {
    const clauses = ['organization_id = ?'];
    const params: SqlValue[] = [orgId];
    if (filter.status) { clauses.push('status = ?'); params.push(filter.status); }
    if (filter.source) { clauses.push('source = ?'); params.push(filter.source); }
    if (filter.severity) { clauses.push('severity = ?'); params.push(filter.severity); }
    const limit = Math.max(1, Math.min(Math.floor(filter.limit ?? 100), 10_000));
    const rows = await this.sql.all<Row>(
      `SELECT ${ISSUE_COLUMNS} FROM issues WHERE ${clauses.join(' AND ')} ORDER BY last_seen_at DESC, id DESC LIMIT ${limit}`,
      params,
    );
    return rows.map(toIssue);
  }

  async insertIssues(issues: readonly Issue[]): Promise<void> {
    for (const part of powerOfTwoParts(issues, MAX_ROWS)) {
      const params: SqlValue[] = [];
      for (const i of part) params.push(i.id, i.organizationId, ...issueParams(i));
      await this.sql.run(`INSERT INTO issues (${ISSUE_COLUMNS}) VALUES ${valueRows(part.length, 19)}`, params);
    }
  }

  async updateIssue(i: Issue): Promise<void> {
    await this.sql.run(
      `UPDATE issues SET fingerprint = ?, source = ?, severity = ?, status = ?, title = ?, description = ?, labels = ?,
        annotations = ?, metric = ?, value = ?, score = ?, occurrences = ?, first_seen_at = ?, last_seen_at = ?,
        resolved_at = ?, resolution = ?, resolved_by = ?
       WHERE organization_id = ? AND id = ?`,
      [...issueParams(i), i.organizationId, i.id],
    );
  }

  async getDetectorState(orgId: string, seriesKey: string): Promise<string | null> {
    const r = await this.sql.get<Row>(
      'SELECT state FROM anomaly_detector_state WHERE organization_id = ? AND series_key = ?',
      [orgId, seriesKey],
    );
    return r ? (r.state as string) : null;
  }

  async putDetectorState(orgId: string, seriesKey: string, state: string, updatedAt: number): Promise<void> {
    await this.sql.run(
      `INSERT INTO anomaly_detector_state (organization_id, series_key, state, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (organization_id, series_key) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at`,
      [orgId, seriesKey, state, updatedAt],
    );
  }

  async putHealthCheck(c: HealthCheck): Promise<void> {
    await this.sql.run(
      `INSERT INTO health_checks (id, organization_id, name, spec, created_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (organization_id, name) DO UPDATE SET spec = excluded.spec`,
      [c.id, c.organizationId, c.spec.name, json(c.spec), c.createdAt],
    );
  }

  async listHealthChecks(orgId: string): Promise<HealthCheck[]> {
    const rows = await this.sql.all<Row>(
      'SELECT id, organization_id, spec, created_at FROM health_checks WHERE organization_id = ? ORDER BY name',
      [orgId],
    );
    return rows.map((r) => ({
      id: r.id as string,
      organizationId: r.organization_id as string,
      spec: parseJson(r.spec, null as never),
      createdAt: num(r.created_at),
    }));
  }

  async removeHealthCheck(orgId: string, idOrName: string): Promise<boolean> {
    const n = await this.sql.run('DELETE FROM health_checks WHERE organization_id = ? AND (id = ? OR name = ?)', [orgId, idOrName, idOrName]);
    return n > 0;
  }
}
