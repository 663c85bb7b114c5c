/**
 * Who could take a task now, per team: each member with their open tasks, out-of-office time,
 * round-robin turn and workload penalty. Load is read from the store at most every LOAD_TTL_MS (each
 * decision would otherwise scan the open tasks) and kept current in between by the assignments this
 * process makes; workload penalties change over hours and are asked for every few seconds.
 */
import type { Interval } from '../calendar/business-time.js';
import type { Member } from '../model.js';
import type { WorkloadSignals } from '../workload/ports.js';
import { penaltiesFor } from '../workload/signals.js';
import type { Candidate } from './members.js';
import type { RoutingRepo } from './ports.js';

const LOAD_TTL_MS = 1_000;
const PENALTY_TTL_MS = 5_000;

interface LoadView {
  at: number;
  active: Map<string, number>;
  last: Map<string, number>;
}

type Penalty = { penalty: number; reason: string };

export interface CandidateDeps {
  repo: Pick<RoutingRepo, 'activeTasks' | 'lastAssigned'>;
  busy(member: Member, now: number): readonly Interval[];
  signals: () => WorkloadSignals | undefined;
}

export class CandidateSource {
  private readonly loads = new Map<string, LoadView>();
  private readonly penaltyCache = new Map<string, { at: number; map: Map<string, Penalty> }>();

  constructor(private readonly deps: CandidateDeps) {}

  /**
   * The candidates of a team, by team id. A team's list is built when first asked for: a decision
   * usually looks at one team, and each candidate carries its calendar for now.
   */
  async byTeam(orgId: string, members: readonly Member[], now: number): Promise<(teamId: string) => readonly Candidate[]> {
    const ids = members.map((m) => m.id);
    const [{ active, last }, penalties] = await Promise.all([this.load(orgId, ids, now), this.penalties(orgId, ids, now)]);
    const built = new Map<string, Candidate[]>();
    return (teamId) => {
      let list = built.get(teamId);
      if (list) return list;
      list = [];
      for (const m of members) {
        if (m.teamId !== teamId) continue;
        const penalty = penalties.get(m.id);
        list.push({
          member: m, activeTasks: active.get(m.id) ?? 0, busy: this.deps.busy(m, now), lastAssignedAt: last.get(m.id) ?? null,
          ...(penalty ? { penalty } : {}),
        });
      }
      built.set(teamId, list);
      return list;
    };
  }

  /** Counts an assignment this process just stored, until the next read of the store. */
  assigned(orgId: string, memberId: string, at: number): void {
    const view = this.loads.get(orgId);
    if (!view) return;
    view.active.set(memberId, (view.active.get(memberId) ?? 0) + 1);
    view.last.set(memberId, at);
  }

  private async load(orgId: string, ids: string[], now: number): Promise<LoadView> {
    const hit = this.loads.get(orgId);
    if (hit && now - hit.at < LOAD_TTL_MS && now >= hit.at) return hit;
    const [active, last] = await Promise.all([this.deps.repo.activeTasks(orgId), this.deps.repo.lastAssigned(orgId, ids)]);
    const view = { at: now, active, last };
    this.loads.set(orgId, view);
    return view;
  }

  private async penalties(orgId: string, ids: string[], now: number): Promise<Map<string, Penalty>> {
    const hit = this.penaltyCache.get(orgId);
    if (hit && now - hit.at < PENALTY_TTL_MS && now >= hit.at) return hit.map;
    const map = await penaltiesFor(this.deps.signals(), orgId, ids);
    this.penaltyCache.set(orgId, { at: now, map });
    return map;
  }
}
