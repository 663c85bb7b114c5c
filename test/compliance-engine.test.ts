import { afterAll, beforeAll, expect, it } from 'vitest';
import { newId } from '../core/ids.js';
import type { BusEvent, Task } from '../core/model.js';
import { makeCommit } from '../core/unit-of-work.js';
import { ComplianceEngine } from '../core/compliance/engine.js';
import { ComplianceService } from '../core/compliance/service.js';
import { parseRule, ruleFromDraft } from '../core/compliance/rule.js';
import type { Notification } from '../core/notify/ports.js';
import { InProcessBus } from '../server/bus/memory.js';
import type { SqlStore } from '../server/store/index.js';
import { forEachStore, openTestStore } from './helpers.js';

const MIN = 60_000;

forEachStore('the compliance engine over a real store', (kind) => {
  let store: SqlStore;
  let cleanup: () => Promise<void>;
  let now = Date.parse('2026-06-01T08:00:00Z');
  const clock = { now: () => now };
  const orgId = newId('org', now);
  const sent: Notification[] = [];
  let engine: ComplianceEngine;
  let service: ComplianceService;
  const admin = { orgId, name: 'alice', userId: null, role: 'admin' as const };

  const task = (over: Partial<Task> = {}): Task => ({
    id: newId('tsk', now), orgId, title: 'db down', description: '', priority: 'P1', status: 'open', teamId: null, assigneeId: null,
    tags: {}, source: 'api', createdBy: 'test', createdAt: now, updatedAt: now, acknowledgedAt: null, resolvedAt: null, ...over,
  });
  const active = async (entityId: string) => (await store.compliance.listViolations(orgId, { entityId })).filter((v) => v.status !== 'resolved');

  beforeAll(async () => {
    ({ store, cleanup } = await openTestStore(kind));
    const bus = new InProcessBus(store.events);
    const commit = makeCommit(store, bus, clock);
    await store.orgs.insert({ id: orgId, name: `org-${kind}`, createdAt: now });
    const notifier = { send: async (_org: string, n: Notification) => { sent.push(n); return { ok: true, detail: 'test' }; } };
    engine = new ComplianceEngine({ repos: store, commit, clock, notifier, notifyChannels: ['slack'] });
    service = new ComplianceService({ repos: store, commit, clock, engine });
    for (const file of [
      { name: 'p1-ack-15m', type: 'sla', severity: 'critical', conditions: { appliesTo: { field: 'priority', op: 'eq', value: 'P1' } }, sla: { clock: 'ack', target: '15m', calendar: '24x7' } },
      { name: 'p3-has-assignee', type: 'field', severity: 'low', conditions: { appliesTo: { field: 'priority', op: 'eq', value: 'P3' }, require: { field: 'assignee', op: 'exists' } } },
    ]) await store.compliance.insertRule(ruleFromDraft(parseRule(file), newId('cr', now), orgId, now));
  });
  afterAll(async () => cleanup?.());

  it('finds time-driven breaches in a sweep and notifies about critical ones', async () => {
    const t = task();
    await store.tasks.insert(t);
    expect((await engine.sweep(orgId)).detected).toBe(0);
    now += 16 * MIN;
    const r = await engine.sweep(orgId);
    expect(r).toMatchObject({ detected: 1, slaBreaches: { 'ack:P1': 1 } });
    expect(sent.map((n) => n.subject)).toEqual(['[critical] compliance: p1-ack-15m']);
    expect((await engine.sweep(orgId)).detected).toBe(0); // nothing new the second time
  });

  it('warns once when a running SLA clock passes 80 % of its target', async () => {
    const t = task();
    await store.tasks.insert(t);
    now += 13 * MIN;
    const first = await engine.sweep(orgId);
    expect(first.atRisk).toBeGreaterThanOrEqual(1);
    const events = async () => (await store.events.list(orgId, { types: ['sla.at_risk'] })).filter((e) => e.subject === t.id);
    expect(await events()).toHaveLength(1);
    expect((await events())[0]!.data).toMatchObject({ taskId: t.id, rule: 'p1-ack-15m', status: 'at_risk', clock: 'ack' });
    await engine.sweep(orgId);
    expect(await events()).toHaveLength(1);
    const clocks = await engine.clocks(orgId);
    expect(clocks.find((c) => c.taskId === t.id)).toMatchObject({ status: 'at_risk', percent: 86.7 });
    await store.tasks.update({ ...t, status: 'acknowledged', acknowledgedAt: now, updatedAt: now });
  });

  it('picks up tasks changed without an event in the next sweep', async () => {
    const t = task({ priority: 'P3', assigneeId: null, updatedAt: now });
    await store.tasks.insert(t);
    await engine.sweep(orgId);
    expect((await active(t.id)).map((v) => v.ruleName)).toEqual(['p3-has-assignee']);
    // Changed behind the engine's back (no bus event): the delta sync still sees it.
    now += MIN;
    await store.tasks.update({ ...t, priority: 'P4', updatedAt: now });
    now += MIN;
    const r = await engine.sweep(orgId);
    expect(r.resolved).toBe(1);
    expect(await active(t.id)).toEqual([]);
  });

  it('sees what a person did to a violation, through its event', async () => {
    const t = task({ priority: 'P3' });
    await store.tasks.insert(t);
    await engine.sweep(orgId);
    const [v] = await active(t.id);
    await service.act(admin, v!.id, { kind: 'resolve' });
    const event: BusEvent = { id: 0, orgId, type: 'violation.resolved', at: now, actor: 'alice', subject: v!.id, data: {} };
    await engine.onEvent(event);
    now += MIN;
    // Still no assignee: a new violation replaces the one resolved by hand.
    const r = await engine.sweep(orgId);
    expect(r.detected).toBe(1);
    const [again] = await active(t.id);
    expect(again!.id).not.toBe(v!.id);
  });

  it('never records a second active violation when another daemon got there first', async () => {
    const t = task({ priority: 'P3' });
    await store.tasks.insert(t);
    const rule = (await store.compliance.findRule(orgId, 'p3-has-assignee'))!;
    // Written by "another daemon": this engine's working set does not know it.
    await store.compliance.insertViolation({
      id: newId('vio', now), orgId, ruleId: rule.id, ruleName: rule.name, ruleType: rule.type, severity: rule.severity, entityKind: 'task',
      entityId: t.id, teamId: null, priority: 'P3', status: 'open', message: 'elsewhere', since: now, detectedAt: now, openedAt: now,
      acknowledgedAt: null, acknowledgedBy: null, resolvedAt: null, resolvedBy: null, resolution: null, waivedAt: null, waivedBy: null,
      waiverReason: null, waiverExpiresAt: null, updatedAt: now,
    });
    now += MIN;
    await engine.sweep(orgId);
    now += MIN;
    await engine.sweep(orgId);
    const list = await active(t.id);
    expect(list).toHaveLength(1);
    expect(list[0]!.message).toBe('must satisfy: assignee exists');
  });

  it('evaluates a single change from its event and records the status history', async () => {
    const t = task();
    await store.tasks.insert(t);
    now += 20 * MIN;
    const acked = { ...t, status: 'waiting_on_customer' as const, acknowledgedAt: now, updatedAt: now };
    await store.tasks.update(acked);
    const transitions = await engine.onEvent({ id: 0, orgId, type: 'task.updated', at: now, actor: 'bob', subject: t.id, data: acked });
    // The breach began and ended before anyone looked: evaluated on the change, it never opens.
    expect(transitions).toEqual([]);
    expect((await store.compliance.statusHistory(orgId, [t.id])).get(t.id)).toEqual([
      { status: 'open', at: t.createdAt }, { status: 'waiting_on_customer', at: now },
    ]);
  });

  it('evaluates a burst of events together: each task gets its history and its violations, once', async () => {
    const p3 = [task({ priority: 'P3' }), task({ priority: 'P3' }), task({ priority: 'P3', assigneeId: null })];
    for (const t of p3) await store.tasks.insert(t);
    const event = (t: Task, type: string): BusEvent => ({ id: 0, orgId, type, at: now, actor: 'bob', subject: t.id, data: t });
    // The same task twice in one burst is evaluated once.
    const transitions = await engine.onEvents([event(p3[0]!, 'task.created'), event(p3[1]!, 'task.created'), event(p3[0]!, 'task.updated'), event(p3[2]!, 'task.created')]);
    expect(transitions.filter((t) => t.kind === 'create').map((t) => t.violation.entityId).sort()).toEqual(p3.map((t) => t.id).sort());
    for (const t of p3) {
      expect((await active(t.id)).map((v) => v.ruleName)).toEqual(['p3-has-assignee']);
      expect((await store.compliance.statusHistory(orgId, [t.id])).get(t.id)).toEqual([{ status: 'open', at: t.updatedAt }]);
    }
    // Evaluated again with nothing changed: nothing new, no history added.
    expect((await engine.onEvents(p3.map((t) => event(t, 'task.updated')))).filter((t) => t.kind !== 'none')).toEqual([]);
    expect((await store.compliance.statusHistory(orgId, p3.map((t) => t.id))).get(p3[1]!.id)).toHaveLength(1);
  });

  it('shares a sweep already running, and readers reuse one of the last second', async () => {
    const [a, b] = await Promise.all([engine.sweep(orgId), engine.sweep(orgId)]);
    expect(b).toBe(a);
    expect(await engine.recentSweep(orgId, 1000)).toBe(a);
    now += 1001;
    const c = await engine.recentSweep(orgId, 1000);
    expect(c).not.toBe(a);
    expect(c.at).toBe(now);
  });

  it('answers a reader from a sweep a few seconds old while a new one runs behind it', async () => {
    const first = await engine.sweep(orgId);
    now += 5000;
    expect(await engine.recentSweep(orgId, 1000, 10_000)).toBe(first);
    const behind = await engine.sweep(orgId); // the one started behind it (shared while running)
    expect(behind.at).toBe(now);
    now += 20_000;
    const waited = await engine.recentSweep(orgId, 1000, 10_000);
    expect(waited.at).toBe(now);
  });
});
