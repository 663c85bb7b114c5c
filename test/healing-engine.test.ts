import { afterEach, beforeEach, it, expect } from 'vitest';
import type { SqlStore } from '../server/store/index.js';
import { forEachStore, openTestStore, type StoreKind } from './helpers.js';
import { InProcessBus } from '../server/bus/memory.js';
import { StoreJobQueue } from '../server/jobs/store-queue.js';
import { makeCommit } from '../core/unit-of-work.js';
import { HealingEngine } from '../core/healing/actions/engine.js';
import type { StepExecutors, StepResult } from '../core/healing/actions/ports.js';
import type { HealingAction } from '../core/healing/actions/model.js';
import { openIssue } from '../core/healing/issues.js';
import type { Actor, BusEvent } from '../core/model.js';
import { AppError } from '../core/errors.js';

/**
 * The engine against a real SQLite store and the durable queue, with step executors that only record
 * what they were asked to do.
 */

const ORG = 'org_test';
const alice: Actor = { orgId: ORG, name: 'alice', userId: 'usr_alice', role: 'manager' };
const bob: Actor = { orgId: ORG, name: 'bob', userId: 'usr_bob', role: 'manager' };
const olga: Actor = { orgId: ORG, name: 'olga', userId: 'usr_olga', role: 'operator' };

interface Harness {
  store: SqlStore;
  engine: HealingEngine;
  queue: StoreJobQueue;
  ran: string[][];
  events: BusEvent[];
  /** exec results by program name; default success. */
  execResults: Map<string, StepResult>;
  verifyOk: { value: boolean };
  /** exec steps of these programs wait for the promise before they finish. */
  blockers: Map<string, Promise<void>>;
  mostAtOnce: { value: number };
}

const open: Array<{ queue: StoreJobQueue }> = [];
const stores: Array<() => Promise<void>> = [];
let kind: StoreKind = 'sqlite';
afterEach(async () => {
  for (const h of open.splice(0)) await h.queue.close();
  for (const cleanup of stores.splice(0)) await cleanup();
});

async function freshStore(): Promise<SqlStore> {
  const t = await openTestStore(kind);
  stores.push(t.cleanup);
  return t.store;
}

async function harness(opts: { autoHealing?: boolean; maxConcurrent?: number; store?: SqlStore; startQueue?: boolean; scaled?: boolean } = {}): Promise<Harness> {
  const store = opts.store ?? (await freshStore());
  if (!(await store.orgs.get(ORG))) await store.orgs.insert({ id: ORG, name: 'test', createdAt: 1 });
  const clock = { now: () => Date.now() };
  const bus = new InProcessBus(store.events);
  const events: BusEvent[] = [];
  await bus.subscribe(ORG, {}, (e) => events.push(e));
  const commit = makeCommit(store, bus, clock);
  const queue = new StoreJobQueue(store.db, { clock, pollMs: 20, reclaimAllOnStart: !opts.scaled });
  const ran: string[][] = [];
  const execResults = new Map<string, StepResult>();
  const verifyOk = { value: true };
  const blockers = new Map<string, Promise<void>>();
  const mostAtOnce = { value: 0 };
  let atOnce = 0;
  const executors: StepExecutors = {
    exec: async (s) => {
      ran.push(s.argv);
      mostAtOnce.value = Math.max(mostAtOnce.value, ++atOnce);
      try {
        await blockers.get(s.argv[0]!);
      } finally {
        atOnce--;
      }
      return execResults.get(s.argv[0]!) ?? { ok: true, output: { stdout: `ran ${s.argv.join(' ')}`, exitCode: 0 } };
    },
    http: async (s) => ({ ok: true, output: { status: 200, body: s.url } }),
    wait: async () => ({ ok: true, output: {} }),
    verify: async () => (verifyOk.value ? { ok: true, output: { value: 0.1 } } : { ok: false, output: { value: 0.9 }, error: 'api_latency_p99 = 0.9, wanted lt 0.5' }),
    notify: async (s) => ({ ok: true, output: { detail: `sent to ${s.channel}` } }),
  };
  const engine = new HealingEngine({ store, commit, queue, clock, executors, autoHealing: opts.autoHealing ?? true, limits: { maxConcurrent: opts.maxConcurrent ?? 4 } });
  engine.attach();
  if (opts.startQueue !== false) await queue.start();
  open.push({ queue });
  return { store, engine, queue, ran, events, execResults, verifyOk, blockers, mostAtOnce };
}

async function settle(h: Harness, id: string, until: (a: HealingAction) => boolean = (a) => !['pending', 'running'].includes(a.status)): Promise<HealingAction> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const a = await h.store.healing.getAction(ORG, id);
    if (a && until(a)) return a;
    if (Date.now() > deadline) throw new Error(`action ${id} is still ${a?.status}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const kindOf = async (p: Promise<unknown>): Promise<string | undefined> => p.then(() => undefined, (e) => (e as AppError).kind);

const RESTART = `
name: restart-api
trigger: {source: alert, severity: high, match: {field: labels.service, op: eq, value: api}}
cooldown: 0
steps:
  - {id: restart, type: exec, argv: [systemctl, restart, "{{issue.labels.service}}"], idempotent: true}
  - {id: check, type: verify, metric: api_latency_p99, condition: {op: lt, value: 0.5}, within: 1s}
rollback:
  - {id: undo, type: exec, argv: [systemctl, rollback, "{{target}}"]}
`;

const issue = (service = 'api') => openIssue(`iss_${service}`, ORG, { source: 'alert', severity: 'high', title: `${service} down`, labels: { service }, at: Date.now() });
const detected = (i = issue()): BusEvent => ({ id: 1, orgId: ORG, type: 'issue.detected', at: Date.now(), actor: 'system:healing', subject: i.id, data: { issue: i } });

forEachStore('healing actions', (k) => {
  beforeEach(() => { kind = k; });
  it('run every step of a playbook, recording each with its output, and announce the result', async () => {
    const h = await harness();
    await h.engine.addPlaybook(alice, RESTART);
    const [started] = await h.engine.onIssueDetected(detected());
    const done = await settle(h, started!.id);
    expect(done.status).toBe('succeeded');
    expect(h.ran).toEqual([['systemctl', 'restart', 'api']]);
    const steps = await h.store.healing.listSteps(ORG, done.id);
    expect(steps.map((s) => [s.stepId, s.status])).toEqual([['restart', 'succeeded'], ['check', 'succeeded']]);
    expect(steps[0]!.output.stdout).toBe('ran systemctl restart api');
    const types = h.events.map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['action.created', 'action.step_started', 'action.step_finished', 'action.executed']));
    const audit = await h.store.audit.list(ORG, 50);
    expect(audit.filter((a) => a.action === 'healing.step').map((a) => a.summary)).toHaveLength(2);
  });

  it('run the rollback steps when verify fails, and end rolled_back', async () => {
    const h = await harness();
    await h.engine.addPlaybook(alice, RESTART);
    h.verifyOk.value = false;
    const [started] = await h.engine.onIssueDetected(detected());
    const done = await settle(h, started!.id);
    expect(done.status).toBe('rolled_back');
    expect(done.error).toMatch(/check failed: api_latency_p99 = 0.9/);
    expect(h.ran).toEqual([['systemctl', 'restart', 'api'], ['systemctl', 'rollback', 'api']]);
  });

  it('fail without rollback when an exec step fails (rollbackOn: verify)', async () => {
    const h = await harness();
    await h.engine.addPlaybook(alice, RESTART);
    h.execResults.set('systemctl', { ok: false, output: { exitCode: 1, stderr: 'unit not found' }, error: 'exit code 1' });
    const [started] = await h.engine.onIssueDetected(detected());
    const done = await settle(h, started!.id);
    expect(done).toMatchObject({ status: 'failed', error: 'step restart failed: exit code 1' });
    expect(h.ran).toHaveLength(1);
  });

  it('start nothing from issues when auto-healing is off, but let a person run the playbook', async () => {
    const h = await harness({ autoHealing: false });
    await h.engine.addPlaybook(alice, RESTART);
    expect(await h.engine.onIssueDetected(detected())).toEqual([]);
    await h.engine.addPlaybook(alice, 'name: by-hand\nsteps: [{id: go, type: exec, argv: [echo, hi]}]');
    const a = await h.engine.run(alice, 'by-hand');
    expect(a).toMatchObject({ status: 'pending', trigger: 'manual', startedBy: 'alice' });
  });

  it('refuse a manual run that lacks a value its templates need, before anything runs', async () => {
    const h = await harness();
    await h.engine.addPlaybook(alice, RESTART);
    const err = await h.engine.run(alice, 'restart-api').catch((e) => e as AppError);
    expect(err).toMatchObject({ kind: 'usage', hint: 'pass --issue ID' });
    expect(err.message).toContain('{{issue.labels.service}}');
    expect(await h.store.healing.listActions(ORG)).toEqual([]);
  });

  it('start only playbooks whose trigger matches the issue', async () => {
    const h = await harness();
    await h.engine.addPlaybook(alice, RESTART);
    expect(await h.engine.onIssueDetected(detected(issue('db')))).toEqual([]);
  });

  it('match issues against playbooks kept for a few seconds, but read at start whether one may run', async () => {
    const h = await harness();
    expect(await h.engine.onIssueDetected(detected(issue('db')))).toEqual([]); // the (empty) list is kept now
    await h.engine.addPlaybook(alice, RESTART); // a change made here is seen at once
    const [first] = await h.engine.onIssueDetected(detected(issue('api')));
    await settle(h, first!.id);
    // another daemon switches it off, and its announcement has not arrived: the kept list still says enabled
    const p = await h.engine.getPlaybook(ORG, 'restart-api');
    await h.store.healing.updatePlaybook({ ...p, enabled: false, disabledReason: 'disabled by bob' });
    const again = openIssue('iss_api_2', ORG, { source: 'alert', severity: 'high', title: 'api down again', labels: { service: 'api' }, at: Date.now() });
    expect(await h.engine.onIssueDetected(detected(again))).toEqual([]);
    expect(h.events.filter((e) => e.type === 'action.suppressed').map((e) => e.data)).toEqual([expect.objectContaining({ issueId: 'iss_api_2' })]);
  });

  it('hold an action at an approval gate until another manager approves it', async () => {
    const h = await harness();
    await h.engine.addPlaybook(alice, 'name: gated\ncooldown: 0\nsteps:\n  - {id: ok, type: approve, timeout: 15m}\n  - {id: go, type: exec, argv: [echo, go]}');
    const a = await h.engine.run(alice, 'gated');
    const waiting = await settle(h, a.id, (x) => x.status === 'awaiting_approval');
    expect(waiting.approval).toMatchObject({ stepId: 'ok' });
    expect(h.events.some((e) => e.type === 'action.awaiting_approval')).toBe(true);
    expect(h.ran).toEqual([]);
    expect(await kindOf(h.engine.approve(alice, a.id))).toBe('forbidden');
    expect(await kindOf(h.engine.approve(olga, a.id))).toBe('forbidden');
    await h.engine.approve(bob, a.id);
    const done = await settle(h, a.id);
    expect(done).toMatchObject({ status: 'succeeded', approval: { decidedBy: 'bob', decision: 'approved' } });
    expect(h.ran).toEqual([['echo', 'go']]);
    expect(await kindOf(h.engine.approve(bob, a.id))).toBe('conflict');
  });

  it('end rejected when a manager rejects, with the reason kept', async () => {
    const h = await harness();
    await h.engine.addPlaybook(alice, 'name: gated\nsteps:\n  - {id: ok, type: approve}\n  - {id: go, type: exec, argv: [echo, go]}');
    const a = await h.engine.run(alice, 'gated');
    await settle(h, a.id, (x) => x.status === 'awaiting_approval');
    const r = await h.engine.reject(bob, a.id, 'change freeze');
    expect(r).toMatchObject({ status: 'rejected', error: 'rejected by bob: change freeze' });
    expect(h.ran).toEqual([]);
  });

  it('withdraw an action waiting for approval when its issue resolves', async () => {
    const h = await harness();
    await h.engine.addPlaybook(alice, 'name: gated\ntrigger: {source: alert}\nsteps:\n  - {id: ok, type: approve}\n  - {id: go, type: exec, argv: [echo, go]}');
    const i = issue();
    const [a] = await h.engine.onIssueDetected(detected(i));
    await settle(h, a!.id, (x) => x.status === 'awaiting_approval');
    await h.engine.onIssueResolved({ ...detected(i), type: 'issue.resolved', data: { issue: { ...i, status: 'resolved' } } });
    const done = await settle(h, a!.id);
    expect(done).toMatchObject({ status: 'rejected', error: `rejected by system:healing: issue ${i.id} resolved before approval` });
    expect(h.ran).toEqual([]);
  });

  it('expire an approval nobody gave in time', async () => {
    const h = await harness();
    await h.engine.addPlaybook(alice, 'name: gated\nsteps:\n  - {id: ok, type: approve, timeout: 100ms}\n  - {id: go, type: exec, argv: [echo, go]}');
    const a = await h.engine.run(alice, 'gated');
    const done = await settle(h, a.id, (x) => x.status === 'expired');
    expect(done.error).toBe('approval expired');
    expect(await kindOf(h.engine.approve(bob, a.id))).toBe('conflict');
  });

  it('refuse a second run on the same target during the cooldown', async () => {
    const h = await harness();
    await h.engine.addPlaybook(alice, 'name: restart-api\ntrigger: {source: alert}\ncooldown: 10m\ntarget: api\nsteps: [{id: go, type: exec, argv: [echo]}]');
    const [first] = await h.engine.onIssueDetected(detected());
    await settle(h, first!.id);
    // A new issue on the same service: the same target, inside the cooldown.
    expect(await h.engine.onIssueDetected(detected({ ...issue(), id: 'iss_api_again' }))).toEqual([]);
    expect(h.events.find((e) => e.type === 'action.suppressed')?.data).toMatchObject({ reason: 'cooldown' });
    // The same issue heard again starts nothing and says nothing: it already has its action.
    expect(await h.engine.onIssueDetected(detected())).toEqual([]);
    expect(h.events.filter((e) => e.type === 'action.suppressed')).toHaveLength(1);
    const err = await h.engine.run(alice, 'restart-api').catch((e) => e as AppError);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).kind).toBe('conflict');
    expect((err as AppError).message).toMatch(/cooling down/);
  });

  it('open the circuit breaker after N failures in a row, and say so in an event', async () => {
    const h = await harness();
    await h.engine.addPlaybook(alice, 'name: flaky\ncooldown: 0\nmaxFailures: 2\nsteps:\n  - {id: go, type: exec, argv: [fail-cmd]}');
    h.execResults.set('fail-cmd', { ok: false, output: { exitCode: 1 }, error: 'exit code 1' });
    for (let i = 0; i < 2; i++) await settle(h, (await h.engine.run(alice, 'flaky')).id);
    const p = await h.engine.getPlaybook(ORG, 'flaky');
    expect(p).toMatchObject({ enabled: false, disabledReason: 'circuit breaker: 2 failed actions in a row' });
    expect(h.events.find((e) => e.type === 'playbook.disabled')?.data).toMatchObject({ breaker: true });
    expect(await kindOf(h.engine.run(alice, 'flaky'))).toBe('conflict');
    await h.engine.setEnabled(alice, 'flaky', true);
    h.execResults.delete('fail-cmd');
    expect((await settle(h, (await h.engine.run(alice, 'flaky')).id)).status).toBe('succeeded');
  });

  it('run at most maxConcurrent actions at once; the others wait their turn instead of being dropped', async () => {
    const h = await harness({ maxConcurrent: 1 });
    let release: () => void = () => undefined;
    h.blockers.set('slow', new Promise<void>((r) => (release = r)));
    await h.engine.addPlaybook(alice, 'name: a\nsteps: [{id: go, type: exec, argv: [slow]}]');
    await h.engine.addPlaybook(alice, 'name: b\nsteps: [{id: go, type: exec, argv: [fast]}]');
    const a = await h.engine.run(alice, 'a');
    await settle(h, a.id, () => h.ran.length === 1);
    const b = await h.engine.run(alice, 'b');
    // A few of b's looks for a slot go by while a holds the only one.
    await new Promise((r) => setTimeout(r, 800));
    expect((await h.store.healing.getAction(ORG, b.id))!.status).toBe('pending');
    release();
    expect((await settle(h, a.id)).status).toBe('succeeded');
    expect((await settle(h, b.id)).status).toBe('succeeded');
    expect(h.ran).toEqual([['slow'], ['fast']]);
    expect(h.mostAtOnce.value).toBe(1);
  });

  it('show a dry run without changing anything', async () => {
    const h = await harness();
    await h.engine.addPlaybook(alice, RESTART);
    const { plan, refusal } = await h.engine.dryRun(ORG, 'restart-api');
    expect(plan.steps.map((s) => s.id)).toEqual(['restart', 'check']);
    expect(refusal).toBeNull();
    expect(await h.store.healing.listActions(ORG)).toEqual([]);
  });

  it('refuse a playbook with a bad field and store nothing', async () => {
    const h = await harness();
    const err = await h.engine.addPlaybook(alice, 'name: bad\nsteps: [{id: a, type: exec}]').catch((e) => e as AppError);
    expect(err.message).toContain('steps[0].argv');
    expect(await h.engine.listPlaybooks(ORG)).toEqual([]);
  });
});

forEachStore('two daemons on one store', (k) => {
  beforeEach(() => { kind = k; });

  it('run every step of every action exactly once between them', async () => {
    const a = await harness({ scaled: true, maxConcurrent: 50 });
    const b = await harness({ scaled: true, maxConcurrent: 50, store: a.store });
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) {
      await a.engine.addPlaybook(alice, `name: p${i}\nsteps:\n  - {id: one, type: exec, argv: [one, "{{action.id}}"]}\n  - {id: two, type: exec, argv: [two, "{{action.id}}"]}`);
      ids.push((await (i % 2 ? a : b).engine.run(alice, `p${i}`)).id);
    }
    for (const id of ids) expect((await settle(a, id)).status).toBe('succeeded');
    const ran = [...a.ran, ...b.ran].map((argv) => argv.join(' ')).sort();
    expect(ran).toEqual(ids.flatMap((id) => [`one ${id}`, `two ${id}`]).sort());
  });
});

forEachStore('one issue heard by every daemon', (k) => {
  beforeEach(() => { kind = k; });

  it('starts its playbook once, quietly for the daemons that lost the race', async () => {
    const a = await harness({ scaled: true });
    const b = await harness({ scaled: true, store: a.store });
    await a.engine.addPlaybook(alice, RESTART);
    const ev = detected();
    const [fromA, fromB] = await Promise.all([a.engine.onIssueDetected(ev), b.engine.onIssueDetected(ev)]);
    expect(fromA!.length + fromB!.length).toBe(1);
    expect(await a.store.healing.countActions(ORG, { issueId: ev.subject! })).toBe(1);
    expect(a.events.filter((e) => e.type === 'action.suppressed')).toEqual([]);
  });
});

forEachStore('after a crash', (k) => {
  beforeEach(() => { kind = k; });
  /** What kill -9 in the middle of a step leaves: the action running, the step recorded as running. */
  async function crashedMidStep(idempotent: boolean) {
    const first = await harness({ startQueue: false });
    await first.engine.addPlaybook(alice, `name: p\ncooldown: 0\nsteps:\n  - {id: one, type: exec, argv: [step-one], idempotent: ${idempotent}}\n  - {id: two, type: exec, argv: [step-two]}`);
    const a = await first.engine.run(alice, 'p');
    const now = Date.now();
    await first.store.healing.updateAction({ ...a, status: 'running', startedAt: now });
    await first.store.healing.putStep({
      actionId: a.id, organizationId: ORG, stepId: 'one', phase: 'main', position: 0, type: 'exec', status: 'running', attempt: 1,
      idempotent, rendered: { type: 'exec', argv: ['step-one'], env: {}, timeout: 1000, maxOutput: 100, okExitCodes: [0] }, output: {}, error: null, startedAt: now, finishedAt: null,
    });
    // The restarted daemon: same database, a new engine and queue.
    const second = await harness({ store: first.store });
    await second.engine.recover();
    return { h: second, id: a.id };
  }

  it('runs an idempotent step again and carries on', async () => {
    const { h, id } = await crashedMidStep(true);
    const done = await settle(h, id);
    expect(done.status).toBe('succeeded');
    expect(h.ran).toEqual([['step-one'], ['step-two']]);
    const steps = await h.store.healing.listSteps(ORG, id);
    expect(steps[0]).toMatchObject({ stepId: 'one', attempt: 2, status: 'succeeded' });
  });

  it('fails the action rather than run a non-idempotent step twice', async () => {
    const { h, id } = await crashedMidStep(false);
    const done = await settle(h, id);
    expect(done.status).toBe('failed');
    expect(done.error).toMatch(/interrupted/);
    expect(h.ran).toEqual([]);
  });
});
