import type { Role, Token, User } from '../../../core/model.js';
import type { TokenGrant, TokenRepo, UserRepo } from '../../../core/ports.js';
import type { SqlDb } from '../sql.js';
import { num, numOrNull } from '../sql.js';

interface UserRow { id: string; organization_id: string; name: string; role: string; member_id: string | null; created_at: number }
interface TokenRow { id: string; organization_id: string; user_id: string; created_at: number; expires_at: number | null; revoked_at: number | null }

const toUser = (r: UserRow): User => ({
  id: r.id, orgId: r.organization_id, name: r.name, role: r.role as Role, memberId: r.member_id, createdAt: num(r.created_at),
});
const toToken = (r: TokenRow): Token => ({
  id: r.id, orgId: r.organization_id, userId: r.user_id, createdAt: num(r.created_at),
  expiresAt: numOrNull(r.expires_at), revokedAt: numOrNull(r.revoked_at),
});

export class SqlUserRepo implements UserRepo {
  constructor(private readonly db: SqlDb) {}
  async insert(u: User): Promise<void> {
    await this.db.run('INSERT INTO users (id, organization_id, name, role, member_id, created_at) VALUES (?, ?, ?, ?, ?, ?)', [
      u.id, u.orgId, u.name, u.role, u.memberId, u.createdAt,
    ]);
  }
  async get(orgId: string, id: string): Promise<User | undefined> {
    const row = await this.db.get<UserRow>('SELECT * FROM users WHERE organization_id = ? AND id = ?', [orgId, id]);
    return row && toUser(row);
  }
  async findByName(orgId: string, name: string): Promise<User | undefined> {
    const row = await this.db.get<UserRow>('SELECT * FROM users WHERE organization_id = ? AND name = ?', [orgId, name]);
    return row && toUser(row);
  }
  async list(orgId: string): Promise<User[]> {
    return (await this.db.all<UserRow>('SELECT * FROM users WHERE organization_id = ? ORDER BY name', [orgId])).map(toUser);
  }
  async remove(orgId: string, id: string): Promise<boolean> {
    await this.db.run('DELETE FROM tokens WHERE organization_id = ? AND user_id = ?', [orgId, id]);
    return (await this.db.run('DELETE FROM users WHERE organization_id = ? AND id = ?', [orgId, id])) > 0;
  }
}

export class SqlTokenRepo implements TokenRepo {
  constructor(private readonly db: SqlDb) {}
  async insert(t: Token): Promise<void> {
    await this.db.run('INSERT INTO tokens (id, organization_id, user_id, created_at, expires_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?)', [
      t.id, t.orgId, t.userId, t.createdAt, t.expiresAt, t.revokedAt,
    ]);
  }
  async grant(id: string): Promise<TokenGrant | undefined> {
    const row = await this.db.get<TokenRow & { u_name: string; u_role: string; u_member_id: string | null; u_created_at: number }>(
      `SELECT t.*, u.name AS u_name, u.role AS u_role, u.member_id AS u_member_id, u.created_at AS u_created_at
         FROM tokens t JOIN users u ON u.id = t.user_id AND u.organization_id = t.organization_id WHERE t.id = ?`,
      [id],
    );
    if (!row) return undefined;
    return {
      token: toToken(row),
      user: toUser({ id: row.user_id, organization_id: row.organization_id, name: row.u_name, role: row.u_role, member_id: row.u_member_id, created_at: row.u_created_at }),
    };
  }
  async get(orgId: string, id: string): Promise<Token | undefined> {
    const row = await this.db.get<TokenRow>('SELECT * FROM tokens WHERE organization_id = ? AND id = ?', [orgId, id]);
    return row && toToken(row);
  }
  async listForUser(orgId: string, userId: string): Promise<Token[]> {
    return (await this.db.all<TokenRow>('SELECT * FROM tokens WHERE organization_id = ? AND user_id = ? ORDER BY created_at', [orgId, userId])).map(toToken);
  }
  async revoke(orgId: string, id: string, at: number): Promise<boolean> {
    return (await this.db.run('UPDATE tokens SET revoked_at = ? WHERE organization_id = ? AND id = ? AND revoked_at IS NULL', [at, orgId, id])) > 0;
  }
  async revokeAllForUser(orgId: string, userId: string, at: number): Promise<number> {
    return this.db.run('UPDATE tokens SET revoked_at = ? WHERE organization_id = ? AND user_id = ? AND revoked_at IS NULL', [at, orgId, userId]);
  }
}
