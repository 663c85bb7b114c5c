/**
 * Compliance rules: what is checked (type and conditions), how bad a breach is (severity), how long
 * a breach may last before it counts (grace period) and whether the rule runs (enabled).
 */
import { z } from 'zod';
import { AppError } from '../errors.js';
import { PRIORITIES } from '../model.js';
import { conditionSchema, type Condition } from '../conditions/index.js';
import { calendarRefSchema, type CalendarRef } from '../calendar/calendar.js';
import { ACTION_FIELDS, TASK_FIELDS, type EntityKind } from './entities.js';
import { parseDuration } from './duration.js';

export const RULE_TYPES = ['sla', 'field', 'age', 'approval', 'expr'] as const;
export type RuleType = (typeof RULE_TYPES)[number];

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** 0 for low … 3 for critical, for "at or above" comparisons. */
export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}

export const SLA_CLOCKS = ['ack', 'resolve'] as const;
export type SlaClockKind = (typeof SLA_CLOCKS)[number];

/** Statuses that stop SLA clocks unless a rule lists its own. */
export const DEFAULT_PAUSE_STATES = ['waiting_on_customer', 'awaiting_approval'];

export interface SlaSpec {
  clock: SlaClockKind;
  /** Target in business ms, per priority; a priority without a target is not measured. */
  targets: Partial<Record<string, number>>;
  /** `team` (the owning team's calendar, the default), `24x7`, a stored calendar's name, or inline. */
  calendar: CalendarRef;
  pauseStates: string[];
  /** Fraction of the target after which a clock is at risk. */
  atRisk: number;
}

export interface RuleConditions {
  /** Entities the rule is about; absent: every entity of the rule's kind. */
  appliesTo?: Condition;
  /** What a compliant entity satisfies (field, expr and, optionally, approval rules). */
  require?: Condition;
}

/** A rule as stored and evaluated. Durations are ms; gracePeriod is in ms too (seconds in files). */
export interface ComplianceRule {
  id: string;
  orgId: string;
  name: string;
  description: string | null;
  type: RuleType;
  severity: Severity;
  entity: EntityKind;
  gracePeriodMs: number;
  enabled: boolean;
  conditions: RuleConditions;
  sla?: SlaSpec;
  /** age rules: the longest an entity may stay in `appliesTo`. */
  maxAgeMs?: number;
  /** age rules: counted from creation or from the last change. */
  ageFrom?: 'created' | 'updated';
  /** age rules: the calendar in which age is counted; round the clock by default. */
  calendar?: CalendarRef;
  /** Also check resolved tasks (field, age, expr); by default only open work has to comply. */
  includeResolved: boolean;
  createdAt: number;
  updatedAt: number;
}

/** The fields of a rule file (JSON or YAML) before defaults. */
export type RuleDraft = Omit<ComplianceRule, 'id' | 'orgId' | 'createdAt' | 'updatedAt'>;

const duration = (what: string) =>
  z.union([z.number(), z.string()]).transform((v, ctx) => {
    if (typeof v === 'number' && v < 0) {
      ctx.addIssue({ code: 'custom', message: `${what} cannot be negative` });
      return z.NEVER;
    }
    const ms = parseDuration(v);
    if (ms === undefined) {
      ctx.addIssue({ code: 'custom', message: `expected a ${what} such as 600 (seconds), "15m", "4h" or "2d"` });
      return z.NEVER;
    }
    return ms;
  });

const positiveDuration = (what: string) =>
  duration(what).refine((ms) => ms > 0, `${what} must be longer than zero`);

const priorityTargets = z
  .record(z.string(), positiveDuration('target'))
  .superRefine((rec, ctx) => {
    for (const key of Object.keys(rec)) {
      if (!(PRIORITIES as readonly string[]).includes(key)) ctx.addIssue({ code: 'custom', path: [key], message: `unknown priority "${key}" (${PRIORITIES.join(', ')})` });
    }
    if (Object.keys(rec).length === 0) ctx.addIssue({ code: 'custom', message: 'give a target for at least one priority' });
  });

const slaSchema = z.strictObject({
  clock: z.enum(SLA_CLOCKS, { error: `expected ${SLA_CLOCKS.join(' or ')}` }),
  target: z.union([positiveDuration('target'), priorityTargets]),
  calendar: calendarRefSchema.default('team'),
  pauseStates: z.array(z.string().min(1)).default(DEFAULT_PAUSE_STATES),
  atRisk: z.number().gt(0).lt(1).default(0.8),
});

const baseShape = {
  name: z.string().trim().min(1, 'a rule needs a name').max(120).regex(/^[\w.:@/-]+$/, 'use letters, digits and - _ . : @ / in names'),
  description: z.string().max(2_000).nullish().transform((v) => v ?? null),
  type: z.enum(RULE_TYPES, { error: `unknown rule type (one of ${RULE_TYPES.join(', ')})` }),
  severity: z.enum(SEVERITIES, { error: `unknown severity (one of ${SEVERITIES.join(', ')})` }),
  entity: z.enum(['task', 'action'], { error: 'expected task or action' }).optional(),
  gracePeriod: duration('grace period').default(0),
  enabled: z.boolean().default(true),
  conditions: z.unknown().optional(),
  sla: z.unknown().optional(),
  maxAge: z.unknown().optional(),
  ageFrom: z.enum(['created', 'updated']).optional(),
  calendar: calendarRefSchema.optional(),
  includeResolved: z.boolean().default(false),
};

/** The rule file schema: a zod issue path names the bad field (`conditions.appliesTo.all[0].op`). */
export const ruleSchema = z.strictObject(baseShape).transform((raw, ctx): RuleDraft => {
  const entity: EntityKind = raw.entity ?? (raw.type === 'approval' ? 'action' : 'task');
  if (raw.type === 'approval' && entity !== 'action') ctx.addIssue({ code: 'custom', path: ['entity'], message: 'approval rules are about healing actions' });
  if (raw.type === 'sla' && entity !== 'task') ctx.addIssue({ code: 'custom', path: ['entity'], message: 'SLA rules are about tasks' });
  const fields = entity === 'action' ? ACTION_FIELDS : TASK_FIELDS;
  const cond = conditionSchema({ fields });
  const conditions: RuleConditions = {};
  const condShape = z.strictObject({ appliesTo: cond.optional(), require: cond.optional() });
  const parsedConditions = sub(condShape, raw.conditions ?? {}, ['conditions'], ctx);
  if (parsedConditions) {
    if (parsedConditions.appliesTo) conditions.appliesTo = parsedConditions.appliesTo;
    if (parsedConditions.require) conditions.require = parsedConditions.require;
    if ((raw.type === 'field' || raw.type === 'expr') && !parsedConditions.require) {
      ctx.addIssue({ code: 'custom', path: ['conditions', 'require'], message: `${raw.type} rules need conditions.require: what a compliant entity satisfies` });
    }
  }
  const draft: RuleDraft = {
    name: raw.name, description: raw.description, type: raw.type, severity: raw.severity, entity,
    gracePeriodMs: raw.gracePeriod, enabled: raw.enabled, conditions, includeResolved: raw.includeResolved,
  };
  if (raw.type === 'sla') {
    if (raw.sla === undefined) ctx.addIssue({ code: 'custom', path: ['sla'], message: 'SLA rules need sla: {clock, target, calendar}' });
    const sla = raw.sla === undefined ? undefined : sub(slaSchema, raw.sla, ['sla'], ctx);
    if (sla) {
      const targets: Partial<Record<string, number>> = typeof sla.target === 'number'
        ? Object.fromEntries(PRIORITIES.map((p) => [p, sla.target as number]))
        : (sla.target as Record<string, number>);
      draft.sla = { clock: sla.clock, targets, calendar: sla.calendar, pauseStates: sla.pauseStates, atRisk: sla.atRisk };
    }
  } else if (raw.sla !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['sla'], message: 'only SLA rules take sla' });
  }
  if (raw.type === 'age') {
    if (raw.maxAge === undefined) ctx.addIssue({ code: 'custom', path: ['maxAge'], message: 'age rules need maxAge, e.g. "4h"' });
    const maxAge = raw.maxAge === undefined ? undefined : sub(positiveDuration('maximum age'), raw.maxAge, ['maxAge'], ctx);
    if (maxAge !== undefined) draft.maxAgeMs = maxAge;
    draft.ageFrom = raw.ageFrom ?? 'created';
    if (raw.calendar !== undefined) draft.calendar = raw.calendar;
  } else {
    if (raw.maxAge !== undefined) ctx.addIssue({ code: 'custom', path: ['maxAge'], message: 'only age rules take maxAge' });
    if (raw.ageFrom !== undefined) ctx.addIssue({ code: 'custom', path: ['ageFrom'], message: 'only age rules take ageFrom' });
    if (raw.calendar !== undefined) ctx.addIssue({ code: 'custom', path: ['calendar'], message: 'only age rules take calendar (SLA rules: sla.calendar)' });
  }
  return draft;
});

/** Parses part of the input with its own schema, re-homing its issues under `path`. */
function sub<T>(schema: z.ZodType<T>, value: unknown, path: (string | number)[], ctx: z.RefinementCtx): T | undefined {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  for (const issue of r.error.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: [...path, ...issue.path] as (string | number)[] });
  return undefined;
}

/** `conditions.appliesTo.all[0].op` from a zod issue path. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out === '' ? String(p) : `.${String(p)}`;
  }
  return out;
}

/**
 * Validates a rule file's content (already parsed from JSON or YAML); throws a validation AppError
 * whose message starts with the path of the first bad field and whose details list them all.
 */
export function parseRule(input: unknown): RuleDraft {
  const r = ruleSchema.safeParse(input);
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message }));
  const first = issues[0]!;
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
  throw new AppError('validation', `${first.path || 'rule'}: ${first.message}${more}`, 'fix the rule file and try again', { issues });
}

/** The rule as a file would hold it (durations back in readable units), for `rules show` and exports. */
export function ruleToFile(rule: RuleDraft): Record<string, unknown> {
  const out: Record<string, unknown> = {
    name: rule.name, type: rule.type, severity: rule.severity, entity: rule.entity,
    gracePeriod: rule.gracePeriodMs / 1000, enabled: rule.enabled, conditions: rule.conditions,
  };
  if (rule.description) out.description = rule.description;
  if (rule.sla) {
    const targets = Object.fromEntries(Object.entries(rule.sla.targets).map(([p, ms]) => [p, `${(ms ?? 0) / 1000}s`]));
    out.sla = { clock: rule.sla.clock, target: targets, calendar: rule.sla.calendar, pauseStates: rule.sla.pauseStates, atRisk: rule.sla.atRisk };
  }
  if (rule.maxAgeMs !== undefined) out.maxAge = `${rule.maxAgeMs / 1000}s`;
  if (rule.ageFrom && rule.type === 'age') out.ageFrom = rule.ageFrom;
  if (rule.calendar !== undefined) out.calendar = rule.calendar;
  if (rule.includeResolved) out.includeResolved = true;
  return out;
}

/** A stored rule from a validated draft. */
export function ruleFromDraft(draft: RuleDraft, id: string, orgId: string, now: number): ComplianceRule {
  return { ...draft, id, orgId, createdAt: now, updatedAt: now };
}
