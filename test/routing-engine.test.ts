import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../core/model.js';
import { systemClock } from '../core/ports.js';
import type { Llm } from '../core/llm.js';
import type { Classification } from '../core/routing/classifier.js';
import { RoutingEngine } from '../core/routing/engine.js';
import type { ClassifierHub } from '../core/routing/hub.js';
import { makeCommit } from '../core/unit-of-work.js';
import { InProcessBus } from '../server/bus/memory.js';
import { SqlRoutingRepo } from '../server/store/repos/routing.js';
import type { SqlStore } from '../server/store/index.js';
import { openTestStore } from './helpers.js';

describe('RoutingEngine on a real store', () => {
  let store: SqlStore;
  let cleanup: () => Promise<void>;
  let engine: RoutingEngine;
  const actor: Actor = { orgId: 'o', name: 'tester', userId: null, role: 'admin' };

  beforeAll(async () => {
    ({ store, cleanup } = await openTestStore('sqlite'));
    await store.orgs.insert({ id: 'o', name: 'o', createdAt: 0 });
    await store.teams.insert({ id: 't1', orgId: 'o', name: 'dba', description: null, timezone: null, workingHours: null, holidays: [], createdAt: 0 });
    await store.members.insert({ id: 'm1', orgId: 'o', teamId: 't1', name: 'ana', email: null, skills: {}, timezone: null, workingHours: null, capacity: 2, calendarUrl: null, onCall: false, active: true, createdAt: 0 });
    const bus = new InProcessBus(store.events);
    engine = new RoutingEngine({
      store, commit: makeCommit(store, bus, systemClock), clock: systemClock, hub: null, llm: null,
      calendars: { busy: () => [] }, signals: () => undefined,
    });
  });
  afterAll(async () => cleanup?.());

  it('never leaves half a decision: when storing the decision fails, the task is not stored either', async () => {
    const original = SqlRoutingRepo.prototype.insertDecision;
    SqlRoutingRepo.prototype.insertDecision = async () => {
      throw new Error('disk full');
    };
    try {
      await expect(engine.route(actor, { title: 'db down' })).rejects.toThrow('disk full');
    } finally {
      SqlRoutingRepo.prototype.insertDecision = original;
    }
    expect(await store.tasks.count('o')).toBe(0);
    expect(await store.events.list('o')).toEqual([]);
    expect(await store.audit.chain('o')).toEqual([]);
  });

  it('stores task, decision, audit entry and both events together', async () => {
    const d = await engine.route(actor, { title: 'db down', priority: 'P2' });
    expect(d).toMatchObject({ team: 'dba', assignee: 'm1', method: 'load', taskId: expect.stringMatching(/^tsk_/) });
    expect(await store.routing.decisionForTask('o', d.taskId!)).toMatchObject({ team: 'dba', assigneeId: 'm1', method: 'load' });
    expect((await store.events.list('o')).map((e) => e.type)).toEqual(['task.created', 'task.routed']);
    expect((await store.audit.chain('o')).map((a) => a.action)).toEqual(['task.route']);
  });

  it('counts its own assignments against capacity between reads of the store', async () => {
    const second = await engine.route(actor, { title: 'db down again' });
    expect(second.assignee).toBe('m1');
    const third = await engine.route(actor, { title: 'and again' });
    expect(third.assignee).toBeNull();
    expect(third.explanation.join('\n')).toMatch(/at capacity/);
  });

  it('asks neither the classifier nor Claude when a rule has fixed the team', async () => {
    const asked: string[] = [];
    const classification: Classification = { ranked: [{ team: 'dba', probability: 0.3 }], confidence: 0.3, evidence: [], skills: [], historySize: 10 };
    const classifier = { size: 10, classify: (title: string) => (asked.push(`classifier: ${title}`), classification) };
    const hub = { get: async () => ({ status: 'ready', classifier }) } as unknown as ClassifierHub;
    const llm = { complete: async () => (asked.push('claude'), Promise.reject(new Error('offline'))) } as unknown as Llm;
    const learning = new RoutingEngine({
      store, commit: makeCommit(store, new InProcessBus(store.events), systemClock), clock: systemClock, hub, llm,
      calendars: { busy: () => [] }, signals: () => undefined,
    });
    await learning.addRule(actor, { name: 'replication-to-dba', priority: 1, conditions: { field: 'title', op: 'contains', value: 'replication' }, actions: { team: 'dba', stop: true } });
    const byRule = await learning.route(actor, { title: 'replication lag' }, { dryRun: true });
    expect(byRule).toMatchObject({ team: 'dba', method: 'rules' });
    expect(asked).toEqual([]);
    const learned = await learning.route(actor, { title: 'slow query' }, { dryRun: true });
    expect(learned).toMatchObject({ team: 'dba', method: 'classifier' });
    expect(asked).toEqual(['classifier: slow query', 'claude']);
    await learning.deleteRule(actor, 'replication-to-dba');
  });

  it('with learned routing off, says so', async () => {
    const d = await engine.route(actor, { title: 'x' }, { dryRun: true });
    expect(d.explanation[0]).toBe('learned routing is switched off (ENABLE_AI_ROUTING); decided by rules and load');
  });
});
