import { afterEach, it, expect } from 'vitest';
import { InProcessBus } from '../server/bus/memory.js';
import { makeCommit } from '../core/unit-of-work.js';
import { IssueEngine, type IssueChange } from '../core/healing/issues-engine.js';
import { issueFingerprint, type IssueSignal } from '../core/healing/issues.js';
import type { BusEvent } from '../core/model.js';
import type { SqlStore } from '../server/store/index.js';
import { forEachStore, openTestStore } from './helpers.js';

/**
 * The issue engine on a real store (SQLite and PostgreSQL): a batch is read with one lookup and written
 * with multi-row INSERTs, and still leaves one row, one audit entry and one event per change.
 */

const ORG = 'org_issues';
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

const fire = (instance: string, at = 1000): IssueChange => ({
  kind: 'firing',
  signal: { source: 'alert', severity: 'high', title: `down ${instance}`, labels: { alertname: 'Down', instance }, at } satisfies IssueSignal,
});
const resolve = (instance: string, at: number): IssueChange => ({
  kind: 'resolved', fingerprint: issueFingerprint('alert', { alertname: 'Down', instance }), at, resolution: 'alert_resolved',
});

async function setup(kind: 'sqlite' | 'postgres', store?: SqlStore) {
  if (!store) {
    const t = await openTestStore(kind);
    cleanups.push(t.cleanup);
    store = t.store;
    await store.orgs.insert({ id: ORG, name: 'issues', createdAt: 1 });
  }
  const bus = new InProcessBus(store.events);
  const events: BusEvent[] = [];
  await bus.subscribe(ORG, {}, (e) => events.push(e));
  const engine = new IssueEngine({ store, commit: makeCommit(store, bus, { now: () => 5000 }), clock: { now: () => 5000 } });
  return { store, engine, events };
}

forEachStore('issue engine batches', (kind) => {
  it('opens 150 issues from one batch with an audit entry and an event each, folding a repeat within the batch', async () => {
    const { store, engine, events } = await setup(kind);
    const changes = Array.from({ length: 150 }, (_, i) => fire(`i${i}`));
    changes.push(fire('i7', 1200));
    const r = await engine.ingest(ORG, changes);
    expect(r.opened).toHaveLength(150);
    expect(r.refreshed).toBe(1);
    const open = await store.healing.listIssues(ORG, { status: 'open', limit: 1000 });
    expect(open).toHaveLength(150);
    expect(open.find((i) => i.labels.instance === 'i7')).toMatchObject({ occurrences: 2, lastSeenAt: 1200, firstSeenAt: 1000 });
    expect(open.find((i) => i.labels.instance === 'i149')).toMatchObject({ occurrences: 1, title: 'down i149', labels: { alertname: 'Down', instance: 'i149' } });
    const audit = await store.audit.list(ORG, 1000);
    expect(audit.filter((a) => a.action === 'issue.detect')).toHaveLength(150);
    expect(events.filter((e) => e.type === 'issue.detected')).toHaveLength(150);
  });

  it('resolves and reopens the same fingerprint within one batch without breaking the one-open-issue rule', async () => {
    const { store, engine, events } = await setup(kind);
    const first = await engine.ingest(ORG, [fire('db')]);
    const r = await engine.ingest(ORG, [resolve('db', 2000), fire('db', 2500), fire('db', 2600), resolve('db', 3000), fire('db', 3500)]);
    expect(r.resolved.map((i) => i.id)).toContain(first.opened[0]!.id);
    expect(r.resolved).toHaveLength(2);
    expect(r.opened).toHaveLength(2);
    const all = await store.healing.listIssues(ORG, { limit: 100 });
    expect(all.map((i) => i.status).sort()).toEqual(['open', 'resolved', 'resolved']);
    // the issue opened and resolved inside the batch is stored in its final state
    expect(all.find((i) => i.id === r.opened[0]!.id)).toMatchObject({ status: 'resolved', occurrences: 2, resolvedAt: 3000 });
    expect(events.map((e) => e.type)).toEqual(['issue.detected', 'issue.resolved', 'issue.detected', 'issue.resolved', 'issue.detected']);
  });

  it('finds the open issue after a restart (an empty cache) and refreshes it instead of opening another', async () => {
    const a = await setup(kind);
    await a.engine.ingest(ORG, [fire('web')]);
    const b = await setup(kind, a.store);
    const r = await b.engine.ingest(ORG, [fire('web', 4000), fire('api', 4000)]);
    expect(r.opened.map((i) => i.labels.instance)).toEqual(['api']);
    expect(r.refreshed).toBe(1);
    const web = (await a.store.healing.listIssues(ORG, { limit: 10 })).find((i) => i.labels.instance === 'web');
    expect(web).toMatchObject({ status: 'open', occurrences: 2, lastSeenAt: 4000 });
    // repeats are folded in memory now, and reach the store on flush
    await b.engine.ingest(ORG, [fire('web', 4500)]);
    expect(await b.engine.flush()).toBe(1);
    expect((await a.store.healing.getIssue(ORG, web!.id))?.occurrences).toBe(3);
  });
});
