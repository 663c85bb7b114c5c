import type { Priority, Task, TaskStatus } from '../../../core/model.js';
import type { TaskFilter, TaskRepo } from '../../../core/ports.js';
import type { SqlDb, SqlValue } from '../sql.js';
import { json, num, numOrNull, parseJson } from '../sql.js';

interface Row {
  id: string; organization_id: string; title: string; description: string; priority: string; status: string;
  team_id: string | null; assignee_id: string | null; tags: string; source: string; created_by: string;
  created_at: number; updated_at: number; acknowledged_at: number | null; resolved_at: number | null;
}

const toTask = (r: Row): Task => ({
  id: r.id,
  orgId: r.organization_id,
  title: r.title,
  description: r.description,
  priority: r.priority as Priority,
  status: r.status as TaskStatus,
  teamId: r.team_id,
  assigneeId: r.assignee_id,
  tags: parseJson<Record<string, string>>(r.tags, {}),
  source: r.source,
  createdBy: r.created_by,
  createdAt: num(r.created_at),
  updatedAt: num(r.updated_at),
  acknowledgedAt: numOrNull(r.acknowledged_at),
  resolvedAt: numOrNull(r.resolved_at),
});

const INSERT = `INSERT INTO tasks (id, organization_id, title, description, priority, status, team_id, assignee_id, tags,
  source, created_by, created_at, updated_at, acknowledged_at, resolved_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
const values = (t: Task): SqlValue[] => [
  t.id, t.orgId, t.title, t.description, t.priority, t.status, t.teamId, t.assigneeId, json(t.tags), t.source,
  t.createdBy, t.createdAt, t.updatedAt, t.acknowledgedAt, t.resolvedAt,
];

function where(orgId: string, f: TaskFilter): { sql: string; params: SqlValue[] } {
  const clauses = ['organization_id = ?'];
  const params: SqlValue[] = [orgId];
  if (f.status !== undefined) {
    const statuses = Array.isArray(f.status) ? f.status : [f.status];
    clauses.push(`status IN (${statuses.map(() => '?').join(', ')})`);
    params.push(...statuses);
  }
  if (f.teamId) { clauses.push('team_id = ?'); params.push(f.teamId); }
  if (f.assigneeId) { clauses.push('assignee_id = ?'); params.push(f.assigneeId); }
  if (f.since !== undefined) { clauses.push('created_at >= ?'); params.push(f.since); }
  if (f.before) { clauses.push('id < ?'); params.push(f.before); }
  return { sql: clauses.join(' AND '), params };
}

export class SqlTaskRepo implements TaskRepo {
  constructor(private readonly db: SqlDb) {}
  async insert(t: Task): Promise<void> {
    await this.db.run(INSERT, values(t));
  }
  async insertMany(tasks: Task[]): Promise<void> {
    await this.db.transaction(async (tx) => {
      for (const t of tasks) await tx.run(INSERT, values(t));
    });
  }
  async update(t: Task): Promise<void> {
    await this.db.run(
      `UPDATE tasks SET title = ?, description = ?, priority = ?, status = ?, team_id = ?, assignee_id = ?, tags = ?,
        updated_at = ?, acknowledged_at = ?, resolved_at = ? WHERE organization_id = ? AND id = ?`,
      [t.title, t.description, t.priority, t.status, t.teamId, t.assigneeId, json(t.tags), t.updatedAt, t.acknowledgedAt, t.resolvedAt, t.orgId, t.id],
    );
  }
  async get(orgId: string, id: string): Promise<Task | undefined> {
    const row = await this.db.get<Row>('SELECT * FROM tasks WHERE organization_id = ? AND id = ?', [orgId, id]);
    return row && toTask(row);
  }
  async list(orgId: string, filter: TaskFilter = {}): Promise<Task[]> {
    const w = where(orgId, filter);
    const limit = Math.min(Math.max(filter.limit ?? 100, 1), 100_000);
    const rows = await this.db.all<Row>(`SELECT * FROM tasks WHERE ${w.sql} ORDER BY created_at DESC, id DESC LIMIT ${limit}`, w.params);
    return rows.map(toTask);
  }
  async count(orgId: string, filter: TaskFilter = {}): Promise<number> {
    const w = where(orgId, filter);
    const row = await this.db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM tasks WHERE ${w.sql}`, w.params);
    return num(row?.n ?? 0);
  }
}
