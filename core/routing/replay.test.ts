import { describe, it, expect } from 'vitest';
import type { Task } from '../model.js';
import { replay, withDrafts, type RecordedTask } from './replay.js';
import { parseRule, type RoutingRule } from './rules.js';

const rule = (json: object, id: string): RoutingRule => ({ ...parseRule(json), id, orgId: 'o', createdAt: 0, updatedAt: 0, createdBy: 't' });
const task = (id: string, title: string, createdAt: number): Task => ({
  id, orgId: 'o', title, description: '', priority: 'P3', status: 'resolved', teamId: 't', assigneeId: 'm', tags: {}, source: 'api',
  createdBy: 'x', createdAt, updatedAt: 0, acknowledgedAt: null, resolvedAt: null,
});
const recorded: RecordedTask[] = [
  { task: task('t2', 'postgres down', 2), team: 'dba', assignee: 'ana' },
  { task: task('t1', 'dns broken', 1), team: 'network', assignee: 'cy' },
];
const current = [rule({ name: 'db', conditions: { field: 'title', op: 'contains', value: 'postgres' }, actions: { team: 'dba' } }, 'r1')];

describe('replay', () => {
  it('a draft with the same name replaces the current rule; a new name joins the set', () => {
    const drafts = [parseRule({ name: 'db', conditions: { all: [] }, actions: { team: 'x' } }), parseRule({ name: 'new', conditions: { all: [] }, actions: { stop: true } })];
    const merged = withDrafts(current, drafts, 'o', 5);
    expect(merged.map((r) => [r.id, r.name, r.actions])).toEqual([['r1', 'db', { team: 'x' }], ['draft:new', 'new', { stop: true }]]);
  });

  it('reports only the tasks whose outcome changes, oldest first, with what changed', () => {
    const draft = parseRule({ name: 'db', conditions: { field: 'title', op: 'matches', value: 'postgres|dns' }, actions: { team: 'dba', priority: 'P2' } });
    const r = replay(recorded, current, [draft], { orgId: 'o', now: 10, since: 0 });
    expect(r).toMatchObject({ checked: 2, changed: 2, unchanged: 0, drafts: ['db'] });
    expect(r.changes.map((c) => [c.taskId, c.fields])).toEqual([['t1', ['team', 'priority', 'assignee']], ['t2', ['priority']]]);
    // a task moved to another team loses its recorded assignee
    expect(r.changes[0]!.after).toMatchObject({ team: 'dba', assignee: null, rules: ['db'] });
    expect(r.changes[0]!.before).toMatchObject({ team: 'network', assignee: 'cy', rules: [] });
  });

  it('finds nothing to report when the draft equals the current rule', () => {
    const same = parseRule({ name: 'db', conditions: { field: 'title', op: 'contains', value: 'postgres' }, actions: { team: 'dba' } });
    expect(replay(recorded, current, [same], { orgId: 'o', now: 10, since: 0 })).toMatchObject({ changed: 0, unchanged: 2, changes: [] });
  });

  it('names teams given by id the way tasks record them', () => {
    const byId = parseRule({ name: 'db', conditions: { field: 'title', op: 'contains', value: 'postgres' }, actions: { team: 'team_1' } });
    const r = replay(recorded, current, [byId], { orgId: 'o', now: 10, since: 0, name: (ref) => (ref === 'team_1' ? 'dba' : ref) });
    expect(r.changed).toBe(0);
  });
});
