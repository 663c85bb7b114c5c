import { AppError } from '../../core/errors.js';
import type { Actor, AuditDraft, EventDraft } from '../../core/model.js';
import type { Clock, EventBus } from '../../core/ports.js';
import { num, type SqlDb } from '../store/sql.js';
import { SqlStore } from '../store/index.js';
import { isSealed, Keyring, SEALED_PREFIX } from './keyring.js';

export const SECRET_NAME = /^[a-z][a-z0-9_.:-]{0,99}$/;

/** What anyone may see of a secret: never its value. */
export interface SecretInfo {
  name: string;
  keyId: string;
  createdBy: string;
  createdAt: number;
  updatedAt: number;
}

/** A column another area seals with `Secrets.seal`; a key rotation re-seals it too. */
export interface SealedColumn {
  table: string;
  /** Columns that identify a row (used in the UPDATE). */
  idColumns: string[];
  column: string;
  /** The context the value was sealed with, from the row's id columns. */
  context(row: Record<string, unknown>): string;
}

/** The service other engines use (`ctx.services.get<Secrets>('secrets')`). */
export interface Secrets {
  /** A stored integration secret (e.g. `slack_webhook`, `smtp_url`, `anthropic_api_key`), or null. */
  get(orgId: string, name: string): Promise<string | null>;
  /** Seal a value for your own column; pass the same context to open it. */
  seal(plaintext: string, context: string): string;
  open(sealed: string, context: string): string;
  registerColumn(column: SealedColumn): void;
}

interface Row {
  organization_id: string; name: string; value: string; key_id: string; created_by: string; created_at: unknown; updated_at: unknown;
}

const contextOf = (orgId: string, name: string): string => `integration_secrets/${orgId}/${name}`;
const info = (r: Row): SecretInfo => ({ name: r.name, keyId: r.key_id, createdBy: r.created_by, createdAt: num(r.created_at), updatedAt: num(r.updated_at) });

/**
 * Integration secrets at rest: rows hold only AES-256-GCM ciphertext; audit entries and events name the
 * secret, never its value. Changes commit with their audit entry and event in one transaction.
 */
export class SecretVault implements Secrets {
  private readonly columns: SealedColumn[] = [];

  constructor(private readonly db: SqlDb, private readonly keyring: Keyring, private readonly bus: EventBus, private readonly clock: Clock) {}

  registerColumn(column: SealedColumn): void {
    this.columns.push(column);
  }
  seal(plaintext: string, context: string): string {
    return this.keyring.seal(plaintext, context);
  }
  open(sealed: string, context: string): string {
    return this.keyring.open(sealed, context);
  }

  async get(orgId: string, name: string): Promise<string | null> {
    const row = await this.db.get<Row>('SELECT * FROM integration_secrets WHERE organization_id = ? AND name = ?', [orgId, name]);
    return row ? this.keyring.open(row.value, contextOf(orgId, name)) : null;
  }

  async list(orgId: string): Promise<SecretInfo[]> {
    return (await this.db.all<Row>('SELECT * FROM integration_secrets WHERE organization_id = ? ORDER BY name', [orgId])).map(info);
  }

  async set(actor: Actor, name: string, value: string): Promise<SecretInfo> {
    if (!SECRET_NAME.test(name)) throw new AppError('validation', `name: "${name.slice(0, 100)}" is not a secret name`, 'lower-case letters, digits and _ . : - (e.g. slack_webhook)');
    const now = this.clock.now();
    const sealed = this.keyring.seal(value, contextOf(actor.orgId, name));
    return this.change(actor, async (db) => {
      const existing = await db.get<Row>('SELECT * FROM integration_secrets WHERE organization_id = ? AND name = ?', [actor.orgId, name]);
      await db.run(
        `INSERT INTO integration_secrets (organization_id, name, value, key_id, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (organization_id, name) DO UPDATE SET value = excluded.value, key_id = excluded.key_id, updated_at = excluded.updated_at`,
        [actor.orgId, name, sealed, Keyring.keyOf(sealed), actor.name, existing ? num(existing.created_at) : now, now],
      );
      const result: SecretInfo = { name, keyId: Keyring.keyOf(sealed)!, createdBy: existing?.created_by ?? actor.name, createdAt: existing ? num(existing.created_at) : now, updatedAt: now };
      return {
        value: result,
        audit: { action: 'secret.set', subject: name, summary: `${existing ? 'replaced' : 'stored'} integration secret ${name} (sealed with key ${result.keyId})` },
        events: [{ type: 'secret.updated', subject: name, data: { name, keyId: result.keyId } }],
      };
    });
  }

  async remove(actor: Actor, name: string): Promise<void> {
    await this.change(actor, async (db) => {
      const n = await db.run('DELETE FROM integration_secrets WHERE organization_id = ? AND name = ?', [actor.orgId, name]);
      if (n === 0) throw new AppError('not_found', `secret ${name.slice(0, 100)} not found`);
      return { value: undefined, audit: { action: 'secret.remove', subject: name, summary: `removed integration secret ${name}` }, events: [{ type: 'secret.removed', subject: name, data: { name } }] };
    });
  }

  /**
   * New key, every sealed value re-sealed under it in one transaction, then the old keys forgotten. A crash
   * in between leaves both keys in the file and every value readable; running it again finishes the job.
   */
  async rotate(actor: Actor): Promise<{ keyId: string; resealed: number; retired: string[] }> {
    const keyId = this.keyring.addKey(this.clock.now());
    const resealed = await this.change(actor, async (db) => {
      let n = 0;
      for (const row of await db.all<Row>('SELECT * FROM integration_secrets')) {
        if (row.key_id === keyId) continue;
        const ctx = contextOf(row.organization_id, row.name);
        const sealed = this.keyring.seal(this.keyring.open(row.value, ctx), ctx);
        n += await db.run('UPDATE integration_secrets SET value = ?, key_id = ? WHERE organization_id = ? AND name = ?', [sealed, keyId, row.organization_id, row.name]);
      }
      for (const c of this.columns) {
        const where = c.idColumns.map((k) => `${k} = ?`).join(' AND ');
        for (const row of await db.all<Record<string, unknown>>(`SELECT ${[...c.idColumns, c.column].join(', ')} FROM ${c.table}`)) {
          const value = row[c.column];
          if (typeof value !== 'string' || Keyring.keyOf(value) === null || Keyring.keyOf(value) === keyId) continue;
          const ctx = c.context(row);
          const sealed = this.keyring.seal(this.keyring.open(value, ctx), ctx);
          n += await db.run(`UPDATE ${c.table} SET ${c.column} = ? WHERE ${where}`, [sealed, ...c.idColumns.map((k) => row[k] as string)]);
        }
      }
      return { value: n, audit: { action: 'secrets.rotate', subject: keyId, summary: `rotated the secrets key to ${keyId}; re-sealed ${n} value(s)` } };
    });
    const retired = this.keyring.retireOldKeys();
    return { keyId, resealed, retired };
  }

  /**
   * Seals values of registered columns still held in plain text (rows written before the column was
   * sealed), all in one transaction, and returns how many. Each row is updated only if it still holds the
   * plain value it was read with, so two daemons starting at once never seal a value twice.
   */
  async sealPlaintextColumns(): Promise<Array<{ table: string; column: string; sealed: number }>> {
    return this.db.transaction(async (db) => {
      const out: Array<{ table: string; column: string; sealed: number }> = [];
      for (const c of this.columns) {
        const where = c.idColumns.map((k) => `${k} = ?`).join(' AND ');
        let sealed = 0;
        const rows = await db.all<Record<string, unknown>>(`SELECT ${[...c.idColumns, c.column].join(', ')} FROM ${c.table} WHERE substr(${c.column}, 1, ${SEALED_PREFIX.length}) <> ?`, [SEALED_PREFIX]);
        for (const row of rows) {
          const value = row[c.column];
          if (typeof value !== 'string' || isSealed(value)) continue;
          sealed += await db.run(`UPDATE ${c.table} SET ${c.column} = ? WHERE ${where} AND ${c.column} = ?`,
            [this.keyring.seal(value, c.context(row)), ...c.idColumns.map((k) => row[k] as string), value]);
        }
        if (sealed > 0) out.push({ table: c.table, column: c.column, sealed });
      }
      return out;
    });
  }

  /** The unit of work over this table: the change, its audit entry and events in one transaction. */
  private change<T>(actor: Actor, work: (db: SqlDb) => Promise<{ value: T; audit: AuditDraft; events?: EventDraft[] }>): Promise<T> {
    return this.db.transaction(async (txDb) => {
      const c = await work(txDb);
      const tx = new SqlStore(txDb);
      const at = this.clock.now();
      await tx.audit.append(actor.orgId, actor.name, at, c.audit);
      if (c.events?.length) {
        const events = await tx.events.insert(actor.orgId, actor.name, at, c.events);
        txDb.onCommit(() => this.bus.publish(events));
      }
      return c.value;
    });
  }
}
