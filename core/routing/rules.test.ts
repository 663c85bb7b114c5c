import { describe, it, expect } from 'vitest';
import { AppError } from '../errors.js';
import { applyRules, checkRuleRefs, compileRules, describeMatch, parseRule, type RoutableTask, type RoutingRule, type RuleInput } from './rules.js';

function rule(input: Partial<RuleInput> & { name: string }, id = input.name): RoutingRule {
  const parsed = parseRule({ priority: 100, conditions: { all: [] }, actions: { stop: false }, ...input });
  return { ...parsed, id, orgId: 'org', createdAt: 0, updatedAt: 0, createdBy: 'test' };
}

const task: RoutableTask = { title: 'Postgres replica lag', description: 'db-3 is 40s behind', priority: 'P3', tags: { env: 'prod' }, source: 'cli' };

describe('parseRule validates a rule file and names the bad path', () => {
  it('accepts the CONTRACT.md example and fills defaults', () => {
    const r = parseRule({
      name: 'database-to-dba', priority: 10,
      conditions: { all: [{ field: 'title', op: 'matches', value: 'postgres|database', flags: 'i' }] },
      actions: { team: 'dba', priority: 'P2', skills: ['postgres'], tags: { area: 'db' }, stop: true },
    });
    expect(r.enabled).toBe(true);
    expect(r.actions.team).toBe('dba');
  });

  const bad: [string, unknown, string][] = [
    ['an invalid regex', { name: 'x', conditions: { any: [{ field: 'title', op: 'matches', value: '(' }] }, actions: { team: 'a' } }, 'conditions.any[0].value'],
    ['an unknown operator', { name: 'x', conditions: { field: 'title', op: 'like', value: 'a' }, actions: { team: 'a' } }, 'conditions.op'],
    ['an unknown field', { name: 'x', conditions: { field: 'titel', op: 'eq', value: 'a' }, actions: { team: 'a' } }, 'conditions.field'],
    ['a bad priority action', { name: 'x', conditions: { all: [] }, actions: { priority: 'urgent' } }, 'actions.priority'],
    ['an unknown action', { name: 'x', conditions: { all: [] }, actions: { queue: 'a' } }, 'actions'],
    ['no actions', { name: 'x', conditions: { all: [] }, actions: {} }, 'actions'],
    ['a missing name', { conditions: { all: [] }, actions: { stop: true } }, 'name'],
    ['a fractional priority', { name: 'x', priority: 1.5, conditions: { all: [] }, actions: { stop: true } }, 'priority'],
  ];
  for (const [what, json, path] of bad) {
    it(`refuses ${what} at ${path}`, () => {
      try {
        parseRule(json);
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(AppError);
        expect((e as AppError).kind).toBe('validation');
        expect((e as AppError).details).toEqual(expect.arrayContaining([expect.objectContaining({ path })]));
        expect((e as AppError).message.startsWith(`${path}:`)).toBe(true);
      }
    });
  }
});

describe('checkRuleRefs: teams and members a rule names must exist and fit together', () => {
  const teams = [{ id: 't1', name: 'dba' }, { id: 't2', name: 'network' }];
  const members = [{ id: 'm1', name: 'ana', teamId: 't1' }, { id: 'm2', name: 'bo', teamId: 't2' }];
  const r = (actions: object): RuleInput => parseRule({ name: 'x', conditions: { all: [] }, actions });

  it('accepts known names and ids', () => {
    expect(checkRuleRefs(r({ team: 'dba', assignee: 'ana' }), teams, members)).toEqual([]);
    expect(checkRuleRefs(r({ team: 't2', assignee: 'm2' }), teams, members)).toEqual([]);
  });

  it('refuses unknown teams and members, and a member of another team', () => {
    expect(checkRuleRefs(r({ team: 'sre' }), teams, members)).toEqual([{ path: 'actions.team', message: 'unknown team sre' }]);
    expect(checkRuleRefs(r({ assignee: 'zed' }), teams, members)).toEqual([{ path: 'actions.assignee', message: 'unknown member zed' }]);
    expect(checkRuleRefs(r({ team: 'dba', assignee: 'bo' }), teams, members, 'rules[3]')).toEqual([
      { path: 'rules[3].actions.assignee', message: 'bo is not a member of team dba' },
    ]);
  });
});

describe('applyRules', () => {
  it('tries enabled rules in ascending priority and skips disabled ones', () => {
    const rules = compileRules([
      rule({ name: 'late', priority: 50, actions: { team: 'late' } }),
      rule({ name: 'off', priority: 1, enabled: false, actions: { team: 'off' } }),
      rule({ name: 'early', priority: 10, actions: { team: 'early' } }),
    ]);
    const out = applyRules(rules, task);
    expect(out.team).toBe('early');
    expect(out.matched.map((m) => m.name)).toEqual(['early', 'late']);
    expect(out.matched[1]!.overridden).toEqual(['team']);
  });

  it('applies every matching rule until one says stop', () => {
    const rules = compileRules([
      rule({ name: 'db', priority: 10, conditions: { field: 'title', op: 'matches', value: 'postgres', flags: 'i' }, actions: { team: 'dba', skills: ['postgres'] } }),
      rule({ name: 'prod-urgent', priority: 20, conditions: { field: 'tags.env', op: 'eq', value: 'prod' }, actions: { priority: 'P2', stop: true } }),
      rule({ name: 'never', priority: 30, actions: { tags: { seen: 'yes' } } }),
    ]);
    const out = applyRules(rules, task);
    expect(out).toMatchObject({ team: 'dba', priority: 'P2', skills: ['postgres'], tags: {}, stoppedBy: 'prod-urgent' });
    expect(out.matched.map((m) => m.name)).toEqual(['db', 'prod-urgent']);
  });

  it('lets a later rule see what earlier rules set', () => {
    const rules = compileRules([
      rule({ name: 'tag', priority: 1, conditions: { field: 'text', op: 'contains', value: 'behind' }, actions: { tags: { area: 'db' } } }),
      rule({ name: 'route', priority: 2, conditions: { field: 'tags.area', op: 'eq', value: 'db' }, actions: { team: 'dba' } }),
    ]);
    expect(applyRules(rules, task)).toMatchObject({ team: 'dba', tags: { area: 'db' } });
  });

  it('does not change the task it was given', () => {
    const rules = compileRules([rule({ name: 'tag', actions: { tags: { a: 'b' }, skills: ['x'] } })]);
    const copy = structuredClone(task);
    applyRules(rules, task);
    expect(task).toEqual(copy);
  });

  it('with no rules decides nothing', () => {
    expect(applyRules([], task)).toEqual({ skills: [], tags: {}, matched: [] });
  });

  it('explains a match in words', () => {
    const rules = compileRules([rule({ name: 'db', priority: 10, conditions: { field: 'title', op: 'matches', value: 'postgres', flags: 'i' }, actions: { team: 'dba', stop: true } })]);
    expect(describeMatch(applyRules(rules, task).matched[0]!)).toBe('rule "db" (priority 10) matched: title matches /postgres/i → team dba; stop');
  });
});
