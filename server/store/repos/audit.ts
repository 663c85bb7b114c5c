import { GENESIS_HASH, hashEntry } from '../../../core/audit/chain.js';
import type { AuditDraft, AuditEntry } from '../../../core/model.js';
import type { AuditRepo } from '../../../core/ports.js';
import type { SqlDb, SqlValue } from '../sql.js';
import { num, powerOfTwoParts, valueRows } from '../sql.js';

interface Row {
  id: number; organization_id: string; at: number; actor: string; action: string; subject: string | null;
  summary: string; prev_hash: string; hash: string;
}

const toEntry = (r: Row): AuditEntry => ({
  id: num(r.id), orgId: r.organization_id, at: num(r.at), actor: r.actor, action: r.action, subject: r.subject,
  summary: r.summary, prevHash: r.prev_hash, hash: r.hash,
});

const LAST_HASH = 'SELECT hash FROM audit_log WHERE organization_id = ? ORDER BY id DESC LIMIT 1';
// The id AUTOINCREMENT would give (SQLite: the transaction holds the write lock, so nobody else takes it).
const SQLITE_HEAD = `SELECT (${LAST_HASH}) AS hash, COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'audit_log'), 0) + 1 AS id`;
// nextval under the org's lock: ids grow in chain order within an organisation.
const PG_HEAD = `SELECT (${LAST_HASH}) AS hash, nextval(pg_get_serial_sequence('audit_log', 'id')) AS id`;

export class SqlAuditRepo implements AuditRepo {
  constructor(private readonly db: SqlDb) {}

  async append(orgId: string, actor: string, at: number, draft: AuditDraft): Promise<AuditEntry> {
    return (await this.appendMany(orgId, actor, at, [draft]))[0]!;
  }

  async appendMany(orgId: string, actor: string, at: number, drafts: readonly AuditDraft[]): Promise<AuditEntry[]> {
    if (drafts.length === 0) return [];
    if (this.db.dialect === 'postgres') {
      // Appends from every daemon form one chain per org: take the org's lock for this transaction.
      await this.db.run('SELECT pg_advisory_xact_lock(hashtext(?))', [`org:${orgId}`]);
    }
    // The previous hash and the first entry's id in one read (after the lock, so both are current): the
    // hash covers the id, so knowing it first makes the append INSERTs only.
    const head = await this.db.get<{ hash: string | null; id: number | string }>(this.db.dialect === 'postgres' ? PG_HEAD : SQLITE_HEAD, [orgId]);
    // The further ids: PostgreSQL's sequence, in one round trip and still under the lock (other orgs may
    // take ids in between: ours still grow in chain order); SQLite's next integers.
    const ids = [num(head!.id)];
    if (drafts.length > 1 && this.db.dialect === 'postgres') {
      const more = await this.db.all<{ id: number | string }>("SELECT nextval(pg_get_serial_sequence('audit_log', 'id')) AS id FROM generate_series(1, ?)", [drafts.length - 1]);
      ids.push(...more.map((r) => num(r.id)).sort((a, b) => a - b));
    } else {
      while (ids.length < drafts.length) ids.push(ids[0]! + ids.length);
    }
    let prevHash = head!.hash ?? GENESIS_HASH;
    const entries: AuditEntry[] = [];
    for (const [k, draft] of drafts.entries()) {
      const entry: AuditEntry = { id: ids[k]!, orgId, at, actor, ...draft, subject: draft.subject ?? null, prevHash, hash: '' };
      entry.hash = hashEntry(entry);
      prevHash = entry.hash;
      entries.push(entry);
    }
    for (const part of powerOfTwoParts(entries, 64)) {
      const params: SqlValue[] = [];
      for (const e of part) params.push(e.id, orgId, at, actor, e.action, e.subject, e.summary, e.prevHash, e.hash);
      await this.db.run(`INSERT INTO audit_log (id, organization_id, at, actor, action, subject, summary, prev_hash, hash) VALUES ${valueRows(part.length, 9)}`, params);
    }
    return entries;
  }

  async list(orgId: string, limit = 50, beforeId?: number): Promise<AuditEntry[]> {
    const n = Math.min(Math.max(limit, 1), 10_000);
    const rows = beforeId
      ? await this.db.all<Row>(`SELECT * FROM audit_log WHERE organization_id = ? AND id < ? ORDER BY id DESC LIMIT ${n}`, [orgId, beforeId])
      : await this.db.all<Row>(`SELECT * FROM audit_log WHERE organization_id = ? ORDER BY id DESC LIMIT ${n}`, [orgId]);
    return rows.map(toEntry);
  }

  async chain(orgId: string): Promise<AuditEntry[]> {
    return (await this.db.all<Row>('SELECT * FROM audit_log WHERE organization_id = ? ORDER BY id', [orgId])).map(toEntry);
  }
}
