import { z } from 'zod';
import { AppError } from '../errors.js';
import { OPS, type Condition, type ConditionIssue, type LeafCondition, type Op, type Scalar } from './types.js';

export interface ParseOptions {
  /**
   * Allowed field paths. An entry is either an exact path (`title`) or a prefix with a wildcard
   * (`tags.*`, any one key below `tags`). Without this list any well-formed dotted path is accepted.
   */
  fields?: readonly string[];
}

const MAX_DEPTH = 32;
const MAX_PATTERN = 2_000;
const SEGMENT = /^[A-Za-z0-9_][\w\-:/@]*$/;
const FORBIDDEN_SEGMENTS = new Set(['__proto__', 'prototype', 'constructor']);
const LEAF_KEYS = new Set(['field', 'op', 'value', 'flags']);
const REGEX_FLAGS = /^[imsu]*$/;

/**
 * Checks a JSON value against the condition language and returns every problem found, each with the
 * path of the bad part (`conditions.all[2].op`). An empty list means the value is a valid condition.
 */
export function conditionIssues(json: unknown, path = 'conditions', options: ParseOptions = {}): ConditionIssue[] {
  const issues: ConditionIssue[] = [];
  check(json, path, 0, options, issues);
  return issues;
}

/**
 * Validates a JSON value and returns it as a Condition; throws a validation AppError listing every bad
 * part by path (details: `{ issues: [{path, message}] }`).
 */
export function parseCondition(json: unknown, path = 'conditions', options: ParseOptions = {}): Condition {
  const issues = conditionIssues(json, path, options);
  if (issues.length > 0) {
    const first = issues[0]!;
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
    throw new AppError('validation', `${first.path}: ${first.message}${more}`, undefined, { issues });
  }
  return normalize(json as Condition);
}

/**
 * A zod schema for embedding a condition in a larger schema (a rule, a playbook trigger); its issues
 * carry their path relative to where the schema sits, so `rule.conditions.any[0].op` comes out whole.
 */
export function conditionSchema(options: ParseOptions = {}): z.ZodType<Condition> {
  return z.unknown().transform((value, ctx) => {
    const issues: ConditionIssue[] = [];
    check(value, '', 0, options, issues);
    if (issues.length === 0) return normalize(value as Condition);
    for (const issue of issues) {
      ctx.addIssue({ code: 'custom', message: issue.message, path: splitPath(issue.path) });
    }
    return z.NEVER;
  }) as unknown as z.ZodType<Condition>;
}

/** Syntactic check of a dotted field path and, when a list is given, membership in it. */
export function fieldPathProblem(field: string, allowed?: readonly string[]): string | null {
  if (field.length === 0) return 'field path is empty';
  const segments = field.split('.');
  for (const s of segments) {
    if (s.length === 0) return `bad field path "${field}": empty segment`;
    if (FORBIDDEN_SEGMENTS.has(s)) return `bad field path "${field}": "${s}" is not allowed`;
    if (!SEGMENT.test(s)) return `bad field path "${field}": segment "${s}" has characters other than letters, digits, _ - : / @`;
  }
  if (allowed && !allowed.some((a) => fieldMatches(field, a))) {
    return `unknown field "${field}" (known: ${allowed.join(', ')})`;
  }
  return null;
}

function fieldMatches(field: string, allowed: string): boolean {
  if (allowed.endsWith('.*')) {
    const prefix = allowed.slice(0, -1); // keeps the dot
    return field.startsWith(prefix) && field.length > prefix.length && !field.slice(prefix.length).includes('.');
  }
  return field === allowed;
}

function check(json: unknown, path: string, depth: number, options: ParseOptions, issues: ConditionIssue[]): void {
  if (depth > MAX_DEPTH) {
    issues.push({ path, message: `conditions nest deeper than ${MAX_DEPTH} levels` });
    return;
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    issues.push({ path, message: 'expected an object: {all: [...]}, {any: [...]}, {not: ...} or {field, op, value}' });
    return;
  }
  const obj = json as Record<string, unknown>;
  const keys = Object.keys(obj);
  const kinds = ['all', 'any', 'not', 'field'].filter((k) => k in obj);
  if (kinds.length === 0) {
    issues.push({ path, message: `expected one of all, any, not or field (got keys: ${keys.join(', ') || 'none'})` });
    return;
  }
  if (kinds.length > 1) {
    issues.push({ path, message: `a condition has exactly one of all, any, not or field (got ${kinds.join(' and ')})` });
    return;
  }
  const kind = kinds[0]!;
  if (kind === 'all' || kind === 'any') {
    for (const k of keys) if (k !== kind) issues.push({ path: join(path, k), message: `unknown key "${k}"` });
    const list = obj[kind];
    if (!Array.isArray(list)) {
      issues.push({ path: join(path, kind), message: 'expected a list of conditions' });
      return;
    }
    list.forEach((child, i) => check(child, `${join(path, kind)}[${i}]`, depth + 1, options, issues));
    return;
  }
  if (kind === 'not') {
    for (const k of keys) if (k !== 'not') issues.push({ path: join(path, k), message: `unknown key "${k}"` });
    check(obj.not, join(path, 'not'), depth + 1, options, issues);
    return;
  }
  checkLeaf(obj, path, options, issues);
}

function checkLeaf(obj: Record<string, unknown>, path: string, options: ParseOptions, issues: ConditionIssue[]): void {
  for (const k of Object.keys(obj)) {
    if (!LEAF_KEYS.has(k)) issues.push({ path: join(path, k), message: `unknown key "${k}" (a leaf has field, op, value, flags)` });
  }
  const { field, op, value, flags } = obj;
  if (typeof field !== 'string') {
    issues.push({ path: join(path, 'field'), message: 'expected a dotted field path such as "title" or "tags.env"' });
  } else {
    const problem = fieldPathProblem(field, options.fields);
    if (problem) issues.push({ path: join(path, 'field'), message: problem });
  }
  if (typeof op !== 'string' || !(OPS as readonly string[]).includes(op)) {
    issues.push({ path: join(path, 'op'), message: `unknown operator ${JSON.stringify(op)} (one of ${OPS.join(', ')})` });
    return;
  }
  checkValue(op as Op, value, 'value' in obj, flags, path, issues);
}

function checkValue(op: Op, value: unknown, present: boolean, flags: unknown, path: string, issues: ConditionIssue[]): void {
  const at = join(path, 'value');
  if (flags !== undefined && op !== 'matches' && op !== 'contains') {
    issues.push({ path: join(path, 'flags'), message: `flags apply only to matches and contains, not ${op}` });
  }
  switch (op) {
    case 'exists':
      if (present && typeof value !== 'boolean') issues.push({ path: at, message: 'exists takes true or false' });
      return;
    case 'in':
    case 'nin':
      if (!Array.isArray(value)) issues.push({ path: at, message: `${op} takes a list of values` });
      else value.forEach((v, i) => { if (!isScalar(v)) issues.push({ path: `${at}[${i}]`, message: 'expected a string, number, boolean or null' }); });
      return;
    case 'matches': {
      if (typeof value !== 'string') {
        issues.push({ path: at, message: 'matches takes a regular expression as a string' });
        return;
      }
      if (value.length > MAX_PATTERN) {
        issues.push({ path: at, message: `regular expression longer than ${MAX_PATTERN} characters` });
        return;
      }
      const f = flags === undefined ? '' : flags;
      // g and y make RegExp.test stateful between calls, which would make a rule flip-flop.
      if (typeof f !== 'string' || !REGEX_FLAGS.test(f)) {
        issues.push({ path: join(path, 'flags'), message: `regex flags must be made of i, m, s, u (got ${JSON.stringify(flags)})` });
        return;
      }
      try {
        new RegExp(value, f);
      } catch (e) {
        issues.push({ path: at, message: `invalid regular expression: ${(e as Error).message}` });
      }
      return;
    }
    case 'contains':
      if (flags !== undefined && flags !== 'i' && flags !== '') {
        issues.push({ path: join(path, 'flags'), message: 'contains accepts only the flag "i"' });
      }
      if (!present || !isScalar(value) || value === null) issues.push({ path: at, message: 'contains takes a string, number or boolean' });
      return;
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      if (typeof value !== 'number' && typeof value !== 'string') issues.push({ path: at, message: `${op} takes a number or a string` });
      else if (typeof value === 'number' && !Number.isFinite(value)) issues.push({ path: at, message: `${op} takes a finite number` });
      return;
    case 'eq':
    case 'ne':
      if (!present || !isScalar(value)) issues.push({ path: at, message: `${op} takes a string, number, boolean or null` });
      return;
  }
}

function isScalar(v: unknown): v is Scalar {
  return v === null || typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));
}

/** Copies only the known keys, so stored conditions never carry stray data. */
function normalize(c: Condition): Condition {
  if ('all' in c) return { all: c.all.map(normalize) };
  if ('any' in c) return { any: c.any.map(normalize) };
  if ('not' in c) return { not: normalize(c.not) };
  const leaf: LeafCondition = { field: c.field, op: c.op };
  if (c.value !== undefined) leaf.value = c.value;
  if (c.flags !== undefined && c.flags !== '') leaf.flags = c.flags;
  return leaf;
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

/** `all[2].op` → ['all', 2, 'op'] for zod issue paths. */
function splitPath(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const part of path.split('.')) {
    if (part === '') continue;
    const m = /^([^[]*)((?:\[\d+\])*)$/.exec(part);
    if (!m) {
      out.push(part);
      continue;
    }
    if (m[1]) out.push(m[1]);
    for (const idx of m[2]!.matchAll(/\[(\d+)\]/g)) out.push(Number(idx[1]));
  }
  return out;
}
