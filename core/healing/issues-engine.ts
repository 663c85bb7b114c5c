import { notFound, conflict } from '../errors.js';
import { newId } from '../ids.js';
import { systemActor, type Actor, type EventDraft, type AuditDraft } from '../model.js';
import type { Clock, Commit, Store, Tx } from '../ports.js';
import {
  ISSUE_DETECTED,
  ISSUE_RESOLVED,
  openIssue,
  refreshIssue,
  resolveIssue,
  signalFingerprint,
  type Issue,
  type IssueSignal,
} from './issues.js';

/** A firing signal, or the end of one (an alert resolved, a check passing again, an anomaly gone quiet). */
export type IssueChange =
  | { kind: 'firing'; signal: IssueSignal }
  | { kind: 'resolved'; fingerprint: string; at: number; resolution: string };

export interface IngestResult {
  opened: Issue[];
  refreshed: number;
  resolved: Issue[];
}

export interface IssueEngineDeps {
  store: Pick<Store, 'healing'>;
  commit: Commit;
  clock: Clock;
  /** Called once per newly opened issue, after commit (Prometheus counter). */
  onOpened?: (issue: Issue) => void;
  /** How long repeated signals for an open issue are folded in memory before they are written. */
  flushEveryMs?: number;
}

/** A change that needs the database, with its fingerprint computed once. */
interface Keyed {
  change: IssueChange;
  fp: string;
}

interface Job {
  orgId: string;
  changes: Keyed[];
  carried: Map<string, { signal: IssueSignal; count: number }>;
  refreshed: number;
  resolve(r: IngestResult): void;
  reject(e: unknown): void;
}

interface Lane {
  queue: Job[];
  /** a transaction is asked for and has not yet taken the queue */
  waiting: boolean;
  /** the lane's latest transaction; the next one starts after it */
  running: Promise<void> | null;
}

interface OpenEntry {
  id: string;
  pending: IssueSignal | null;
  pendingCount: number;
}

/**
 * Opens, refreshes and resolves issues from signals, one open issue per fingerprint. Repeats of an
 * open issue (an alert re-sent every group interval, an anomaly that persists) only bump a counter in
 * memory and are written in one transaction every `flushEveryMs`, so a storm of duplicates costs no
 * database work per signal. New issues and resolutions are written at once with their audit entry and
 * the `issue.detected` / `issue.resolved` event.
 */
export class IssueEngine {
  /** org -> fingerprint -> open issue. A cache: the database (unique open fingerprint) is the truth. */
  private readonly open = new Map<string, Map<string, OpenEntry>>();
  /** org -> fingerprints with folded repeats not yet written (so a flush does not scan every open issue). */
  private readonly dirty = new Map<string, Set<string>>();
  private timer: ReturnType<typeof setInterval> | null = null;
  /** org -> its changes waiting for a transaction, and the transaction in flight */
  private readonly lanes = new Map<string, Lane>();

  constructor(private readonly deps: IssueEngineDeps) {}

  /**
   * Applies a batch of changes (e.g. one Alertmanager webhook). What needs the database joins the
   * next transaction, shared with the other requests waiting for it.
   */
  async ingest(orgId: string, changes: readonly IssueChange[]): Promise<IngestResult> {
    const cache = this.orgCache(orgId);
    const needDb: Keyed[] = [];
    // repeats folded in memory that a resolution in this batch must still count
    const carried = new Map<string, { signal: IssueSignal; count: number }>();
    let refreshed = 0;
    for (const c of changes) {
      const fp = c.kind === 'firing' ? signalFingerprint(c.signal) : c.fingerprint;
      if (c.kind === 'firing') {
        const entry = cache.get(fp);
        if (entry) {
          entry.pending = entry.pending ? mergeSignal(entry.pending, c.signal) : c.signal;
          entry.pendingCount++;
          this.dirtyOf(orgId).add(fp);
          refreshed++;
          continue;
        }
      } else {
        const pending = this.takePending(orgId, fp);
        if (pending) carried.set(fp, pending);
        // later firings of this batch must reach the database, where the issue is about to resolve
        cache.delete(fp);
      }
      needDb.push({ change: c, fp });
    }
    if (needDb.length === 0) return { opened: [], refreshed, resolved: [] };
    return new Promise<IngestResult>((resolve, reject) => this.enqueue({ orgId, changes: needDb, carried, refreshed, resolve, reject }));
  }

  /**
   * Jobs of an org are written one transaction at a time, and a transaction takes the jobs queued
   * when its work begins, not when it was asked for: the store starts a transaction's work once the
   * requests of the turn have arrived (SQLite's group commit), so they all join it and are answered
   * in that turn, rather than one turn later in a transaction of their own.
   */
  private enqueue(job: Job): void {
    const lane = this.laneOf(job.orgId);
    lane.queue.push(job);
    if (lane.waiting) return; // the next transaction has not begun its work: it takes this job too
    lane.waiting = true;
    const run = (): Promise<void> => this.runLane(job.orgId, lane);
    lane.running = lane.running ? lane.running.then(run) : run();
  }

  private async runLane(orgId: string, lane: Lane): Promise<void> {
    let jobs: Job[] | null = null;
    const take = (): Job[] => {
      lane.waiting = false;
      jobs = lane.queue.splice(0);
      return jobs;
    };
    try {
      const results = await this.apply(orgId, take);
      jobs!.forEach((j, i) => j.resolve(results[i]!));
    } catch (e) {
      // a transaction that failed before its work began (e.g. BEGIN) fails the jobs it would have taken;
      // jobs queued after it took its own belong to the next transaction
      for (const j of jobs ?? take()) j.reject(e);
    }
  }

  /**
   * One transaction for the changes of several requests, in arrival order; a result per request.
   * Statements per transaction, not per alert: one read of the open issues every change touches, the
   * changed issues' UPDATEs, then one multi-row INSERT of the new ones (each in its final state).
   */
  private async apply(orgId: string, take: () => Job[]): Promise<IngestResult[]> {
    const cache = this.orgCache(orgId);
    const actor = systemActor(orgId, 'healing');
    const result = await this.deps.commit(actor, async (tx) => {
      const jobs = take();
      const events: EventDraft[] = [];
      const audit: AuditDraft[] = [];
      const fps = new Set<string>();
      for (const job of jobs) for (const k of job.changes) fps.add(k.fp);
      // fingerprint -> its issue as this transaction leaves it (open or just resolved)
      const seen = new Map<string, Issue>();
      for (const issue of await tx.healing.findOpenIssues(orgId, [...fps])) seen.set(issue.fingerprint, issue);
      // id -> final state; `fresh` ids are not in the database yet
      const changed = new Map<string, Issue>();
      const fresh = new Set<string>();
      const results: IngestResult[] = [];
      for (const job of jobs) {
        const opened: Issue[] = [];
        const resolved: Issue[] = [];
        let dbRefreshed = 0;
        for (const { change: c, fp } of job.changes) {
          const current = seen.get(fp);
          const isOpen = current !== undefined && current.status === 'open';
          if (c.kind === 'firing') {
            if (isOpen) {
              const next = refreshIssue(current, c.signal);
              seen.set(fp, next);
              changed.set(next.id, next);
              dbRefreshed++;
            } else {
              const issue = openIssue(newId('iss', this.deps.clock.now()), orgId, c.signal, fp);
              seen.set(fp, issue);
              changed.set(issue.id, issue);
              fresh.add(issue.id);
              opened.push(issue);
              events.push({ type: ISSUE_DETECTED, subject: issue.id, data: { issue } });
              audit.push({ action: 'issue.detect', subject: issue.id, summary: `${issue.source} issue "${issue.title}" (${issue.severity})` });
            }
          } else if (isOpen) {
            const pending = job.carried.get(fp);
            job.carried.delete(fp);
            const base = pending ? refreshIssue(current, pending.signal, pending.count) : current;
            const done = resolveIssue(base, Math.max(c.at, base.lastSeenAt), c.resolution, null);
            seen.set(fp, done);
            changed.set(done.id, done);
            resolved.push(done);
            events.push({ type: ISSUE_RESOLVED, subject: done.id, data: { issue: done } });
            audit.push({ action: 'issue.resolve', subject: done.id, summary: `resolved (${c.resolution}): "${done.title}"` });
          }
        }
        results.push({ opened, resolved, refreshed: job.refreshed + dbRefreshed });
      }
      // updates first: an issue resolved here leaves the unique open-fingerprint index before its
      // successor (opened later in the same batch) is inserted
      const inserts: Issue[] = [];
      for (const issue of changed.values()) {
        if (fresh.has(issue.id)) inserts.push(issue);
        else await tx.healing.updateIssue(issue);
      }
      await tx.healing.insertIssues(inserts);
      return { value: { results, seen }, events, audit };
    });
    for (const [fp, issue] of result.seen) {
      if (issue.status === 'open') {
        if (!cache.has(fp)) cache.set(fp, { id: issue.id, pending: null, pendingCount: 0 });
      } else cache.delete(fp);
    }
    for (const r of result.results) for (const i of r.opened) this.deps.onOpened?.(i);
    return result.results;
  }

  /** A person resolves an issue (`healing issues resolve ID`). */
  async resolveById(actor: Actor, id: string, reason?: string): Promise<Issue> {
    return this.deps.commit(actor, async (tx) => {
      const issue = await tx.healing.getIssue(actor.orgId, id);
      if (!issue) throw notFound('issue', id);
      if (issue.status !== 'open') throw conflict(`issue ${id} is already resolved`);
      const pending = this.takePending(actor.orgId, issue.fingerprint);
      const base = pending ? refreshIssue(issue, pending.signal, pending.count) : issue;
      const done = resolveIssue(base, this.deps.clock.now(), reason ? `manual: ${reason}` : 'manual', actor.name);
      await tx.healing.updateIssue(done);
      tx.onCommit(() => this.forget(actor.orgId, issue.fingerprint));
      return {
        value: done,
        events: [{ type: ISSUE_RESOLVED, subject: done.id, data: { issue: done } }],
        audit: { action: 'issue.resolve', subject: done.id, summary: `resolved by ${actor.name}: "${done.title}"` },
      };
    });
  }

  /** Drops a cached open issue (another daemon resolved it: the bus said so). */
  forget(orgId: string, fingerprint: string): void {
    this.open.get(orgId)?.delete(fingerprint);
  }

  /** Whether an issue with this fingerprint is known to be open here (cheap, may miss). */
  isOpen(orgId: string, fingerprint: string): boolean {
    return this.open.get(orgId)?.has(fingerprint) ?? false;
  }

  /** Writes folded repeats: occurrences, last seen, worst severity. */
  async flush(): Promise<number> {
    let written = 0;
    for (const [orgId, fps] of this.dirty) {
      const cache = this.orgCache(orgId);
      const batch: Array<{ fp: string; id: string; signal: IssueSignal; count: number }> = [];
      for (const fp of fps) {
        const e = cache.get(fp);
        if (!e || !e.pending) continue;
        batch.push({ fp, id: e.id, signal: e.pending, count: e.pendingCount });
        e.pending = null;
        e.pendingCount = 0;
      }
      fps.clear();
      if (batch.length === 0) continue;
      written += await this.deps.commit(systemActor(orgId, 'healing'), async (tx: Tx) => {
        let n = 0;
        for (const b of batch) {
          const issue = await tx.healing.getIssue(orgId, b.id);
          if (!issue || issue.status !== 'open') {
            tx.onCommit(() => this.forget(orgId, b.fp));
            continue;
          }
          await tx.healing.updateIssue(refreshIssue(issue, b.signal, b.count));
          n++;
        }
        return { value: n };
      });
    }
    return written;
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.flush().catch(() => undefined), this.deps.flushEveryMs ?? 1000);
    this.timer.unref?.();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.flush();
  }

  private orgCache(orgId: string): Map<string, OpenEntry> {
    let m = this.open.get(orgId);
    if (!m) {
      m = new Map();
      this.open.set(orgId, m);
    }
    return m;
  }

  private laneOf(orgId: string): Lane {
    let lane = this.lanes.get(orgId);
    if (!lane) this.lanes.set(orgId, (lane = { queue: [], waiting: false, running: null }));
    return lane;
  }

  private dirtyOf(orgId: string): Set<string> {
    let d = this.dirty.get(orgId);
    if (!d) {
      d = new Set();
      this.dirty.set(orgId, d);
    }
    return d;
  }

  private takePending(orgId: string, fp: string): { signal: IssueSignal; count: number } | null {
    const e = this.open.get(orgId)?.get(fp);
    if (!e || !e.pending) return null;
    const out = { signal: e.pending, count: e.pendingCount };
    e.pending = null;
    e.pendingCount = 0;
    return out;
  }
}

function mergeSignal(a: IssueSignal, b: IssueSignal): IssueSignal {
  const rank = { low: 0, medium: 1, high: 2, critical: 3 } as const;
  return {
    ...b,
    severity: rank[a.severity] > rank[b.severity] ? a.severity : b.severity,
    at: Math.max(a.at, b.at),
    annotations: { ...(a.annotations ?? {}), ...(b.annotations ?? {}) },
  };
}
