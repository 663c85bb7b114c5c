import type { Team, WorkingHours } from '../../../core/model.js';
import type { TeamRepo } from '../../../core/ports.js';
import type { SqlDb } from '../sql.js';
import { json, num, parseJson } from '../sql.js';

interface Row {
  id: string; organization_id: string; name: string; description: string | null; timezone: string | null;
  working_hours: string | null; holidays: string; created_at: number;
}

const toTeam = (r: Row): Team => ({
  id: r.id,
  orgId: r.organization_id,
  name: r.name,
  description: r.description,
  timezone: r.timezone,
  workingHours: parseJson<WorkingHours | null>(r.working_hours, null),
  holidays: parseJson<string[]>(r.holidays, []),
  createdAt: num(r.created_at),
});

export class SqlTeamRepo implements TeamRepo {
  constructor(private readonly db: SqlDb) {}
  async insert(t: Team): Promise<void> {
    await this.db.run(
      'INSERT INTO teams (id, organization_id, name, description, timezone, working_hours, holidays, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      [t.id, t.orgId, t.name, t.description, t.timezone, t.workingHours ? json(t.workingHours) : null, json(t.holidays), t.createdAt],
    );
  }
  async update(t: Team): Promise<void> {
    await this.db.run(
      'UPDATE teams SET name = ?, description = ?, timezone = ?, working_hours = ?, holidays = ? WHERE organization_id = ? AND id = ?',
      [t.name, t.description, t.timezone, t.workingHours ? json(t.workingHours) : null, json(t.holidays), t.orgId, t.id],
    );
  }
  async find(orgId: string, idOrName: string): Promise<Team | undefined> {
    const row = await this.db.get<Row>('SELECT * FROM teams WHERE organization_id = ? AND (id = ? OR name = ?)', [orgId, idOrName, idOrName]);
    return row && toTeam(row);
  }
  async list(orgId: string): Promise<Team[]> {
    return (await this.db.all<Row>('SELECT * FROM teams WHERE organization_id = ? ORDER BY name', [orgId])).map(toTeam);
  }
}
