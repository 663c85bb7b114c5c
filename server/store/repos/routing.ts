import type { Priority } from '../../../core/model.js';
import type { DecisionMethod, Factor } from '../../../core/routing/decide.js';
import type { HistoryRow, NewHistoryRow, RoutingRepo, StoredDecision, WebhookSource } from '../../../core/routing/ports.js';
import type { RoutingRule } from '../../../core/routing/rules.js';
import type { SqlDb } from '../sql.js';
import { bool, json, num, parseJson } from '../sql.js';

interface RuleRow {
  id: string; organization_id: string; name: string; description: string | null; priority: number; enabled: number;
  conditions: string; actions: string; created_by: string; created_at: number; updated_at: number;
}

const toRule = (r: RuleRow): RoutingRule => ({
  id: r.id,
  orgId: r.organization_id,
  name: r.name,
  ...(r.description ? { description: r.description } : {}),
  priority: num(r.priority),
  enabled: bool(r.enabled),
  conditions: parseJson(r.conditions, { all: [] }),
  actions: parseJson(r.actions, {}),
  createdBy: r.created_by,
  createdAt: num(r.created_at),
  updatedAt: num(r.updated_at),
});

interface DecisionRow {
  id: string; organization_id: string; task_id: string; team_id: string | null; team_name: string | null;
  assignee_id: string | null; assignee_name: string | null; confidence: number; method: string; priority: string;
  skills: string; factors: string; latency_ms: number; created_at: number;
}

const toDecision = (r: DecisionRow): StoredDecision => ({
  id: r.id,
  orgId: r.organization_id,
  taskId: r.task_id,
  teamId: r.team_id,
  team: r.team_name,
  assigneeId: r.assignee_id,
  assignee: r.assignee_name,
  confidence: num(r.confidence),
  method: r.method as DecisionMethod,
  priority: r.priority as Priority,
  skills: parseJson<string[]>(r.skills, []),
  factors: parseJson<Factor[]>(r.factors, []),
  latencyMs: num(r.latency_ms),
  createdAt: num(r.created_at),
});

interface HistoryDbRow {
  seq: number; organization_id: string; id: string; task_id: string | null; title: string; description: string;
  team_name: string; assignee: string | null; priority: string | null; tags: string; skills: string; origin: string; created_at: number;
}

const toHistory = (r: HistoryDbRow): HistoryRow => ({
  seq: num(r.seq),
  orgId: r.organization_id,
  id: r.id,
  taskId: r.task_id,
  title: r.title,
  description: r.description,
  team: r.team_name,
  assignee: r.assignee,
  priority: r.priority as Priority | null,
  tags: parseJson<Record<string, string>>(r.tags, {}),
  skills: parseJson<string[]>(r.skills, []),
  origin: r.origin,
  createdAt: num(r.created_at),
});

interface WebhookRow {
  source: string; organization_id: string; kind: string; secret: string; mapping: string; enabled: number; created_at: number; updated_at: number;
}

const toWebhook = (r: WebhookRow): WebhookSource => ({
  orgId: r.organization_id,
  source: r.source,
  kind: r.kind as WebhookSource['kind'],
  secret: r.secret,
  mapping: parseJson<Record<string, unknown>>(r.mapping, {}),
  enabled: bool(r.enabled),
  createdAt: num(r.created_at),
  updatedAt: num(r.updated_at),
});

// listed rather than `<> 'resolved'`, so the (organization_id, status) index serves it
const OPEN = `status IN ('open', 'acknowledged', 'in_progress', 'waiting_on_customer')`;

/** The routing area's tables: rules, decisions, history and webhook sources. */
export class SqlRoutingRepo implements RoutingRepo {
  constructor(protected readonly db: SqlDb) {}

  async listRules(orgId: string): Promise<RoutingRule[]> {
    const rows = await this.db.all<RuleRow>('SELECT * FROM routing_rules WHERE organization_id = ? ORDER BY priority, name', [orgId]);
    return rows.map(toRule);
  }

  async findRule(orgId: string, idOrName: string): Promise<RoutingRule | undefined> {
    const row = await this.db.get<RuleRow>('SELECT * FROM routing_rules WHERE organization_id = ? AND (id = ? OR name = ?)', [orgId, idOrName, idOrName]);
    return row && toRule(row);
  }

  async insertRule(r: RoutingRule): Promise<void> {
    await this.db.run(
      `INSERT INTO routing_rules (id, organization_id, name, description, priority, enabled, conditions, actions, created_by, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [r.id, r.orgId, r.name, r.description ?? null, r.priority, r.enabled, json(r.conditions), json(r.actions), r.createdBy, r.createdAt, r.updatedAt],
    );
  }

  async updateRule(r: RoutingRule): Promise<void> {
    await this.db.run(
      `UPDATE routing_rules SET name = ?, description = ?, priority = ?, enabled = ?, conditions = ?, actions = ?, updated_at = ?
       WHERE organization_id = ? AND id = ?`,
      [r.name, r.description ?? null, r.priority, r.enabled, json(r.conditions), json(r.actions), r.updatedAt, r.orgId, r.id],
    );
  }

  async deleteRule(orgId: string, id: string): Promise<boolean> {
    return (await this.db.run('DELETE FROM routing_rules WHERE organization_id = ? AND id = ?', [orgId, id])) > 0;
  }

  async insertDecision(d: StoredDecision): Promise<void> {
    await this.db.run(
      `INSERT INTO routing_decisions (id, organization_id, task_id, team_id, team_name, assignee_id, assignee_name, confidence, method,
        priority, skills, factors, latency_ms, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [d.id, d.orgId, d.taskId, d.teamId, d.team, d.assigneeId, d.assignee, d.confidence, d.method, d.priority, json(d.skills), json(d.factors), d.latencyMs, d.createdAt],
    );
  }

  async decisionForTask(orgId: string, taskId: string): Promise<StoredDecision | undefined> {
    const row = await this.db.get<DecisionRow>(
      'SELECT * FROM routing_decisions WHERE organization_id = ? AND task_id = ? ORDER BY created_at DESC, id DESC LIMIT 1',
      [orgId, taskId],
    );
    return row && toDecision(row);
  }

  async lastAssigned(orgId: string, memberIds: readonly string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    if (memberIds.length === 0) return out;
    const rows = await this.db.all<{ assignee_id: string; last_at: number }>(
      `SELECT assignee_id, MAX(created_at) AS last_at FROM routing_decisions
       WHERE organization_id = ? AND assignee_id IN (${memberIds.map(() => '?').join(', ')}) GROUP BY assignee_id`,
      [orgId, ...memberIds],
    );
    for (const r of rows) out.set(r.assignee_id, num(r.last_at));
    return out;
  }

  async activeTasks(orgId: string): Promise<Map<string, number>> {
    const rows = await this.db.all<{ assignee_id: string; n: number }>(
      `SELECT assignee_id, COUNT(*) AS n FROM tasks WHERE organization_id = ? AND ${OPEN} AND assignee_id IS NOT NULL GROUP BY assignee_id`,
      [orgId],
    );
    return new Map(rows.map((r) => [r.assignee_id, num(r.n)]));
  }

  async insertHistory(rows: readonly NewHistoryRow[]): Promise<void> {
    for (const h of rows) {
      await this.db.run(
        `INSERT INTO routing_history (organization_id, id, task_id, title, description, team_name, assignee, priority, tags, skills, origin, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [h.orgId, h.id, h.taskId, h.title, h.description, h.team, h.assignee, h.priority, json(h.tags), json(h.skills), h.origin, h.createdAt],
      );
    }
  }

  async listHistory(orgId: string, afterSeq: number, limit: number): Promise<HistoryRow[]> {
    const n = Math.min(Math.max(Math.floor(limit), 1), 100_000);
    const rows = await this.db.all<HistoryDbRow>(
      `SELECT * FROM routing_history WHERE organization_id = ? AND seq > ? ORDER BY seq LIMIT ${n}`,
      [orgId, afterSeq],
    );
    return rows.map(toHistory);
  }

  async countHistory(orgId: string): Promise<number> {
    const row = await this.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM routing_history WHERE organization_id = ?', [orgId]);
    return num(row?.n ?? 0);
  }

  async resolvedNotInHistory(orgId: string, limit: number): Promise<NewHistoryRow[]> {
    const n = Math.min(Math.max(Math.floor(limit), 1), 100_000);
    const rows = await this.db.all<{ id: string; title: string; description: string; team_name: string; assignee: string | null; priority: string; tags: string; created_at: number }>(
      `SELECT t.id, t.title, t.description, tm.name AS team_name, m.name AS assignee, t.priority, t.tags, t.created_at
       FROM tasks t JOIN teams tm ON tm.organization_id = t.organization_id AND tm.id = t.team_id
       LEFT JOIN members m ON m.organization_id = t.organization_id AND m.id = t.assignee_id
       WHERE t.organization_id = ? AND t.status = 'resolved'
         AND NOT EXISTS (SELECT 1 FROM routing_history h WHERE h.organization_id = t.organization_id AND h.task_id = t.id)
       ORDER BY t.created_at LIMIT ${n}`,
      [orgId],
    );
    return rows.map((r) => ({
      orgId, id: r.id, taskId: r.id, title: r.title, description: r.description, team: r.team_name, assignee: r.assignee,
      priority: r.priority as Priority, tags: parseJson<Record<string, string>>(r.tags, {}), skills: [], origin: 'resolved', createdAt: num(r.created_at),
    }));
  }

  async getWebhook(source: string): Promise<WebhookSource | undefined> {
    const row = await this.db.get<WebhookRow>('SELECT * FROM routing_webhooks WHERE source = ?', [source]);
    return row && toWebhook(row);
  }

  async listWebhooks(orgId: string): Promise<WebhookSource[]> {
    const rows = await this.db.all<WebhookRow>('SELECT * FROM routing_webhooks WHERE organization_id = ? ORDER BY source', [orgId]);
    return rows.map(toWebhook);
  }

  async upsertWebhook(w: WebhookSource): Promise<void> {
    await this.db.run(
      `INSERT INTO routing_webhooks (source, organization_id, kind, secret, mapping, enabled, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (source) DO UPDATE SET kind = excluded.kind, secret = excluded.secret, mapping = excluded.mapping,
         enabled = excluded.enabled, updated_at = excluded.updated_at
       WHERE routing_webhooks.organization_id = excluded.organization_id`,
      [w.source, w.orgId, w.kind, w.secret, json(w.mapping), w.enabled, w.createdAt, w.updatedAt],
    );
  }

  async deleteWebhook(orgId: string, source: string): Promise<boolean> {
    return (await this.db.run('DELETE FROM routing_webhooks WHERE organization_id = ? AND source = ?', [orgId, source])) > 0;
  }
}
