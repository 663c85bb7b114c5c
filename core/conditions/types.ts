/**
 * The condition language of CONTRACT.md, shared by routing rules, compliance rules and playbook
 * triggers: `{all: [...]}`, `{any: [...]}`, `{not: c}` or a leaf `{field, op, value, flags?}`.
 */

export const OPS = ['eq', 'ne', 'in', 'nin', 'contains', 'matches', 'gt', 'gte', 'lt', 'lte', 'exists'] as const;
export type Op = (typeof OPS)[number];

/** A JSON scalar a leaf may compare with. */
export type Scalar = string | number | boolean | null;

export interface LeafCondition {
  field: string;
  op: Op;
  /** Required except for `exists`, where it defaults to true. */
  value?: Scalar | Scalar[];
  /** Only for `matches` (regex flags from "imsu") and `contains` ("i" for case-insensitive). */
  flags?: string;
}

export interface AllCondition {
  all: Condition[];
}

export interface AnyCondition {
  any: Condition[];
}

export interface NotCondition {
  not: Condition;
}

export type Condition = AllCondition | AnyCondition | NotCondition | LeafCondition;

/** One problem found while parsing, located by a path such as `conditions.all[1].op`. */
export interface ConditionIssue {
  path: string;
  message: string;
}

export function isAll(c: Condition): c is AllCondition {
  return 'all' in c;
}
export function isAny(c: Condition): c is AnyCondition {
  return 'any' in c;
}
export function isNot(c: Condition): c is NotCondition {
  return 'not' in c;
}
export function isLeaf(c: Condition): c is LeafCondition {
  return 'field' in c;
}
