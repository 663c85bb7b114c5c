import type { BusEvent, EventDraft } from '../../../core/model.js';
import type { EventQuery, EventRepo } from '../../../core/ports.js';
import type { SqlDb, SqlValue } from '../sql.js';
import { json, num, parseJson, powerOfTwoParts, valueRows } from '../sql.js';

interface Row { id: number; organization_id: string; type: string; at: number; actor: string; subject: string | null; data: string }

export const toEvent = (r: Row): BusEvent => ({
  id: num(r.id), orgId: r.organization_id, type: r.type, at: num(r.at), actor: r.actor, subject: r.subject, data: parseJson(r.data, null),
});

export class SqlEventRepo implements EventRepo {
  constructor(private readonly db: SqlDb) {}

  async insert(orgId: string, actor: string, at: number, drafts: EventDraft[]): Promise<BusEvent[]> {
    // Within an organisation, transactions that write events commit one after another (the lock is the
    // one audit appends take), so event ids become visible in id order: a reader that has seen id N has
    // seen every committed id below N. The scaled bus relies on this to deliver without gaps.
    if (this.db.dialect === 'postgres') await this.db.run('SELECT pg_advisory_xact_lock(hashtext(?))', [`org:${orgId}`]);
    const out: BusEvent[] = [];
    // Several rows per INSERT. Ids come back in no promised order but were drawn in row order: sorted,
    // they pair with the drafts in order.
    for (const part of powerOfTwoParts(drafts, 64)) {
      const params: SqlValue[] = [];
      for (const d of part) params.push(orgId, d.type, at, actor, d.subject, json(d.data));
      const rows = await this.db.all<{ id: number }>(
        `INSERT INTO events (organization_id, type, at, actor, subject, data) VALUES ${valueRows(part.length, 6)} RETURNING id`, params);
      const ids = rows.map((r) => num(r.id)).sort((a, b) => a - b);
      part.forEach((d, k) => out.push({ id: ids[k]!, orgId, type: d.type, at, actor, subject: d.subject, data: d.data }));
    }
    return out;
  }

  async list(orgId: string, q: EventQuery = {}): Promise<BusEvent[]> {
    const params: SqlValue[] = [orgId, q.afterId ?? 0];
    let sql = 'SELECT * FROM events WHERE organization_id = ? AND id > ?';
    if (q.types && q.types.length > 0) {
      sql += ` AND type IN (${q.types.map(() => '?').join(', ')})`;
      params.push(...q.types);
    }
    const limit = Math.min(Math.max(q.limit ?? 1000, 1), 10_000);
    if (q.afterId === undefined) {
      // newest first, then back to id order
      const rows = await this.db.all<Row>(`${sql} ORDER BY id DESC LIMIT ${limit}`, params);
      return rows.reverse().map(toEvent);
    }
    return (await this.db.all<Row>(`${sql} ORDER BY id LIMIT ${limit}`, params)).map(toEvent);
  }

  async lastId(orgId: string): Promise<number> {
    const row = await this.db.get<{ id: number | null }>('SELECT MAX(id) AS id FROM events WHERE organization_id = ?', [orgId]);
    return num(row?.id ?? 0);
  }

  async prune(before: number): Promise<number> {
    return this.db.run('DELETE FROM events WHERE at < ?', [before]);
  }
}
