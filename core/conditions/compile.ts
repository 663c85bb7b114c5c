import type { Condition, LeafCondition, Scalar } from './types.js';

/** Why a condition did or did not hold for one entity, leaf by leaf; for `--explain` output. */
export interface ConditionTrace {
  ok: boolean;
  /** `title matches /db/i`, `all of`, `any of`, `not` */
  text: string;
  /** For a leaf: the value found at the field path (undefined when absent). */
  actual?: unknown;
  children?: ConditionTrace[];
}

/** A condition turned into a predicate once (regexes built once); call it per entity. */
export interface CompiledCondition {
  (entity: unknown): boolean;
  explain(entity: unknown): ConditionTrace;
  readonly condition: Condition;
}

interface Node {
  test(entity: unknown): boolean;
  trace(entity: unknown): ConditionTrace;
  /** rough work of one test, so that all/any try cheap children first */
  cost: number;
}

/**
 * Compiles a condition that parseCondition accepted. Semantics, for a value `actual` at the path:
 * - a missing path is `undefined`; only `ne`, `nin` and `exists: false` hold for it;
 * - when `actual` is a list (e.g. skills), eq/in/matches hold if any element does (ne/nin: if none);
 * - a number and a numeric string compare as numbers (tags are strings: `tags.severity gt 2` works);
 * - gt/gte/lt/lte compare two numbers numerically or two strings by code unit; mixed types never hold;
 * - contains: substring of a string, element of a list, or key of an object (`flags: "i"` ignores case);
 * - exists: the value is neither undefined nor null (`value: false` inverts it).
 * `all: []` holds and `any: []` does not.
 */
export function compileCondition(condition: Condition): CompiledCondition {
  const root = build(condition);
  const fn = ((entity: unknown) => root.test(entity)) as CompiledCondition;
  Object.defineProperty(fn, 'explain', { value: (entity: unknown) => root.trace(entity) });
  Object.defineProperty(fn, 'condition', { value: condition });
  return fn;
}

/** The value at a dotted path, reading only own properties (a Map is read with get). */
export function resolveField(entity: unknown, path: string): unknown {
  return resolveSegments(entity, path.split('.'));
}

/** resolveField with the path already split: compiled leaves split once, not per entity (sweeps call them millions of times). */
function resolveSegments(entity: unknown, segments: readonly string[]): unknown {
  let cur: unknown = entity;
  for (const seg of segments) {
    if (cur === null || cur === undefined) return undefined;
    if (cur instanceof Map) {
      cur = cur.get(seg);
    } else if (typeof cur === 'object') {
      cur = Object.hasOwn(cur, seg) ? (cur as Record<string, unknown>)[seg] : undefined;
    } else {
      return undefined;
    }
  }
  return cur;
}

/** One line per condition, in words close to the JSON: `all of (title matches /db/i, priority in [P1, P2])`. */
export function describeCondition(c: Condition): string {
  if ('all' in c) return `all of (${c.all.map(describeCondition).join(', ')})`;
  if ('any' in c) return `any of (${c.any.map(describeCondition).join(', ')})`;
  if ('not' in c) return `not (${describeCondition(c.not)})`;
  return describeLeaf(c);
}

function describeLeaf(c: LeafCondition): string {
  switch (c.op) {
    case 'matches':
      return `${c.field} matches /${String(c.value)}/${c.flags ?? ''}`;
    case 'exists':
      return c.value === false ? `${c.field} is absent` : `${c.field} exists`;
    case 'in':
    case 'nin':
      return `${c.field} ${c.op === 'in' ? 'in' : 'not in'} [${(c.value as Scalar[]).map(show).join(', ')}]`;
    default: {
      const words: Record<string, string> = { eq: '=', ne: '≠', gt: '>', gte: '≥', lt: '<', lte: '≤', contains: 'contains' };
      const suffix = c.op === 'contains' && c.flags === 'i' ? ' (any case)' : '';
      return `${c.field} ${words[c.op]} ${show(c.value as Scalar)}${suffix}`;
    }
  }
}

function show(v: Scalar | undefined): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function build(c: Condition): Node {
  if ('all' in c || 'any' in c) {
    const all = 'all' in c;
    const kids = (all ? c.all : c.any).map(build);
    // Children are pure, so the verdict does not depend on their order: the cheap ones go first and
    // often settle it (`priority in [P1, P2]` before a regex over the description). Traces keep the
    // written order.
    const cheapFirst = [...kids].sort((a, b) => a.cost - b.cost);
    return {
      test: all ? (e) => everyHolds(cheapFirst, e) : (e) => someHolds(cheapFirst, e),
      trace: (e) => group(all ? 'all of' : 'any of', kids.map((k) => k.trace(e)), (ts) => (all ? ts.every((t) => t.ok) : ts.some((t) => t.ok))),
      cost: kids.reduce((sum, k) => sum + k.cost, 0),
    };
  }
  if ('not' in c) {
    const kid = build(c.not);
    return {
      test: (e) => !kid.test(e),
      trace: (e) => group('not', [kid.trace(e)], (ts) => !ts[0]!.ok),
      cost: kid.cost,
    };
  }
  const test = leafPredicate(c);
  const text = describeLeaf(c);
  const segments = c.field.split('.');
  return {
    test: (e) => test(resolveSegments(e, segments)),
    trace: (e) => {
      const actual = resolveField(e, c.field);
      return { ok: test(actual), text, actual: clip(actual) };
    },
    cost: c.op === 'matches' ? 4 : c.op === 'contains' ? 2 : 1,
  };
}

// Loops rather than every/some with an arrow: a rule set is tried on every task, and a closure per
// test was a good part of what a routing decision allocated.
function everyHolds(nodes: readonly Node[], e: unknown): boolean {
  for (let i = 0; i < nodes.length; i++) if (!nodes[i]!.test(e)) return false;
  return true;
}

function someHolds(nodes: readonly Node[], e: unknown): boolean {
  for (let i = 0; i < nodes.length; i++) if (nodes[i]!.test(e)) return true;
  return false;
}

function group(text: string, children: ConditionTrace[], ok: (ts: ConditionTrace[]) => boolean): ConditionTrace {
  return { ok: ok(children), text, children };
}

/** Explanations quote the value found; a 1 MB description should not travel with them. */
function clip(v: unknown): unknown {
  return typeof v === 'string' && v.length > 120 ? `${v.slice(0, 117)}...` : v;
}

/** The predicate on the value found; the test of one element is built here, once, not per call. */
function leafPredicate(c: LeafCondition): (actual: unknown) => boolean {
  const v = c.value;
  switch (c.op) {
    case 'eq':
    case 'ne': {
      const is = (x: unknown): boolean => same(x, v as Scalar);
      return c.op === 'eq' ? (a) => anyElement(a, is) : (a) => !anyElement(a, is);
    }
    case 'in':
    case 'nin': {
      const list = v as Scalar[];
      const isIn = (x: unknown): boolean => {
        for (let i = 0; i < list.length; i++) if (same(x, list[i]!)) return true;
        return false;
      };
      return c.op === 'in' ? (a) => anyElement(a, isIn) : (a) => !anyElement(a, isIn);
    }
    case 'matches': {
      const re = new RegExp(v as string, c.flags ?? '');
      const hit = (x: unknown): boolean => (typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean') && re.test(String(x));
      return (a) => anyElement(a, hit);
    }
    case 'contains':
      return containsPredicate(v as Scalar, c.flags === 'i');
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      const ok = ORDER[c.op];
      return (a) => compare(a, v as Scalar, ok);
    }
    case 'exists': {
      const want = v !== false;
      return (a) => (a !== undefined && a !== null) === want;
    }
  }
}

const ORDER: Record<'gt' | 'gte' | 'lt' | 'lte', (d: number) => boolean> = {
  gt: (d) => d > 0,
  gte: (d) => d >= 0,
  lt: (d) => d < 0,
  lte: (d) => d <= 0,
};

function anyElement(a: unknown, p: (x: unknown) => boolean): boolean {
  return Array.isArray(a) ? a.some(p) : p(a);
}

function same(x: unknown, y: Scalar): boolean {
  if (x === y) return true;
  if (typeof x === 'number' && typeof y === 'string') return isNumeric(y) && x === Number(y);
  if (typeof x === 'string' && typeof y === 'number') return isNumeric(x) && Number(x) === y;
  return false;
}

function isNumeric(s: string): boolean {
  return s.trim() !== '' && Number.isFinite(Number(s));
}

function compare(a: unknown, v: Scalar, ok: (d: number) => boolean): boolean {
  if (typeof a === 'number' || typeof v === 'number') {
    const x = typeof a === 'number' ? a : typeof a === 'string' && isNumeric(a) ? Number(a) : NaN;
    const y = typeof v === 'number' ? v : typeof v === 'string' && isNumeric(v) ? Number(v) : NaN;
    return Number.isFinite(x) && Number.isFinite(y) && ok(x - y);
  }
  if (typeof a === 'string' && typeof v === 'string') return ok(a < v ? -1 : a > v ? 1 : 0);
  return false;
}

function containsPredicate(v: Scalar, ignoreCase: boolean): (a: unknown) => boolean {
  const needle = ignoreCase ? String(v).toLowerCase() : String(v);
  const eqElem = (x: unknown): boolean =>
    ignoreCase && typeof x === 'string' ? x.toLowerCase() === needle : same(x, v);
  return (a) => {
    if (typeof a === 'string') return (ignoreCase ? lowerCase(a) : a).includes(needle);
    if (Array.isArray(a)) return a.some(eqElem);
    if (a instanceof Map) return a.has(String(v));
    if (a !== null && typeof a === 'object') {
      if (!ignoreCase) return Object.hasOwn(a, String(v));
      return Object.keys(a).some((k) => k.toLowerCase() === needle);
    }
    return false;
  };
}

/**
 * toLowerCase with a memory of the last string: a hundred rules testing `description contains … (any
 * case)` lower-case the same description once rather than a hundred times (it may be a megabyte).
 */
let lastLower: { from: string; to: string } = { from: '', to: '' };
function lowerCase(s: string): string {
  if (s !== lastLower.from) lastLower = { from: s, to: s.toLowerCase() };
  return lastLower.to;
}
