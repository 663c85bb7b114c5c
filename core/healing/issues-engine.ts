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

interface Job {
  orgId: string;
  changes: IssueChange[];
  carried: Map<string, { signal: IssueSignal; count: number }>;
  refreshed: number;
  resolve(r: IngestResult): void;
  reject(e: unknown): void;
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
  private timer: ReturnType<typeof setInterval> | null = null;
  private readonly queue: Job[] = [];
  private draining = false;

  constructor(private readonly deps: IssueEngineDeps) {}

  /**
   * Applies a batch of changes (e.g. one Alertmanager webhook). What needs the database joins the
   * next transaction, shared with the other requests waiting for it.
   */
  async ingest(orgId: string, changes: readonly IssueChange[]): Promise<IngestResult> {
    const cache = this.orgCache(orgId);
    const needDb: IssueChange[] = [];
    // repeats folded in memory that a resolution in this batch must still count
    const carried = new Map<string, { signal: IssueSignal; count: number }>();
    let refreshed = 0;
    for (const c of changes) {
      if (c.kind === 'firing') {
        const entry = cache.get(signalFingerprint(c.signal));
        if (entry) {
          entry.pending = entry.pending ? mergeSignal(entry.pending, c.signal) : c.signal;
          entry.pendingCount++;
          refreshed++;
          continue;
        }
      } else {
        const pending = this.takePending(orgId, c.fingerprint);
        if (pending) carried.set(c.fingerprint, pending);
        // later firings of this batch must reach the database, where the issue is about to resolve
        cache.delete(c.fingerprint);
      }
      needDb.push(c);
    }
    if (needDb.length === 0) return { opened: [], refreshed, resolved: [] };
    return new Promise<IngestResult>((resolve, reject) => {
      this.queue.push({ orgId, changes: needDb, carried, refreshed, resolve, reject });
      if (!this.draining) {
        this.draining = true;
        // requests that arrive while a transaction runs share the next one (group commit)
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const jobs = this.queue.splice(0, this.queue.length);
        const byOrg = new Map<string, Job[]>();
        for (const j of jobs) {
          const list = byOrg.get(j.orgId);
          if (list) list.push(j);
          else byOrg.set(j.orgId, [j]);
        }
        for (const [orgId, list] of byOrg) {
          try {
            const results = await this.apply(orgId, list);
            list.forEach((j, i) => j.resolve(results[i]!));
          } catch (e) {
            for (const j of list) j.reject(e);
          }
        }
      }
    } finally {
      this.draining = false;
    }
  }

  /** One transaction for the changes of several requests, in arrival order; a result per request. */
  private async apply(orgId: string, jobs: Job[]): Promise<IngestResult[]> {
    const cache = this.orgCache(orgId);
    const actor = systemActor(orgId, 'healing');
    const result = await this.deps.commit(actor, async (tx) => {
      const events: EventDraft[] = [];
      const audit: AuditDraft[] = [];
      const seen = new Map<string, Issue>();
      const results: IngestResult[] = [];
      for (const job of jobs) {
        const opened: Issue[] = [];
        const resolved: Issue[] = [];
        let dbRefreshed = 0;
        for (const c of job.changes) {
          const fp = c.kind === 'firing' ? signalFingerprint(c.signal) : c.fingerprint;
          const current = seen.has(fp) ? seen.get(fp)! : await tx.healing.findOpenIssueByFingerprint(orgId, fp);
          if (c.kind === 'firing') {
            if (current && current.status === 'open') {
              const next = refreshIssue(current, c.signal);
              await tx.healing.updateIssue(next);
              seen.set(fp, next);
              dbRefreshed++;
            } else {
              const issue = openIssue(newId('iss', this.deps.clock.now()), orgId, c.signal);
              await tx.healing.insertIssue(issue);
              seen.set(fp, issue);
              opened.push(issue);
              events.push({ type: ISSUE_DETECTED, subject: issue.id, data: { issue } });
              audit.push({ action: 'issue.detect', subject: issue.id, summary: `${issue.source} issue "${issue.title}" (${issue.severity})` });
            }
          } else if (current && current.status === 'open') {
            const pending = job.carried.get(fp);
            job.carried.delete(fp);
            const base = pending ? refreshIssue(current, pending.signal, pending.count) : current;
            const done = resolveIssue(base, Math.max(c.at, base.lastSeenAt), c.resolution, null);
            await tx.healing.updateIssue(done);
            seen.set(fp, done);
            resolved.push(done);
            events.push({ type: ISSUE_RESOLVED, subject: done.id, data: { issue: done } });
            audit.push({ action: 'issue.resolve', subject: done.id, summary: `resolved (${c.resolution}): "${done.title}"` });
          }
        }
        results.push({ opened, resolved, refreshed: job.refreshed + dbRefreshed });
      }
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
    for (const [orgId, cache] of this.open) {
      const dirty = [...cache.entries()].filter(([, e]) => e.pending !== null);
      if (dirty.length === 0) continue;
      const batch = dirty.map(([fp, e]) => ({ fp, id: e.id, signal: e.pending!, count: e.pendingCount }));
      for (const [, e] of dirty) {
        e.pending = null;
        e.pendingCount = 0;
      }
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
