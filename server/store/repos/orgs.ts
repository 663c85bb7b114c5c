import type { Org } from '../../../core/model.js';
import type { OrgRepo } from '../../../core/ports.js';
import type { SqlDb } from '../sql.js';
import { num } from '../sql.js';

interface Row { id: string; name: string; created_at: number }
const toOrg = (r: Row): Org => ({ id: r.id, name: r.name, createdAt: num(r.created_at) });

export class SqlOrgRepo implements OrgRepo {
  constructor(private readonly db: SqlDb) {}
  async insert(org: Org): Promise<void> {
    await this.db.run('INSERT INTO orgs (id, name, created_at) VALUES (?, ?, ?)', [org.id, org.name, org.createdAt]);
  }
  async get(id: string): Promise<Org | undefined> {
    const row = await this.db.get<Row>('SELECT * FROM orgs WHERE id = ?', [id]);
    return row && toOrg(row);
  }
  async list(): Promise<Org[]> {
    return (await this.db.all<Row>('SELECT * FROM orgs ORDER BY created_at')).map(toOrg);
  }
}
