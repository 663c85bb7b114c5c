import { describe, it, expect } from 'vitest';
import type { Commit, Tx } from '../ports.js';
import type { EventDraft } from '../model.js';
import { IssueEngine } from './issues-engine.js';
import { issueFingerprint, type Issue, type IssueSignal } from './issues.js';
import type { IssueFilter } from './ports.js';

/** Just enough of a store for the engine: issues in a map, a commit that records events and audit. */
function fakeStore() {
  const issues = new Map<string, Issue>();
  const events: EventDraft[] = [];
  const audit: string[] = [];
  let writes = 0;
  const healing = {
    getIssue: async (_org: string, id: string) => issues.get(id) ?? null,
    findOpenIssues: async (org: string, fps: readonly string[]) =>
      [...issues.values()].filter((i) => i.organizationId === org && fps.includes(i.fingerprint) && i.status === 'open'),
    listIssues: async (_org: string, _f?: IssueFilter) => [...issues.values()],
    insertIssues: async (list: readonly Issue[]) => {
      for (const i of list) {
        if ([...issues.values()].some((o) => o.organizationId === i.organizationId && o.status === 'open' && i.status === 'open' && o.fingerprint === i.fingerprint)) throw new Error('unique open fingerprint');
        writes++;
        issues.set(i.id, i);
      }
    },
    updateIssue: async (i: Issue) => void (writes++, issues.set(i.id, i)),
  };
  const commit: Commit = async (_actor, work) => {
    const after: Array<() => void> = [];
    const tx = { healing, onCommit: (fn: () => void) => after.push(fn) } as unknown as Tx;
    const change = await work(tx);
    events.push(...(change.events ?? []));
    for (const a of [change.audit ?? []].flat()) audit.push(a.action);
    after.forEach((fn) => fn());
    return change.value;
  };
  return { store: { healing } as never, commit, issues, events, audit, writes: () => writes };
}

const alert = (labels: Record<string, string>, at = 1000, severity: IssueSignal['severity'] = 'high'): IssueSignal => ({
  source: 'alert', severity, title: labels.alertname ?? 'x', labels, at,
});

describe('IssueEngine', () => {
  it('opens one issue per fingerprint and announces it with issue.detected', async () => {
    const f = fakeStore();
    const engine = new IssueEngine({ store: f.store, commit: f.commit, clock: { now: () => 5000 } });
    const r = await engine.ingest('org1', [{ kind: 'firing', signal: alert({ alertname: 'Down', service: 'api' }) }]);
    expect(r.opened).toHaveLength(1);
    expect(r.opened[0]).toMatchObject({ status: 'open', source: 'alert', occurrences: 1, organizationId: 'org1' });
    expect(f.events.map((e) => e.type)).toEqual(['issue.detected']);
    expect(f.audit).toEqual(['issue.detect']);
  });

  it('folds repeats of an open issue in memory and writes them on flush', async () => {
    const f = fakeStore();
    const engine = new IssueEngine({ store: f.store, commit: f.commit, clock: { now: () => 5000 } });
    const labels = { alertname: 'Down', service: 'api' };
    await engine.ingest('org1', [{ kind: 'firing', signal: alert(labels, 1000) }]);
    const writes = f.writes();
    for (let i = 0; i < 50; i++) {
      const r = await engine.ingest('org1', [{ kind: 'firing', signal: alert(labels, 2000 + i, i === 7 ? 'critical' : 'high') }]);
      expect(r.opened).toHaveLength(0);
    }
    expect(f.writes()).toBe(writes);
    await engine.flush();
    const [issue] = [...f.issues.values()];
    expect(issue).toMatchObject({ occurrences: 51, lastSeenAt: 2049, severity: 'critical' });
    expect(f.events).toHaveLength(1);
  });

  it('resolves with issue.resolved and counts the repeats not yet written', async () => {
    const f = fakeStore();
    const engine = new IssueEngine({ store: f.store, commit: f.commit, clock: { now: () => 5000 } });
    const labels = { alertname: 'Down' };
    await engine.ingest('org1', [{ kind: 'firing', signal: alert(labels) }, { kind: 'firing', signal: alert(labels, 1500) }]);
    const fp = issueFingerprint('alert', labels);
    const r = await engine.ingest('org1', [{ kind: 'resolved', fingerprint: fp, at: 3000, resolution: 'alert_resolved' }]);
    expect(r.resolved).toHaveLength(1);
    expect(r.resolved[0]).toMatchObject({ status: 'resolved', resolution: 'alert_resolved', resolvedAt: 3000, occurrences: 2 });
    expect(f.events.map((e) => e.type)).toEqual(['issue.detected', 'issue.resolved']);
  });

  it('opens a new issue when the same problem fires again after it was resolved, even in one batch', async () => {
    const f = fakeStore();
    const engine = new IssueEngine({ store: f.store, commit: f.commit, clock: { now: () => 5000 } });
    const labels = { alertname: 'Flap' };
    const fp = issueFingerprint('alert', labels);
    await engine.ingest('org1', [{ kind: 'firing', signal: alert(labels) }]);
    const r = await engine.ingest('org1', [
      { kind: 'resolved', fingerprint: fp, at: 2000, resolution: 'alert_resolved' },
      { kind: 'firing', signal: alert(labels, 2500) },
    ]);
    expect(r.resolved).toHaveLength(1);
    expect(r.opened).toHaveLength(1);
    expect([...f.issues.values()].map((i) => i.status).sort()).toEqual(['open', 'resolved']);
  });

  it('ignores the resolution of something that is not open', async () => {
    const f = fakeStore();
    const engine = new IssueEngine({ store: f.store, commit: f.commit, clock: { now: () => 5000 } });
    const r = await engine.ingest('org1', [{ kind: 'resolved', fingerprint: 'nothing', at: 1, resolution: 'alert_resolved' }]);
    expect(r).toEqual({ opened: [], refreshed: 0, resolved: [] });
    expect(f.events).toHaveLength(0);
  });

  it('writes the changes queued when a transaction begins its work in that transaction, later ones in the next', async () => {
    const f = fakeStore();
    let transactions = 0;
    let hold: Promise<void> = Promise.resolve();
    let working = (): void => undefined;
    // like SQLite's group commit: a transaction's work starts at the end of the turn
    const grouped: Commit = (actor, work) => new Promise((resolve, reject) => setImmediate(() => {
      transactions++;
      f.commit(actor, async (tx) => {
        const change = await work(tx);
        working();
        await hold;
        return change;
      }).then(resolve, reject);
    }));
    const engine = new IssueEngine({ store: f.store, commit: grouped, clock: { now: () => 5000 } });
    const fire = (service: string) => engine.ingest('org1', [{ kind: 'firing', signal: alert({ alertname: 'Down', service }) }]);
    await Promise.all([fire('a'), fire('b'), fire('c')]);
    expect(transactions).toBe(1);
    let release = (): void => undefined;
    hold = new Promise((r) => (release = r));
    const begun = new Promise<void>((r) => (working = r));
    const first = fire('d');
    await begun; // d's transaction has taken its job and is still running
    const later = [fire('e'), fire('f')];
    release();
    const results = await Promise.all([first, ...later]);
    expect(results.map((r) => r.opened[0]!.labels.service)).toEqual(['d', 'e', 'f']);
    expect(transactions).toBe(3);
    expect(f.issues.size).toBe(6);
  });

  it('fails the waiting changes when their transaction cannot begin, and goes on with the next', async () => {
    const f = fakeStore();
    let fail = true;
    const flaky: Commit = (actor, work) => (fail ? Promise.reject(new Error('database is locked')) : f.commit(actor, work));
    const engine = new IssueEngine({ store: f.store, commit: flaky, clock: { now: () => 5000 } });
    await expect(engine.ingest('org1', [{ kind: 'firing', signal: alert({ alertname: 'Down' }) }])).rejects.toThrow('database is locked');
    fail = false;
    const r = await engine.ingest('org1', [{ kind: 'firing', signal: alert({ alertname: 'Down' }) }]);
    expect(r.opened).toHaveLength(1);
  });

  it('fails only the changes a failed transaction had taken; those that came meanwhile get their own', async () => {
    const f = fakeStore();
    let release = (): void => undefined;
    const hold = new Promise<void>((r) => (release = r));
    let working = (): void => undefined;
    const begun = new Promise<void>((r) => (working = r));
    let calls = 0;
    const failFirst: Commit = async (actor, work) => {
      if (++calls > 1) return f.commit(actor, work);
      await work({ healing: f.store.healing, onCommit: () => undefined } as unknown as Tx);
      working();
      await hold;
      throw new Error('disk I/O error');
    };
    const engine = new IssueEngine({ store: f.store, commit: failFirst, clock: { now: () => 5000 } });
    const first = engine.ingest('org1', [{ kind: 'firing', signal: alert({ alertname: 'A' }) }]);
    await begun;
    const second = engine.ingest('org1', [{ kind: 'firing', signal: alert({ alertname: 'B' }) }]);
    release();
    await expect(first).rejects.toThrow('disk I/O error');
    expect((await second).opened.map((i) => i.title)).toEqual(['B']);
  });

  it('keeps organizations apart', async () => {
    const f = fakeStore();
    const engine = new IssueEngine({ store: f.store, commit: f.commit, clock: { now: () => 5000 } });
    await engine.ingest('org1', [{ kind: 'firing', signal: alert({ alertname: 'Down' }) }]);
    const r = await engine.ingest('org2', [{ kind: 'firing', signal: alert({ alertname: 'Down' }) }]);
    expect(r.opened).toHaveLength(1);
  });

  it('lets a person resolve an open issue once', async () => {
    const f = fakeStore();
    const engine = new IssueEngine({ store: f.store, commit: f.commit, clock: { now: () => 9000 } });
    const { opened } = await engine.ingest('org1', [{ kind: 'firing', signal: alert({ alertname: 'Down' }) }]);
    const actor = { orgId: 'org1', name: 'ann', userId: 'usr_1', role: 'manager' as const };
    const done = await engine.resolveById(actor, opened[0]!.id, 'fixed the disk');
    expect(done).toMatchObject({ status: 'resolved', resolvedBy: 'ann', resolution: 'manual: fixed the disk', resolvedAt: 9000 });
    await expect(engine.resolveById(actor, opened[0]!.id)).rejects.toMatchObject({ kind: 'conflict' });
    await expect(engine.resolveById(actor, 'iss_nope')).rejects.toMatchObject({ kind: 'not_found' });
  });
});
