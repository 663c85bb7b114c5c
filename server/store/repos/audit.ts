import { GENESIS_HASH, hashEntry } from '../../../core/audit/chain.js';
import type { AuditDraft, AuditEntry } from '../../../core/model.js';
import type { AuditRepo } from '../../../core/ports.js';
import type { SqlDb } from '../sql.js';
import { num } from '../sql.js';

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
    if (this.db.dialect === 'postgres') {
      // Appends from every daemon form one chain per org: take the org's lock for this transaction.
      await this.db.run('SELECT pg_advisory_xact_lock(hashtext(?))', [`org:${orgId}`]);
    }
    // The previous hash and this entry's id in one read (after the lock, so both are current): the hash
    // covers the id, so knowing it first makes the append one INSERT.
    const head = await this.db.get<{ hash: string | null; id: number | string }>(this.db.dialect === 'postgres' ? PG_HEAD : SQLITE_HEAD, [orgId]);
    const entry: AuditEntry = {
      id: num(head!.id), orgId, at, actor, ...draft, subject: draft.subject ?? null, prevHash: head!.hash ?? GENESIS_HASH, hash: '',
    };
    entry.hash = hashEntry(entry);
    await this.db.run(
      'INSERT INTO audit_log (id, organization_id, at, actor, action, subject, summary, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      [entry.id, orgId, at, actor, entry.action, entry.subject, entry.summary, entry.prevHash, entry.hash],
    );
    return entry;
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
