import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Task } from '../core/model.js';
import type { StoredDecision, WebhookSource } from '../core/routing/ports.js';
import type { RoutingRule } from '../core/routing/rules.js';
import type { SqlStore } from '../server/store/index.js';
import { forEachStore, openTestStore } from './helpers.js';

const rule = (org: string, id: string, name: string, priority: number): RoutingRule => ({
  id, orgId: org, name, priority, enabled: true, conditions: { field: 'title', op: 'contains', value: 'db' }, actions: { team: 'dba', stop: true },
  createdAt: 1, updatedAt: 1, createdBy: 'test',
});

forEachStore('routing repository', (kind) => {
  let store: SqlStore;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ store, cleanup } = await openTestStore(kind));
    for (const org of ['o1', 'o2']) await store.orgs.insert({ id: org, name: org, createdAt: 0 });
  });
  afterAll(async () => cleanup?.());

  it('keeps rules per organisation, found by id or name, in priority order', async () => {
    await store.routing.insertRule(rule('o1', 'r2', 'second', 20));
    await store.routing.insertRule(rule('o1', 'r1', 'first', 10));
    await store.routing.insertRule(rule('o2', 'r3', 'other-org', 1));
    expect((await store.routing.listRules('o1')).map((r) => r.name)).toEqual(['first', 'second']);
    expect(await store.routing.findRule('o1', 'second')).toMatchObject({ id: 'r2', conditions: { op: 'contains' }, actions: { team: 'dba', stop: true } });
    expect(await store.routing.findRule('o2', 'r1')).toBeUndefined();
    await store.routing.updateRule({ ...rule('o1', 'r2', 'second', 5), enabled: false, updatedAt: 2 });
    expect(await store.routing.findRule('o1', 'r2')).toMatchObject({ priority: 5, enabled: false, updatedAt: 2 });
    expect(await store.routing.deleteRule('o2', 'r2')).toBe(false);
    expect(await store.routing.deleteRule('o1', 'r2')).toBe(true);
  });

  it('stores decisions and answers who was assigned when', async () => {
    const d = (id: string, task: string, assignee: string | null, at: number): StoredDecision => ({
      id, orgId: 'o1', taskId: task, teamId: 't', team: 'dba', assigneeId: assignee, assignee: assignee ? 'ana' : null, confidence: 0.75,
      method: 'classifier', priority: 'P2', skills: ['postgres'], factors: [{ kind: 'note', text: 'x' }], latencyMs: 1.5, createdAt: at,
    });
    await store.routing.insertDecision(d('d1', 'tk1', 'm1', 100));
    await store.routing.insertDecision(d('d2', 'tk2', 'm1', 300));
    await store.routing.insertDecision(d('d3', 'tk3', 'm2', 200));
    expect(await store.routing.decisionForTask('o1', 'tk2')).toMatchObject({ confidence: 0.75, skills: ['postgres'], factors: [{ text: 'x' }], latencyMs: 1.5 });
    expect(await store.routing.decisionForTask('o2', 'tk2')).toBeUndefined();
    expect(await store.routing.lastAssigned('o1', ['m1', 'm2', 'm3'])).toEqual(new Map([['m1', 300], ['m2', 200]]));
  });

  it('counts open tasks per assignee and lists resolved tasks not yet in the history', async () => {
    await store.teams.insert({ id: 't', orgId: 'o1', name: 'dba', description: null, timezone: null, workingHours: null, holidays: [], createdAt: 0 });
    for (const m of ['m1', 'm2']) {
      await store.members.insert({ id: m, orgId: 'o1', teamId: 't', name: m, email: null, skills: {}, timezone: null, workingHours: null, capacity: 3, calendarUrl: null, onCall: false, active: true, createdAt: 0 });
    }
    const task = (id: string, status: Task['status'], assignee: string | null): Task => ({
      id, orgId: 'o1', title: `task ${id}`, description: '', priority: 'P3', status, teamId: 't', assigneeId: assignee, tags: {}, source: 'api',
      createdBy: 'x', createdAt: Number(id.slice(1)), updatedAt: 0, acknowledgedAt: null, resolvedAt: status === 'resolved' ? 1 : null,
    });
    for (const t of [task('x1', 'open', 'm1'), task('x2', 'in_progress', 'm1'), task('x3', 'resolved', 'm1'), task('x4', 'open', 'm2'), task('x5', 'resolved', null)]) await store.tasks.insert(t);
    expect(await store.routing.activeTasks('o1')).toEqual(new Map([['m1', 2], ['m2', 1]]));
    const resolved = await store.routing.resolvedNotInHistory('o1', 100);
    expect(resolved.map((r) => [r.taskId, r.team, r.origin])).toEqual([['x3', 'dba', 'resolved'], ['x5', 'dba', 'resolved']]);
    await store.routing.insertHistory(resolved);
    expect(await store.routing.resolvedNotInHistory('o1', 100)).toEqual([]);
  });

  it('keeps the history in the order it was recorded and pages through it', async () => {
    const before = await store.routing.countHistory('o1');
    await store.routing.insertHistory(Array.from({ length: 5 }, (_, i) => ({
      orgId: 'o1', id: `h${i}`, taskId: null, title: `t${i}`, description: 'd', team: 'dba', assignee: null, priority: null, tags: { a: 'b' },
      skills: ['s'], origin: 'import', createdAt: 1000 - i,
    })));
    expect(await store.routing.countHistory('o1')).toBe(before + 5);
    const all = await store.routing.listHistory('o1', 0, 1000);
    const page = await store.routing.listHistory('o1', all[before]!.seq, 2);
    expect(page.map((r) => r.title)).toEqual(['t1', 't2']);
    expect(page[0]).toMatchObject({ tags: { a: 'b' }, skills: ['s'], priority: null });
    expect(await store.routing.countHistory('o2')).toBe(0);
  });

  it('never lets one organisation take over another’s webhook source', async () => {
    const hook = (org: string, secret: string): WebhookSource => ({ orgId: org, source: 'gh', kind: 'github', secret, mapping: {}, enabled: true, createdAt: 1, updatedAt: 1 });
    await store.routing.upsertWebhook(hook('o1', 'first-secret'));
    await store.routing.upsertWebhook(hook('o2', 'hijack'));
    expect(await store.routing.getWebhook('gh')).toMatchObject({ orgId: 'o1', secret: 'first-secret' });
    await store.routing.upsertWebhook({ ...hook('o1', 'rotated'), updatedAt: 2 });
    expect((await store.routing.getWebhook('gh'))!.secret).toBe('rotated');
    expect((await store.routing.listWebhooks('o2'))).toEqual([]);
    expect(await store.routing.deleteWebhook('o2', 'gh')).toBe(false);
  });
});
