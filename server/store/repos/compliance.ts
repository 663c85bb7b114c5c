import type { Interval } from '../../../core/calendar/business-time.js';
import type { CalendarSpec } from '../../../core/calendar/calendar.js';
import type { StatusChange } from '../../../core/compliance/entities.js';
import type { ComplianceRepo, TaskVersion, ViolationFilter } from '../../../core/compliance/ports.js';
import type { ComplianceRule } from '../../../core/compliance/rule.js';
import type { Violation } from '../../../core/compliance/violations.js';
import type { Priority, Task, TaskStatus } from '../../../core/model.js';
import type { SqlDb, SqlValue } from '../sql.js';
import { chunks, inList, inLists, MAX_IN, json, num, numOrNull, parseJson, powerOfTwoParts, valueRows } from '../sql.js';

type Row = Record<string, unknown>;

const toRule = (r: Row): ComplianceRule => {
  const def = parseJson<Omit<ComplianceRule, 'id' | 'orgId' | 'createdAt' | 'updatedAt' | 'enabled'>>(r.definition, null as never);
  return { ...def, id: r.id as string, orgId: r.organization_id as string, enabled: num(r.enabled) === 1, createdAt: num(r.created_at), updatedAt: num(r.updated_at) };
};

function definition(rule: ComplianceRule): string {
  const { id: _i, orgId: _o, createdAt: _c, updatedAt: _u, enabled: _e, ...def } = rule;
  return json(def);
}

const VIOLATION_COLUMNS = [
  'id', 'organization_id', 'rule_id', 'rule_name', 'rule_type', 'severity', 'entity_kind', 'entity_id', 'team_id', 'priority', 'status',
  'message', 'since', 'detected_at', 'opened_at', 'acknowledged_at', 'acknowledged_by', 'resolved_at', 'resolved_by', 'resolution',
  'waived_at', 'waived_by', 'waiver_reason', 'waiver_expires_at', 'updated_at',
] as const;

const violationValues = (v: Violation): SqlValue[] => [
  v.id, v.orgId, v.ruleId, v.ruleName, v.ruleType, v.severity, v.entityKind, v.entityId, v.teamId, v.priority, v.status,
  v.message, v.since, v.detectedAt, v.openedAt, v.acknowledgedAt, v.acknowledgedBy, v.resolvedAt, v.resolvedBy, v.resolution,
  v.waivedAt, v.waivedBy, v.waiverReason, v.waiverExpiresAt, v.updatedAt,
];

const toViolation = (r: Row): Violation => ({
  id: r.id as string,
  orgId: r.organization_id as string,
  ruleId: r.rule_id as string,
  ruleName: r.rule_name as string,
  ruleType: r.rule_type as Violation['ruleType'],
  severity: r.severity as Violation['severity'],
  entityKind: r.entity_kind as Violation['entityKind'],
  entityId: r.entity_id as string,
  teamId: (r.team_id as string | null) ?? null,
  priority: (r.priority as string | null) ?? null,
  status: r.status as Violation['status'],
  message: r.message as string,
  since: num(r.since),
  detectedAt: num(r.detected_at),
  openedAt: numOrNull(r.opened_at),
  acknowledgedAt: numOrNull(r.acknowledged_at),
  acknowledgedBy: (r.acknowledged_by as string | null) ?? null,
  resolvedAt: numOrNull(r.resolved_at),
  resolvedBy: (r.resolved_by as string | null) ?? null,
  resolution: (r.resolution as Violation['resolution']) ?? null,
  waivedAt: numOrNull(r.waived_at),
  waivedBy: (r.waived_by as string | null) ?? null,
  waiverReason: (r.waiver_reason as string | null) ?? null,
  waiverExpiresAt: numOrNull(r.waiver_expires_at),
  updatedAt: num(r.updated_at),
});

// Sweeps read the tasks table directly: without the ORDER BY and paging of TaskRepo.list, 100,000
// open tasks come back in one pass.
const toTask = (r: Row): Task => ({
  id: r.id as string,
  orgId: r.organization_id as string,
  title: r.title as string,
  description: r.description as string,
  priority: r.priority as Priority,
  status: r.status as TaskStatus,
  teamId: (r.team_id as string | null) ?? null,
  assigneeId: (r.assignee_id as string | null) ?? null,
  tags: parseJson<Record<string, string>>(r.tags, {}),
  source: r.source as string,
  createdBy: r.created_by as string,
  createdAt: num(r.created_at),
  updatedAt: num(r.updated_at),
  acknowledgedAt: numOrNull(r.acknowledged_at),
  resolvedAt: numOrNull(r.resolved_at),
});

/** The compliance area's tables: compliance_rules, violations, compliance_task_status, compliance_pauses, compliance_calendars. */
export class SqlComplianceRepo implements ComplianceRepo {
  constructor(protected readonly db: SqlDb) {}

  async insertRule(rule: ComplianceRule): Promise<void> {
    await this.db.run(
      `INSERT INTO compliance_rules (id, organization_id, name, type, severity, enabled, definition, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [rule.id, rule.orgId, rule.name, rule.type, rule.severity, rule.enabled ? 1 : 0, definition(rule), rule.createdAt, rule.updatedAt],
    );
  }

  async updateRule(rule: ComplianceRule): Promise<void> {
    await this.db.run(
      `UPDATE compliance_rules SET name = ?, type = ?, severity = ?, enabled = ?, definition = ?, updated_at = ? WHERE organization_id = ? AND id = ?`,
      [rule.name, rule.type, rule.severity, rule.enabled ? 1 : 0, definition(rule), rule.updatedAt, rule.orgId, rule.id],
    );
  }

  async deleteRule(orgId: string, id: string): Promise<boolean> {
    return (await this.db.run('DELETE FROM compliance_rules WHERE organization_id = ? AND id = ?', [orgId, id])) > 0;
  }

  async findRule(orgId: string, idOrName: string): Promise<ComplianceRule | undefined> {
    const row = await this.db.get<Row>('SELECT * FROM compliance_rules WHERE organization_id = ? AND (id = ? OR name = ?)', [orgId, idOrName, idOrName]);
    return row && toRule(row);
  }

  async listRules(orgId: string): Promise<ComplianceRule[]> {
    const rows = await this.db.all<Row>('SELECT * FROM compliance_rules WHERE organization_id = ? ORDER BY name', [orgId]);
    return rows.map(toRule);
  }

  async insertViolation(v: Violation): Promise<void> {
    await this.db.run(
      `INSERT INTO violations (${VIOLATION_COLUMNS.join(', ')}) VALUES (${VIOLATION_COLUMNS.map(() => '?').join(', ')})`,
      violationValues(v),
    );
  }

  async updateViolation(v: Violation): Promise<void> {
    const cols = VIOLATION_COLUMNS.slice(2);
    await this.db.run(
      `UPDATE violations SET ${cols.map((c) => `${c} = ?`).join(', ')} WHERE organization_id = ? AND id = ?`,
      [...violationValues(v).slice(2), v.orgId, v.id],
    );
  }

  async getViolation(orgId: string, id: string): Promise<Violation | undefined> {
    const row = await this.db.get<Row>('SELECT * FROM violations WHERE organization_id = ? AND id = ?', [orgId, id]);
    return row && toViolation(row);
  }

  async listViolations(orgId: string, f: ViolationFilter = {}): Promise<Violation[]> {
    const clauses = ['organization_id = ?'];
    const params: SqlValue[] = [orgId];
    if (f.status && f.status.length > 0) {
      clauses.push(`status IN (${f.status.map(() => '?').join(', ')})`);
      params.push(...f.status);
    }
    if (f.ruleId) { clauses.push('rule_id = ?'); params.push(f.ruleId); }
    if (f.entityId) { clauses.push('entity_id = ?'); params.push(f.entityId); }
    if (f.entityIds) {
      if (f.entityIds.length > MAX_IN) {
        const lists = await Promise.all(chunks(f.entityIds).map((ids) => this.listViolations(orgId, { ...f, entityIds: ids })));
        return lists.flat().sort((a, b) => b.detectedAt - a.detectedAt || (a.id < b.id ? 1 : -1));
      }
      if (f.entityIds.length === 0) return [];
      const ids = inList(f.entityIds);
      clauses.push(`entity_id IN (${ids.marks})`);
      params.push(...ids.values);
    }
    if (f.teamId) { clauses.push('team_id = ?'); params.push(f.teamId); }
    if (f.activeSince !== undefined) { clauses.push('(resolved_at IS NULL OR resolved_at >= ?)'); params.push(f.activeSince); }
    const limit = f.limit === undefined ? '' : ` LIMIT ${Math.max(1, Math.floor(f.limit))}`;
    const rows = await this.db.all<Row>(`SELECT * FROM violations WHERE ${clauses.join(' AND ')} ORDER BY detected_at DESC, id DESC${limit}`, params);
    return rows.map(toViolation);
  }

  async recordStatus(orgId: string, taskId: string, change: StatusChange): Promise<void> {
    await this.db.run('INSERT INTO compliance_task_status (organization_id, task_id, status, at) VALUES (?, ?, ?, ?)', [orgId, taskId, change.status, change.at]);
  }

  async recordStatuses(orgId: string, changes: readonly { taskId: string; change: StatusChange }[]): Promise<void> {
    for (const part of powerOfTwoParts(changes, 128)) {
      await this.db.run(
        `INSERT INTO compliance_task_status (organization_id, task_id, status, at) VALUES ${valueRows(part.length, 4)}`,
        part.flatMap((c) => [orgId, c.taskId, c.change.status, c.change.at]),
      );
    }
  }

  async statusHistory(orgId: string, taskIds?: readonly string[]): Promise<Map<string, StatusChange[]>> {
    const out = new Map<string, StatusChange[]>();
    const collect = (rows: Row[]): void => {
      for (const r of rows) {
        const id = r.task_id as string;
        let list = out.get(id);
        if (!list) out.set(id, (list = []));
        list.push({ status: r.status as string, at: num(r.at) });
      }
    };
    if (!taskIds) {
      collect(await this.db.all<Row>('SELECT task_id, status, at FROM compliance_task_status WHERE organization_id = ? ORDER BY task_id, at', [orgId]));
      return out;
    }
    for (const ids of inLists(taskIds)) {
      collect(await this.db.all<Row>(
        `SELECT task_id, status, at FROM compliance_task_status WHERE organization_id = ? AND task_id IN (${ids.marks}) ORDER BY task_id, at`,
        [orgId, ...ids.values],
      ));
    }
    return out;
  }

  async openPause(orgId: string, taskId: string, reason: string, at: number): Promise<void> {
    const open = await this.db.get<Row>(
      'SELECT 1 AS one FROM compliance_pauses WHERE organization_id = ? AND task_id = ? AND reason = ? AND to_at IS NULL', [orgId, taskId, reason]);
    if (open) return;
    await this.db.run('INSERT INTO compliance_pauses (organization_id, task_id, reason, from_at, to_at) VALUES (?, ?, ?, ?, NULL)', [orgId, taskId, reason, at]);
  }

  async closePause(orgId: string, taskId: string, reason: string, at: number): Promise<void> {
    await this.db.run(
      'UPDATE compliance_pauses SET to_at = ? WHERE organization_id = ? AND task_id = ? AND reason = ? AND to_at IS NULL', [at, orgId, taskId, reason]);
  }

  async pauses(orgId: string, taskIds?: readonly string[]): Promise<Map<string, Interval[]>> {
    const out = new Map<string, Interval[]>();
    const collect = (rows: Row[]): void => {
      for (const r of rows) {
        const id = r.task_id as string;
        let list = out.get(id);
        if (!list) out.set(id, (list = []));
        list.push([num(r.from_at), r.to_at === null || r.to_at === undefined ? Infinity : num(r.to_at)]);
      }
    };
    if (!taskIds) {
      collect(await this.db.all<Row>('SELECT task_id, from_at, to_at FROM compliance_pauses WHERE organization_id = ?', [orgId]));
      return out;
    }
    for (const ids of inLists(taskIds)) {
      collect(await this.db.all<Row>(
        `SELECT task_id, from_at, to_at FROM compliance_pauses WHERE organization_id = ? AND task_id IN (${ids.marks})`, [orgId, ...ids.values]));
    }
    return out;
  }

  async openTasks(orgId: string): Promise<Task[]> {
    return (await this.db.all<Row>("SELECT * FROM tasks WHERE organization_id = ? AND status <> 'resolved'", [orgId])).map(toTask);
  }

  async taskVersionsSince(orgId: string, since: number): Promise<TaskVersion[]> {
    const rows = await this.db.all<Row>('SELECT id, updated_at, status FROM tasks WHERE organization_id = ? AND updated_at >= ?', [orgId, since]);
    return rows.map((r) => ({ id: r.id as string, updatedAt: num(r.updated_at), status: r.status as string }));
  }

  async tasksByIds(orgId: string, ids: readonly string[]): Promise<Task[]> {
    const out: Task[] = [];
    for (const list of inLists(ids)) {
      // By primary key alone, the organisation checked on the rows: with `organization_id = ?` in the
      // WHERE, SQLite's planner picks an (organization_id, …) index for long id lists and scans the org.
      const rows = await this.db.all<Row>(`SELECT * FROM tasks WHERE id IN (${list.marks})`, list.values);
      for (const row of rows) if (row.organization_id === orgId) out.push(toTask(row));
    }
    return out;
  }

  async putCalendar(orgId: string, calendar: CalendarSpec, now: number): Promise<void> {
    await this.db.run('DELETE FROM compliance_calendars WHERE organization_id = ? AND name = ?', [orgId, calendar.name]);
    await this.db.run('INSERT INTO compliance_calendars (organization_id, name, definition, updated_at) VALUES (?, ?, ?, ?)', [orgId, calendar.name, json(calendar), now]);
  }

  async getCalendar(orgId: string, name: string): Promise<CalendarSpec | undefined> {
    const row = await this.db.get<Row>('SELECT definition FROM compliance_calendars WHERE organization_id = ? AND name = ?', [orgId, name]);
    return row ? parseJson<CalendarSpec>(row.definition, null as never) : undefined;
  }

  async listCalendars(orgId: string): Promise<CalendarSpec[]> {
    const rows = await this.db.all<Row>('SELECT definition FROM compliance_calendars WHERE organization_id = ? ORDER BY name', [orgId]);
    return rows.map((r) => parseJson<CalendarSpec>(r.definition, null as never));
  }
}
