/**
 * Recent snapshots held in memory per organisation. `workload show` reads the last two weeks of every
 * member on each call; those rows change only when a refresh writes them, so the refresher reloads
 * the window after each run (and a TTL bounds staleness when another daemon did the refresh).
 */
import { DAY_MS, dayKey } from '../calendar/zone.js';
import type { Clock, Repos } from '../ports.js';
import type { SnapshotQuery, WorkloadRepo } from './ports.js';
import type { WorkloadSnapshot } from './snapshots.js';

interface Window {
  from: string;
  loadedAt: number;
  all: WorkloadSnapshot[];
  byTeam: Map<string | null, WorkloadSnapshot[]>;
  byMember: Map<string, WorkloadSnapshot[]>;
}

export class SnapshotCache {
  private readonly windows = new Map<string, Window>();
  private readonly loading = new Map<string, Promise<Window>>();

  constructor(
    private readonly repo: Pick<WorkloadRepo, 'listSnapshots'>,
    private readonly clock: Clock,
    readonly days = 31,
    readonly ttlMs = 60_000,
  ) {}

  invalidate(orgId: string): void {
    this.windows.delete(orgId);
  }

  /** Loads (or reloads) the org's window now. */
  async load(orgId: string): Promise<Window> {
    const pending = this.loading.get(orgId);
    if (pending) return pending;
    const now = this.clock.now();
    const from = dayKey(Math.floor(now / DAY_MS) - this.days);
    const p = this.repo.listSnapshots(orgId, { from }).then((all) => {
      const byTeam = new Map<string | null, WorkloadSnapshot[]>();
      const byMember = new Map<string, WorkloadSnapshot[]>();
      for (const s of all) {
        let t = byTeam.get(s.teamId);
        if (!t) byTeam.set(s.teamId, (t = []));
        t.push(s);
        let m = byMember.get(s.memberId);
        if (!m) byMember.set(s.memberId, (m = []));
        m.push(s);
      }
      const w: Window = { from, loadedAt: now, all, byTeam, byMember };
      this.windows.set(orgId, w);
      return w;
    });
    this.loading.set(orgId, p);
    try {
      return await p;
    } finally {
      this.loading.delete(orgId);
    }
  }

  /** Snapshots for a query, from memory when the window covers it, else from the store. */
  async list(orgId: string, q: SnapshotQuery = {}): Promise<WorkloadSnapshot[]> {
    let w = this.windows.get(orgId);
    if (!w || this.clock.now() - w.loadedAt > this.ttlMs) w = await this.load(orgId);
    if (!q.from || q.from < w.from) return this.repo.listSnapshots(orgId, q);
    const base = q.memberId ? w.byMember.get(q.memberId) ?? [] : q.teamId ? w.byTeam.get(q.teamId) ?? [] : w.all;
    return base.filter((s) => s.day >= q.from! && (!q.to || s.day <= q.to) && (!q.teamId || s.teamId === q.teamId));
  }

  /** The store's repositories with snapshot reads served from this cache. */
  wrap(repos: Repos): Repos {
    const workload: WorkloadRepo = Object.create(repos.workload) as WorkloadRepo;
    workload.listSnapshots = (orgId, q) => this.list(orgId, q);
    return { ...repos, workload };
  }
}
