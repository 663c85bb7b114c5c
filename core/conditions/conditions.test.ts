import { describe, it, expect } from 'vitest';
import { z } from 'zod';
import { AppError } from '../errors.js';
import {
  compileCondition,
  conditionIssues,
  conditionSchema,
  describeCondition,
  parseCondition,
  resolveField,
  type Condition,
} from './index.js';

const task = {
  title: 'Postgres replica lag on db-3',
  description: 'Replication is 40s behind',
  priority: 'P2',
  status: 'open',
  team: 'dba',
  assignee: null,
  source: 'github',
  skills: ['postgres', 'linux'],
  tags: { env: 'prod', severity: '3' },
  labels: { service: 'api' },
  createdAt: 1_700_000_000_000,
};

function holds(json: unknown, entity: unknown = task): boolean {
  return compileCondition(parseCondition(json))(entity);
}

describe('parseCondition accepts the shapes of CONTRACT.md', () => {
  it('a leaf, all, any and not, nested', () => {
    const c = parseCondition({
      all: [
        { field: 'title', op: 'matches', value: 'postgres|database', flags: 'i' },
        { any: [{ field: 'priority', op: 'in', value: ['P1', 'P2'] }, { not: { field: 'tags.env', op: 'eq', value: 'dev' } }] },
      ],
    });
    expect(describeCondition(c)).toBe('all of (title matches /postgres|database/i, any of (priority in [P1, P2], not (tags.env = dev)))');
  });

  it('exists without a value means "exists: true"', () => {
    expect(parseCondition({ field: 'assignee', op: 'exists' })).toEqual({ field: 'assignee', op: 'exists' });
  });
});

describe('parseCondition refuses bad input and names the path of the bad part', () => {
  const cases: [string, unknown, string, RegExp][] = [
    ['an unknown operator', { all: [{ field: 'title', op: 'eq', value: 'x' }, { field: 'title', op: 'like', value: 'x' }] }, 'conditions.all[1].op', /unknown operator "like"/],
    ['an invalid regex', { any: [{ not: { field: 'title', op: 'matches', value: '(unclosed' } }] }, 'conditions.any[0].not.value', /invalid regular expression/],
    ['stateful regex flags', { field: 'title', op: 'matches', value: 'x', flags: 'g' }, 'conditions.flags', /i, m, s, u/],
    ['an empty path segment', { field: 'tags..env', op: 'eq', value: 'x' }, 'conditions.field', /empty segment/],
    ['a prototype path', { field: 'tags.__proto__', op: 'exists' }, 'conditions.field', /not allowed/],
    ['a list where a list is not expected', { field: 'priority', op: 'eq', value: ['P1'] }, 'conditions.value', /string, number, boolean or null/],
    ['in without a list', { field: 'priority', op: 'in', value: 'P1' }, 'conditions.value', /list of values/],
    ['gt with a boolean', { field: 'createdAt', op: 'gt', value: true }, 'conditions.value', /number or a string/],
    ['exists with a string', { field: 'assignee', op: 'exists', value: 'yes' }, 'conditions.value', /true or false/],
    ['a missing value for eq', { field: 'team', op: 'eq' }, 'conditions.value', /eq takes/],
    ['an unknown leaf key', { field: 'team', op: 'eq', value: 'x', flag: 'i' }, 'conditions.flag', /unknown key "flag"/],
    ['two kinds in one node', { all: [], field: 'x', op: 'exists' }, 'conditions', /exactly one of/],
    ['a non-list all', { all: { field: 'x', op: 'exists' } }, 'conditions.all', /list of conditions/],
    ['a non-object', 'title = x', 'conditions', /expected an object/],
    ['flags on a comparison', { field: 'priority', op: 'eq', value: 'P1', flags: 'i' }, 'conditions.flags', /only to matches and contains/],
  ];
  for (const [what, json, path, message] of cases) {
    it(what, () => {
      const issues = conditionIssues(json);
      expect(issues.map((i) => i.path)).toContain(path);
      expect(issues.find((i) => i.path === path)!.message).toMatch(message);
    });
  }

  it('throws a validation AppError whose message starts with the path and whose details list every issue', () => {
    const bad = { all: [{ field: 'title', op: 'like', value: 1 }, { field: 'x', op: 'matches', value: '[' }] };
    let err: unknown;
    try {
      parseCondition(bad, 'rules[0].conditions');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).kind).toBe('validation');
    expect((err as AppError).message).toMatch(/^rules\[0\]\.conditions\.all\[0\]\.op: unknown operator/);
    expect((err as AppError).details).toEqual({
      issues: [
        expect.objectContaining({ path: 'rules[0].conditions.all[0].op' }),
        expect.objectContaining({ path: 'rules[0].conditions.all[1].value' }),
      ],
    });
  });

  it('with a list of known fields, refuses others; "tags.*" allows any one key below tags', () => {
    const fields = ['title', 'priority', 'tags.*'];
    expect(conditionIssues({ field: 'tags.env', op: 'exists' }, 'c', { fields })).toEqual([]);
    expect(conditionIssues({ field: 'tags', op: 'exists' }, 'c', { fields })[0]!.message).toMatch(/unknown field "tags"/);
    expect(conditionIssues({ field: 'tags.a.b', op: 'exists' }, 'c', { fields })[0]!.message).toMatch(/unknown field/);
    expect(conditionIssues({ field: 'titel', op: 'eq', value: 'x' }, 'c', { fields })[0]).toEqual({
      path: 'c.field',
      message: 'unknown field "titel" (known: title, priority, tags.*)',
    });
  });

  it('drops nothing it needs and keeps nothing it does not (empty flags are dropped)', () => {
    expect(parseCondition({ field: 'title', op: 'matches', value: 'x', flags: '' })).toEqual({ field: 'title', op: 'matches', value: 'x' });
  });
});

describe('conditionSchema embeds the language in a zod schema with full paths', () => {
  const rule = z.object({ name: z.string(), conditions: conditionSchema() });

  it('passes a valid condition through', () => {
    const r = rule.parse({ name: 'r', conditions: { field: 'team', op: 'eq', value: 'dba' } });
    expect(r.conditions).toEqual({ field: 'team', op: 'eq', value: 'dba' });
  });

  it('reports the bad part under the path of the field holding the condition', () => {
    const r = rule.safeParse({ name: 'r', conditions: { any: [{ field: 'team', op: 'equals', value: 'x' }] } });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]!.path).toEqual(['conditions', 'any', 0, 'op']);
  });
});

describe('compileCondition: what each operator means', () => {
  it('eq and ne compare exactly; a number equals its numeric string', () => {
    expect(holds({ field: 'priority', op: 'eq', value: 'P2' })).toBe(true);
    expect(holds({ field: 'priority', op: 'eq', value: 'p2' })).toBe(false);
    expect(holds({ field: 'tags.severity', op: 'eq', value: 3 })).toBe(true);
    expect(holds({ field: 'priority', op: 'ne', value: 'P1' })).toBe(true);
  });

  it('a missing field equals nothing, so ne and nin hold for it', () => {
    expect(holds({ field: 'tags.missing', op: 'eq', value: 'x' })).toBe(false);
    expect(holds({ field: 'tags.missing', op: 'ne', value: 'x' })).toBe(true);
    expect(holds({ field: 'tags.missing', op: 'nin', value: ['x'] })).toBe(true);
  });

  it('eq null matches a null field', () => {
    expect(holds({ field: 'assignee', op: 'eq', value: null })).toBe(true);
  });

  it('in and nin test membership; on a list field, any element counts', () => {
    expect(holds({ field: 'priority', op: 'in', value: ['P1', 'P2'] })).toBe(true);
    expect(holds({ field: 'priority', op: 'nin', value: ['P1', 'P2'] })).toBe(false);
    expect(holds({ field: 'skills', op: 'in', value: ['linux', 'k8s'] })).toBe(true);
    expect(holds({ field: 'skills', op: 'eq', value: 'postgres' })).toBe(true);
    expect(holds({ field: 'skills', op: 'nin', value: ['windows'] })).toBe(true);
  });

  it('contains: substring, list element or object key; flags "i" ignores case', () => {
    expect(holds({ field: 'title', op: 'contains', value: 'replica' })).toBe(true);
    expect(holds({ field: 'title', op: 'contains', value: 'POSTGRES' })).toBe(false);
    expect(holds({ field: 'title', op: 'contains', value: 'POSTGRES', flags: 'i' })).toBe(true);
    expect(holds({ field: 'skills', op: 'contains', value: 'linux' })).toBe(true);
    expect(holds({ field: 'tags', op: 'contains', value: 'env' })).toBe(true);
    expect(holds({ field: 'tags', op: 'contains', value: 'owner' })).toBe(false);
  });

  it('matches runs a JavaScript regex with its flags', () => {
    expect(holds({ field: 'title', op: 'matches', value: '^postgres\\b', flags: 'i' })).toBe(true);
    expect(holds({ field: 'title', op: 'matches', value: '^postgres\\b' })).toBe(false);
    expect(holds({ field: 'labels.service', op: 'matches', value: '^(api|web)$' })).toBe(true);
    expect(holds({ field: 'assignee', op: 'matches', value: '.*' })).toBe(false);
  });

  it('a regex is compiled once and gives the same answer on every call', () => {
    const p = compileCondition(parseCondition({ field: 'title', op: 'matches', value: 'lag', flags: 'i' }));
    expect([p(task), p(task), p(task)]).toEqual([true, true, true]);
  });

  it('gt/gte/lt/lte compare numbers numerically (numeric strings too) and strings by code unit', () => {
    expect(holds({ field: 'createdAt', op: 'gt', value: 1_600_000_000_000 })).toBe(true);
    expect(holds({ field: 'createdAt', op: 'lte', value: 1_700_000_000_000 })).toBe(true);
    expect(holds({ field: 'createdAt', op: 'lt', value: 1_700_000_000_000 })).toBe(false);
    expect(holds({ field: 'tags.severity', op: 'gte', value: 3 })).toBe(true);
    expect(holds({ field: 'tags.severity', op: 'gt', value: 10 })).toBe(false);
    expect(holds({ field: 'priority', op: 'lt', value: 'P3' })).toBe(true);
    expect(holds({ field: 'title', op: 'gt', value: 5 })).toBe(false);
    expect(holds({ field: 'tags.missing', op: 'lt', value: 5 })).toBe(false);
  });

  it('exists: neither undefined nor null; value false inverts it', () => {
    expect(holds({ field: 'tags.env', op: 'exists' })).toBe(true);
    expect(holds({ field: 'assignee', op: 'exists', value: true })).toBe(false);
    expect(holds({ field: 'assignee', op: 'exists', value: false })).toBe(true);
    expect(holds({ field: 'labels.nothing', op: 'exists', value: false })).toBe(true);
  });

  it('all holds when every child does, any when one does, not inverts; all [] holds and any [] does not', () => {
    const p2 = { field: 'priority', op: 'eq', value: 'P2' };
    const p1 = { field: 'priority', op: 'eq', value: 'P1' };
    expect(holds({ all: [p2, { field: 'team', op: 'eq', value: 'dba' }] })).toBe(true);
    expect(holds({ all: [p2, p1] })).toBe(false);
    expect(holds({ any: [p1, p2] })).toBe(true);
    expect(holds({ not: p1 })).toBe(true);
    expect(holds({ all: [] })).toBe(true);
    expect(holds({ any: [] })).toBe(false);
  });

  it('all and any try cheap tests before regexes, whatever the written order; explanations keep it', () => {
    let reads = 0;
    const entity = { priority: 'P3', get description() { reads++; return 'disk full'; } };
    const c = compileCondition(parseCondition({ all: [{ field: 'description', op: 'matches', value: 'disk' }, { field: 'priority', op: 'in', value: ['P1', 'P2'] }] }));
    expect(c(entity)).toBe(false);
    expect(reads).toBe(0);
    expect(c.explain(entity).children!.map((t) => t.text)).toEqual(['description matches /disk/', 'priority in [P1, P2]']);
    const any = compileCondition(parseCondition({ any: [{ field: 'description', op: 'contains', value: 'DISK', flags: 'i' }, { field: 'priority', op: 'eq', value: 'P3' }] }));
    expect(any(entity)).toBe(true);
    expect(reads).toBe(1);
    expect(compileCondition(parseCondition({ field: 'description', op: 'contains', value: 'DISK', flags: 'i' }))(entity)).toBe(true);
  });

  it('never throws on odd entities', () => {
    const c = compileCondition(parseCondition({ any: [{ field: 'tags.env', op: 'matches', value: 'x' }, { field: 'a.b.c', op: 'gt', value: 1 }] }));
    for (const e of [null, undefined, 42, 'str', [], { tags: null }, { tags: 'x' }, { a: { b: 5 } }]) {
      expect(c(e)).toBe(false);
    }
  });
});

describe('resolveField reads own properties only', () => {
  it('follows dots, reads Maps, and ignores the prototype chain', () => {
    expect(resolveField(task, 'tags.env')).toBe('prod');
    expect(resolveField({ tags: new Map([['env', 'dev']]) }, 'tags.env')).toBe('dev');
    expect(resolveField({}, 'toString')).toBeUndefined();
    expect(resolveField({ title: 'x' }, 'title.length')).toBeUndefined();
  });
});

describe('explain says, leaf by leaf, why a condition held or not', () => {
  it('gives the verdict, the words and the value found', () => {
    const c: Condition = { all: [{ field: 'title', op: 'matches', value: 'db', flags: 'i' }, { field: 'priority', op: 'eq', value: 'P1' }] };
    const trace = compileCondition(parseCondition(c)).explain(task);
    expect(trace).toEqual({
      ok: false,
      text: 'all of',
      children: [
        { ok: true, text: 'title matches /db/i', actual: task.title },
        { ok: false, text: 'priority = P1', actual: 'P2' },
      ],
    });
  });

  it('quotes at most 120 characters of a long value', () => {
    const trace = compileCondition(parseCondition({ field: 'description', op: 'contains', value: 'x' })).explain({ description: 'x'.repeat(1_000_000) });
    expect(trace.ok).toBe(true);
    expect((trace.actual as string).length).toBe(120);
  });
});
