import type { ActionFilter, HealingActionRepo, PlaybookRecord } from '../../../core/healing/actions/ports.js';
import type { ActionStatus, HealingAction, StepRecord } from '../../../core/healing/actions/model.js';
import type { SqlDb, SqlValue } from '../sql.js';
import { bool, json, num, numOrNull, parseJson } from '../sql.js';

type Row = Record<string, unknown>;

const toPlaybook = (r: Row): PlaybookRecord => ({
  id: r.id as string,
  organizationId: r.organization_id as string,
  name: r.name as string,
  spec: parseJson(r.spec, null as never),
  source: r.source as string,
  enabled: bool(r.enabled),
  disabledReason: (r.disabled_reason as string | null) ?? null,
  enabledAt: num(r.enabled_at),
  version: num(r.version),
  createdBy: r.created_by as string,
  createdAt: num(r.created_at),
  updatedAt: num(r.updated_at),
});

const toAction = (r: Row): HealingAction => ({
  id: r.id as string,
  organizationId: r.organization_id as string,
  playbookId: r.playbook_id as string,
  playbookName: r.playbook_name as string,
  spec: parseJson(r.spec, null as never),
  issueId: (r.issue_id as string | null) ?? null,
  issue: parseJson(r.issue, null),
  target: r.target as string,
  status: r.status as ActionStatus,
  phase: r.phase as 'main' | 'rollback',
  trigger: r.trigger_kind as 'auto' | 'manual',
  startedBy: r.started_by as string,
  startedByUserId: (r.started_by_user_id as string | null) ?? null,
  approval: parseJson(r.approval, null),
  error: (r.error as string | null) ?? null,
  createdAt: num(r.created_at),
  updatedAt: num(r.updated_at),
  startedAt: numOrNull(r.started_at),
  finishedAt: numOrNull(r.finished_at),
});

const toStep = (r: Row): StepRecord => ({
  actionId: r.action_id as string,
  organizationId: r.organization_id as string,
  stepId: r.step_id as string,
  phase: r.phase as 'main' | 'rollback',
  position: num(r.position),
  type: r.type as StepRecord['type'],
  status: r.status as StepRecord['status'],
  attempt: num(r.attempt),
  idempotent: bool(r.idempotent),
  rendered: parseJson(r.rendered, null),
  output: parseJson(r.output, {}),
  error: (r.error as string | null) ?? null,
  startedAt: num(r.started_at),
  finishedAt: numOrNull(r.finished_at),
});

const ACTION_COLUMNS = `id, organization_id, playbook_id, playbook_name, spec, issue_id, issue, target, status, phase, trigger_kind,
  started_by, started_by_user_id, approval, error, created_at, updated_at, started_at, finished_at`;

function actionWhere(orgId: string, f: ActionFilter): { sql: string; params: SqlValue[] } {
  const clauses = ['organization_id = ?'];
  const params: SqlValue[] = [orgId];
  if (f.status && f.status.length > 0) {
    clauses.push(`status IN (${f.status.map(() => '?').join(', ')})`);
    params.push(...f.status);
  }
  if (f.playbookId !== undefined) { clauses.push('playbook_id = ?'); params.push(f.playbookId); }
  if (f.issueId !== undefined) { clauses.push('issue_id = ?'); params.push(f.issueId); }
  if (f.target !== undefined) { clauses.push('target = ?'); params.push(f.target); }
  if (f.since !== undefined) { clauses.push('created_at >= ?'); params.push(f.since); }
  if (f.finishedSince !== undefined) { clauses.push('finished_at >= ?'); params.push(f.finishedSince); }
  return { sql: clauses.join(' AND '), params };
}

/** The action half of the healing repository (playbooks, healing_actions, healing_action_steps). */
export class SqlHealingActionRepo implements HealingActionRepo {
  constructor(protected readonly db: SqlDb) {}

  async insertPlaybook(p: PlaybookRecord): Promise<void> {
    await this.db.run(
      `INSERT INTO playbooks (id, organization_id, name, spec, source, enabled, disabled_reason, enabled_at, version, created_by, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [p.id, p.organizationId, p.name, json(p.spec), p.source, p.enabled ? 1 : 0, p.disabledReason, p.enabledAt, p.version, p.createdBy, p.createdAt, p.updatedAt],
    );
  }

  async updatePlaybook(p: PlaybookRecord): Promise<void> {
    await this.db.run(
      `UPDATE playbooks SET name = ?, spec = ?, source = ?, enabled = ?, disabled_reason = ?, enabled_at = ?, version = ?, updated_at = ?
       WHERE organization_id = ? AND id = ?`,
      [p.name, json(p.spec), p.source, p.enabled ? 1 : 0, p.disabledReason, p.enabledAt, p.version, p.updatedAt, p.organizationId, p.id],
    );
  }

  async findPlaybook(orgId: string, idOrName: string): Promise<PlaybookRecord | null> {
    const r = await this.db.get<Row>('SELECT * FROM playbooks WHERE organization_id = ? AND (id = ? OR name = ?)', [orgId, idOrName, idOrName]);
    return r ? toPlaybook(r) : null;
  }

  async listPlaybooks(orgId: string): Promise<PlaybookRecord[]> {
    return (await this.db.all<Row>('SELECT * FROM playbooks WHERE organization_id = ? ORDER BY name', [orgId])).map(toPlaybook);
  }

  async insertAction(a: HealingAction, dedupeKey?: string): Promise<boolean> {
    const n = await this.db.run(
      `INSERT INTO healing_actions (${ACTION_COLUMNS}, dedupe_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (organization_id, dedupe_key) DO NOTHING`,
      [
        a.id, a.organizationId, a.playbookId, a.playbookName, json(a.spec), a.issueId, a.issue ? json(a.issue) : null, a.target, a.status,
        a.phase, a.trigger, a.startedBy, a.startedByUserId, a.approval ? json(a.approval) : null, a.error, a.createdAt, a.updatedAt,
        a.startedAt, a.finishedAt, dedupeKey ?? null,
      ],
    );
    return n === 1;
  }

  async updateAction(a: HealingAction): Promise<void> {
    await this.db.run(
      `UPDATE healing_actions SET status = ?, phase = ?, approval = ?, error = ?, updated_at = ?, started_at = ?, finished_at = ?
       WHERE organization_id = ? AND id = ?`,
      [a.status, a.phase, a.approval ? json(a.approval) : null, a.error, a.updatedAt, a.startedAt, a.finishedAt, a.organizationId, a.id],
    );
  }

  async getAction(orgId: string, id: string): Promise<HealingAction | null> {
    const r = await this.db.get<Row>('SELECT * FROM healing_actions WHERE organization_id = ? AND id = ?', [orgId, id]);
    return r ? toAction(r) : null;
  }

  async listActions(orgId: string, filter: ActionFilter = {}): Promise<HealingAction[]> {
    const w = actionWhere(orgId, filter);
    const limit = Math.min(Math.max(filter.limit ?? 100, 1), 10_000);
    // finished_at ordering serves the circuit breaker (newest finished first); created_at the listings.
    const order = filter.finishedSince !== undefined ? 'finished_at DESC, created_at DESC' : 'created_at DESC, id DESC';
    return (await this.db.all<Row>(`SELECT * FROM healing_actions WHERE ${w.sql} ORDER BY ${order} LIMIT ${limit}`, w.params)).map(toAction);
  }

  async countActions(orgId: string, filter: ActionFilter = {}): Promise<number> {
    const w = actionWhere(orgId, filter);
    const r = await this.db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM healing_actions WHERE ${w.sql}`, w.params);
    return num(r?.n ?? 0);
  }

  async unfinishedActions(): Promise<Array<{ orgId: string; id: string; status: ActionStatus }>> {
    const rows = await this.db.all<Row>("SELECT organization_id, id, status FROM healing_actions WHERE status IN ('pending', 'running', 'awaiting_approval') ORDER BY created_at");
    return rows.map((r) => ({ orgId: r.organization_id as string, id: r.id as string, status: r.status as ActionStatus }));
  }

  async putStep(s: StepRecord): Promise<void> {
    await this.db.run(
      `INSERT INTO healing_action_steps (organization_id, action_id, phase, step_id, position, type, status, attempt, idempotent, rendered, output, error, started_at, finished_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (action_id, phase, step_id) DO UPDATE SET status = excluded.status, attempt = excluded.attempt,
         rendered = excluded.rendered, output = excluded.output, error = excluded.error, started_at = excluded.started_at,
         finished_at = excluded.finished_at`,
      [s.organizationId, s.actionId, s.phase, s.stepId, s.position, s.type, s.status, s.attempt, s.idempotent ? 1 : 0,
        s.rendered ? json(s.rendered) : null, json(s.output), s.error, s.startedAt, s.finishedAt],
    );
  }

  async claimStep(s: StepRecord): Promise<boolean> {
    const rendered = s.rendered ? json(s.rendered) : null;
    if (s.attempt <= 1) {
      const n = await this.db.run(
        `INSERT INTO healing_action_steps (organization_id, action_id, phase, step_id, position, type, status, attempt, idempotent, rendered, output, error, started_at, finished_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (action_id, phase, step_id) DO NOTHING`,
        [s.organizationId, s.actionId, s.phase, s.stepId, s.position, s.type, s.status, s.attempt, s.idempotent ? 1 : 0, rendered, json(s.output), s.error, s.startedAt, s.finishedAt],
      );
      return n === 1;
    }
    const n = await this.db.run(
      `UPDATE healing_action_steps SET status = ?, attempt = ?, rendered = ?, output = ?, error = ?, started_at = ?, finished_at = ?
       WHERE organization_id = ? AND action_id = ? AND phase = ? AND step_id = ? AND attempt = ? AND status = 'running'`,
      [s.status, s.attempt, rendered, json(s.output), s.error, s.startedAt, s.finishedAt, s.organizationId, s.actionId, s.phase, s.stepId, s.attempt - 1],
    );
    return n === 1;
  }

  async listSteps(orgId: string, actionId: string): Promise<StepRecord[]> {
    const rows = await this.db.all<Row>(
      "SELECT * FROM healing_action_steps WHERE organization_id = ? AND action_id = ? ORDER BY CASE phase WHEN 'main' THEN 0 ELSE 1 END, position",
      [orgId, actionId],
    );
    return rows.map(toStep);
  }
}
