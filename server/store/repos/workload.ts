import type { FactorContribution } from '../../../core/workload/burnout.js';
import type { RiskLevel } from '../../../core/workload/levels.js';
import type {
  OnCallShift, RiskState, SnapshotPage, SnapshotQuery, WorkloadAlert, WorkloadRepo,
} from '../../../core/workload/ports.js';
import type { DefaultedField } from '../../../core/workload/profile.js';
import type { WorkloadSnapshot } from '../../../core/workload/snapshots.js';
import type { SqlDb, SqlValue } from '../sql.js';
import { newId } from '../../../core/ids.js';
import { bool, json, num, numOrNull, parseJson } from '../sql.js';

interface SnapshotRow {
  member_id: string; team_id: string | null; day: string; time_zone: string; active_tasks: number;
  max_concurrent: number; hours_inside: number; hours_outside: number; capacity_hours: number;
  utilization: number | null; pages: number; p1_assignments: number; approvals_out_of_hours: number;
  interruptions: number; on_call: number; on_call_hours: number; after_hours_work: number;
  consecutive_on_call_days: number; consecutive_after_hours_days: number; defaults: string; partial: number;
}

const COLUMNS = [
  'organization_id', 'member_id', 'team_id', 'day', 'time_zone', 'active_tasks', 'max_concurrent', 'hours_inside',
  'hours_outside', 'capacity_hours', 'utilization', 'pages', 'p1_assignments', 'approvals_out_of_hours',
  'interruptions', 'on_call', 'on_call_hours', 'after_hours_work', 'consecutive_on_call_days',
  'consecutive_after_hours_days', 'defaults', 'partial',
];
const UPDATE_SET = COLUMNS.slice(2).map((c) => `${c} = excluded.${c}`).join(', ');
const ROW_PLACEHOLDERS = `(${COLUMNS.map(() => '?').join(', ')})`;
/** Rows per INSERT: well under both SQLite's and PostgreSQL's parameter limits. */
const BATCH = 200;
/** Rows per transaction. */
const CHUNK = 4_000;

function snapshotFilter(orgId: string, q: SnapshotQuery): { clauses: string[]; params: SqlValue[] } {
  const clauses = ['organization_id = ?'];
  const params: SqlValue[] = [orgId];
  if (q.memberId) { clauses.push('member_id = ?'); params.push(q.memberId); }
  if (q.teamId) { clauses.push('team_id = ?'); params.push(q.teamId); }
  if (q.from) { clauses.push('day >= ?'); params.push(q.from); }
  if (q.to) { clauses.push('day <= ?'); params.push(q.to); }
  return { clauses, params };
}

const toSnapshot = (r: SnapshotRow): WorkloadSnapshot => ({
  memberId: r.member_id,
  teamId: r.team_id,
  day: r.day,
  timeZone: r.time_zone,
  activeTasks: num(r.active_tasks),
  maxConcurrent: num(r.max_concurrent),
  hoursInside: num(r.hours_inside),
  hoursOutside: num(r.hours_outside),
  capacityHours: num(r.capacity_hours),
  utilization: numOrNull(r.utilization),
  pages: num(r.pages),
  p1Assignments: num(r.p1_assignments),
  approvalsOutOfHours: num(r.approvals_out_of_hours),
  interruptions: num(r.interruptions),
  onCall: bool(r.on_call),
  onCallHours: num(r.on_call_hours),
  afterHoursWork: bool(r.after_hours_work),
  consecutiveOnCallDays: num(r.consecutive_on_call_days),
  consecutiveAfterHoursDays: num(r.consecutive_after_hours_days),
  defaults: parseJson<DefaultedField[]>(r.defaults, []),
  partial: bool(r.partial),
});

const values = (orgId: string, s: WorkloadSnapshot): SqlValue[] => [
  orgId, s.memberId, s.teamId, s.day, s.timeZone, s.activeTasks, s.maxConcurrent, s.hoursInside, s.hoursOutside,
  s.capacityHours, s.utilization, s.pages, s.p1Assignments, s.approvalsOutOfHours, s.interruptions, s.onCall ? 1 : 0,
  s.onCallHours, s.afterHoursWork ? 1 : 0, s.consecutiveOnCallDays, s.consecutiveAfterHoursDays, json(s.defaults),
  s.partial ? 1 : 0,
];

interface AlertRow {
  id: string; organization_id: string; member_id: string; day: string; from_level: string; to_level: string;
  kind: string; score: number; factors: string; at: number;
}

/** The workload area's tables. */
export class SqlWorkloadRepo implements WorkloadRepo {
  constructor(protected readonly db: SqlDb) {}

  async upsertSnapshots(orgId: string, snapshots: readonly WorkloadSnapshot[]): Promise<void> {
    // A backfill writes hundreds of thousands of rows: one short transaction per chunk, with a turn of
    // the event loop between them, so requests and other writers are not held up behind it.
    for (let start = 0; start < snapshots.length; start += CHUNK) {
      const part = snapshots.slice(start, start + CHUNK);
      await this.db.transaction(async (tx) => {
        for (let i = 0; i < part.length; i += BATCH) {
          const chunk = part.slice(i, i + BATCH);
          const params: SqlValue[] = [];
          for (const s of chunk) params.push(...values(orgId, s));
          await tx.run(
            `INSERT INTO workload_snapshots (${COLUMNS.join(', ')}) VALUES ${chunk.map(() => ROW_PLACEHOLDERS).join(', ')}
             ON CONFLICT (organization_id, member_id, day) DO UPDATE SET ${UPDATE_SET}`,
            params,
          );
        }
      });
      if (start + CHUNK < snapshots.length) await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  async recordOnCall(orgId: string, memberIds: readonly string[], from: number, to: number): Promise<void> {
    if (memberIds.length === 0 || to <= from) return;
    await this.db.transaction(async (tx) => {
      for (const memberId of memberIds) {
        const last = await tx.get<{ id: string; end_at: number }>(
          `SELECT id, end_at FROM workload_on_call_shifts WHERE organization_id = ? AND member_id = ?
           ORDER BY end_at DESC LIMIT 1`,
          [orgId, memberId],
        );
        if (last && num(last.end_at) >= from) {
          await tx.run('UPDATE workload_on_call_shifts SET end_at = ? WHERE organization_id = ? AND id = ?', [Math.max(to, num(last.end_at)), orgId, last.id]);
        } else {
          await tx.run(
            'INSERT INTO workload_on_call_shifts (id, organization_id, member_id, start_at, end_at) VALUES (?, ?, ?, ?, ?)',
            [newId('ocs', from), orgId, memberId, from, to],
          );
        }
      }
    });
  }

  async onCallShifts(orgId: string, since: number): Promise<OnCallShift[]> {
    const rows = await this.db.all<{ member_id: string; start_at: number; end_at: number }>(
      'SELECT member_id, start_at, end_at FROM workload_on_call_shifts WHERE organization_id = ? AND end_at >= ? ORDER BY start_at',
      [orgId, since],
    );
    return rows.map((r) => ({ memberId: r.member_id, start: num(r.start_at), end: num(r.end_at) }));
  }

  async listSnapshots(orgId: string, q: SnapshotQuery = {}): Promise<WorkloadSnapshot[]> {
    const { clauses, params } = snapshotFilter(orgId, q);
    const rows = await this.db.all<SnapshotRow>(
      `SELECT * FROM workload_snapshots WHERE ${clauses.join(' AND ')} ORDER BY member_id, day`,
      params,
    );
    return rows.map(toSnapshot);
  }

  async pageSnapshots(orgId: string, q: SnapshotQuery, page: SnapshotPage): Promise<WorkloadSnapshot[]> {
    const { clauses, params } = snapshotFilter(orgId, q);
    if (page.after) {
      // Keyset paging over the index's own order: no OFFSET, so the 100th page costs what the first does.
      clauses.push('(member_id, day) > (?, ?)');
      params.push(page.after.memberId, page.after.day);
    }
    const limit = Math.max(1, Math.min(10_000, Math.floor(page.limit)));
    const rows = await this.db.all<SnapshotRow>(
      `SELECT * FROM workload_snapshots WHERE ${clauses.join(' AND ')} ORDER BY member_id, day LIMIT ${limit}`,
      params,
    );
    return rows.map(toSnapshot);
  }

  async latestDay(orgId: string): Promise<string | null> {
    const row = await this.db.get<{ day: string | null }>(
      'SELECT MAX(day) AS day FROM workload_snapshots WHERE organization_id = ?',
      [orgId],
    );
    return row?.day ?? null;
  }

  async riskStates(orgId: string): Promise<RiskState[]> {
    const rows = await this.db.all<{ member_id: string; level: string; score: number; day: string; updated_at: number }>(
      'SELECT member_id, level, score, day, updated_at FROM workload_risk_state WHERE organization_id = ?',
      [orgId],
    );
    return rows.map((r) => ({
      memberId: r.member_id, level: r.level as RiskLevel, score: num(r.score), day: r.day, updatedAt: num(r.updated_at),
    }));
  }

  async setRiskState(orgId: string, s: RiskState): Promise<void> {
    await this.db.run(
      `INSERT INTO workload_risk_state (organization_id, member_id, level, score, day, updated_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (organization_id, member_id) DO UPDATE SET level = excluded.level, score = excluded.score,
       day = excluded.day, updated_at = excluded.updated_at`,
      [orgId, s.memberId, s.level, s.score, s.day, s.updatedAt],
    );
  }

  async insertAlert(a: WorkloadAlert): Promise<boolean> {
    const changed = await this.db.run(
      `INSERT INTO workload_alerts (id, organization_id, member_id, day, from_level, to_level, kind, score, factors, at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
      [a.id, a.orgId, a.memberId, a.day, a.from, a.to, a.kind, a.score, json(a.factors), a.at],
    );
    return changed > 0;
  }

  async listAlerts(orgId: string, options: { memberId?: string; limit?: number } = {}): Promise<WorkloadAlert[]> {
    const limit = Math.min(Math.max(options.limit ?? 100, 1), 10_000);
    const params: SqlValue[] = [orgId];
    let extra = '';
    if (options.memberId) { extra = ' AND member_id = ?'; params.push(options.memberId); }
    const rows = await this.db.all<AlertRow>(
      `SELECT * FROM workload_alerts WHERE organization_id = ?${extra} ORDER BY at DESC, id DESC LIMIT ${limit}`,
      params,
    );
    return rows.map((r) => ({
      id: r.id, orgId: r.organization_id, memberId: r.member_id, day: r.day, from: r.from_level as RiskLevel,
      to: r.to_level as RiskLevel, kind: r.kind as WorkloadAlert['kind'], score: num(r.score),
      factors: parseJson<FactorContribution[]>(r.factors, []), at: num(r.at),
    }));
  }
}
