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

export class SqlAuditRepo implements AuditRepo {
  constructor(private readonly db: SqlDb) {}

  async append(orgId: string, actor: string, at: number, draft: AuditDraft): Promise<AuditEntry> {
    if (this.db.dialect === 'postgres') {
      // Appends from every daemon form one chain per org: take the org's lock for this transaction.
      await this.db.run('SELECT pg_advisory_xact_lock(hashtext(?))', [`org:${orgId}`]);
    }
    const last = await this.db.get<{ hash: string }>(
      'SELECT hash FROM audit_log WHERE organization_id = ? ORDER BY id DESC LIMIT 1',
      [orgId],
    );
    const prevHash = last?.hash ?? GENESIS_HASH;
    const row = await this.db.get<{ id: number }>(
      `INSERT INTO audit_log (organization_id, at, actor, action, subject, summary, prev_hash, hash)
       VALUES (?, ?, ?, ?, ?, ?, ?, '') RETURNING id`,
      [orgId, at, actor, draft.action, draft.subject, draft.summary, prevHash],
    );
    const entry: AuditEntry = { id: num(row!.id), orgId, at, actor, ...draft, subject: draft.subject ?? null, prevHash, hash: '' };
    entry.hash = hashEntry(entry);
    await this.db.run('UPDATE audit_log SET hash = ? WHERE id = ?', [entry.hash, entry.id]);
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
