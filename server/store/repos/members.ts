import type { Member, WorkingHours } from '../../../core/model.js';
import type { MemberFilter, MemberRepo } from '../../../core/ports.js';
import type { SqlDb, SqlValue } from '../sql.js';
import { bool, json, num, parseJson } from '../sql.js';

interface Row {
  id: string; organization_id: string; team_id: string | null; name: string; email: string | null; skills: string;
  timezone: string | null; working_hours: string | null; capacity: number; calendar_url: string | null;
  on_call: number; active: number; created_at: number;
}

const toMember = (r: Row): Member => ({
  id: r.id,
  orgId: r.organization_id,
  teamId: r.team_id,
  name: r.name,
  email: r.email,
  skills: parseJson<Record<string, number>>(r.skills, {}),
  timezone: r.timezone,
  workingHours: parseJson<WorkingHours | null>(r.working_hours, null),
  capacity: num(r.capacity),
  calendarUrl: r.calendar_url,
  onCall: bool(r.on_call),
  active: bool(r.active),
  createdAt: num(r.created_at),
});

const columns = (m: Member): SqlValue[] => [
  m.teamId, m.name, m.email, json(m.skills), m.timezone, m.workingHours ? json(m.workingHours) : null, m.capacity,
  m.calendarUrl, m.onCall, m.active,
];

export class SqlMemberRepo implements MemberRepo {
  constructor(private readonly db: SqlDb) {}
  async insert(m: Member): Promise<void> {
    await this.db.run(
      `INSERT INTO members (team_id, name, email, skills, timezone, working_hours, capacity, calendar_url, on_call, active,
        id, organization_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [...columns(m), m.id, m.orgId, m.createdAt],
    );
  }
  async update(m: Member): Promise<void> {
    await this.db.run(
      `UPDATE members SET team_id = ?, name = ?, email = ?, skills = ?, timezone = ?, working_hours = ?, capacity = ?,
        calendar_url = ?, on_call = ?, active = ? WHERE id = ? AND organization_id = ?`,
      [...columns(m), m.id, m.orgId],
    );
  }
  async find(orgId: string, idOrName: string): Promise<Member | undefined> {
    const row = await this.db.get<Row>('SELECT * FROM members WHERE organization_id = ? AND (id = ? OR name = ?)', [orgId, idOrName, idOrName]);
    return row && toMember(row);
  }
  async list(orgId: string, filter: MemberFilter = {}): Promise<Member[]> {
    const rows = filter.teamId
      ? await this.db.all<Row>('SELECT * FROM members WHERE organization_id = ? AND team_id = ? ORDER BY name', [orgId, filter.teamId])
      : await this.db.all<Row>('SELECT * FROM members WHERE organization_id = ? ORDER BY name', [orgId]);
    return rows.map(toMember);
  }
}
