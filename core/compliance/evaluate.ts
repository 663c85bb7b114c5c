/**
 * Evaluating one rule against one entity: ok, pending (in breach but inside the grace period) or
 * breach. Pure: the caller gives the time, the calendars and when a known breach began.
 */
import { compileCondition, describeCondition, type CompiledCondition, type Condition } from '../conditions/index.js';
import { ALWAYS, type CalendarRef, type CalendarSpec } from '../calendar/calendar.js';
import { businessCalendar } from '../calendar/business-time.js';
import { isClosed, type Entity, type TaskEntity } from './entities.js';
import { clockStop, slaClock, type ClockState } from './sla.js';
import type { ComplianceRule } from './rule.js';
import { formatDuration } from './duration.js';

export type FindingState = 'ok' | 'pending' | 'breach';

export interface Finding {
  state: FindingState;
  /** False when the rule does not concern the entity at all (other kind, outside appliesTo). */
  applies: boolean;
  /** When the entity started to fail the rule; null when it does not. */
  since: number | null;
  /** When a pending breach becomes a violation. */
  graceEndsAt: number | null;
  /** Why, in a sentence; empty when ok. */
  message: string;
  clock?: ClockState;
}

export interface CompiledRule {
  rule: ComplianceRule;
  appliesTo: CompiledCondition | null;
  require: CompiledCondition | null;
  /** Task priorities the rule can apply to at all (from appliesTo and SLA targets); null: any. */
  priorities: ReadonlySet<string> | null;
}

/** Finds the calendar a rule names for an entity (`team` → the owning team's calendar). */
export type CalendarResolver = (ref: CalendarRef, entity: Entity) => CalendarSpec;

export interface EvalContext {
  now: number;
  calendars?: CalendarResolver;
  /** When the open or pending violation of this rule and entity began, if there is one. */
  since?: number | null;
  /**
   * Whether to compute SLA clocks that already stopped (default true). Their finding is always ok,
   * so sweeps skip them; reports and replays want them for attainment and past breaches.
   */
  stoppedClocks?: boolean;
}

export function compileRule(rule: ComplianceRule): CompiledRule {
  let priorities = rule.conditions.appliesTo ? requiredValues(rule.conditions.appliesTo, 'priority') : null;
  if (rule.sla) {
    const targeted = new Set(Object.keys(rule.sla.targets));
    priorities = priorities ? new Set([...priorities].filter((p) => targeted.has(p))) : targeted;
  }
  return {
    rule,
    appliesTo: rule.conditions.appliesTo ? compileCondition(rule.conditions.appliesTo) : null,
    require: rule.conditions.require ? compileCondition(rule.conditions.require) : null,
    priorities: rule.entity === 'task' ? priorities : null,
  };
}

/**
 * The values a field must have for the condition to hold, when the condition says so plainly (a
 * leaf `eq`/`in` of strings, possibly inside `all`); null when it does not. Sweeps use it to skip
 * rules about other priorities without evaluating their conditions.
 */
function requiredValues(c: Condition, field: string): Set<string> | null {
  if ('all' in c) {
    const sets = c.all.map((child) => requiredValues(child, field)).filter((v): v is Set<string> => v !== null);
    if (sets.length === 0) return null;
    return new Set([...sets[0]!].filter((x) => sets.every((set) => set.has(x))));
  }
  if (!('field' in c) || c.field !== field) return null;
  if (c.op === 'eq' && typeof c.value === 'string') return new Set([c.value]);
  if (c.op === 'in' && Array.isArray(c.value) && c.value.every((x) => typeof x === 'string')) return new Set(c.value as string[]);
  return null;
}

/** The default resolver: `24x7` and inline calendars; anything else counts round the clock. */
export const basicCalendars: CalendarResolver = (ref) => (typeof ref === 'string' ? ALWAYS : ref);

const OK: Finding = Object.freeze({ state: 'ok', applies: true, since: null, graceEndsAt: null, message: '' }) as Finding;
const NOT_APPLICABLE: Finding = Object.freeze({ ...OK, applies: false }) as Finding;

export function evaluateRule(c: CompiledRule, entity: Entity, ctx: EvalContext): Finding {
  const { rule } = c;
  if (entity.kind !== rule.entity) return NOT_APPLICABLE;
  if (c.priorities && entity.kind === 'task' && !c.priorities.has(entity.priority)) return NOT_APPLICABLE;
  if (rule.type !== 'sla' && rule.type !== 'approval' && !rule.includeResolved && isClosed(entity)) return NOT_APPLICABLE;
  if (c.appliesTo && !c.appliesTo(entity)) return NOT_APPLICABLE;
  const calendars = ctx.calendars ?? basicCalendars;
  switch (rule.type) {
    case 'field':
    case 'expr': {
      if (!c.require || c.require(entity)) return OK;
      const since = ctx.since ?? entity.updatedAt;
      return failing(rule, since, ctx.now, `must satisfy: ${describeCondition(c.require.condition)}`);
    }
    case 'age': {
      const ref = rule.ageFrom === 'updated' ? entity.updatedAt : entity.createdAt;
      const maxAge = rule.maxAgeMs ?? 0;
      const cal = businessCalendar(rule.calendar === undefined ? ALWAYS : calendars(rule.calendar, entity));
      if (cal.between(ref, ctx.now) <= maxAge) return OK;
      const since = cal.advance(ref, maxAge) ?? ctx.now;
      const what = rule.ageFrom === 'updated' ? 'untouched' : 'open';
      return failing(rule, since, ctx.now, `${what} for more than ${formatDuration(maxAge)}`);
    }
    case 'approval': {
      if (entity.kind !== 'action' || entity.executedAt === null || entity.dryRun) return OK;
      const approved = entity.approvedBy !== null;
      const requireOk = !c.require || c.require(entity);
      if (approved && requireOk) return OK;
      const why = approved ? `must satisfy: ${describeCondition(c.require!.condition)}` : 'ran without approval';
      return failing(rule, entity.executedAt, ctx.now, why);
    }
    case 'sla': {
      const sla = rule.sla;
      if (!sla || entity.kind !== 'task') return NOT_APPLICABLE;
      const target = sla.targets[entity.priority];
      if (target === undefined) return NOT_APPLICABLE;
      if (ctx.stoppedClocks === false && clockStop(entity as TaskEntity, sla.clock) !== null) return OK;
      const clock = slaClock(entity as TaskEntity, {
        clock: sla.clock, targetMs: target, calendar: calendars(sla.calendar, entity),
        pauseStates: sla.pauseStates, atRisk: sla.atRisk,
      }, ctx.now);
      // A late acknowledgement or resolution ends the breach: the clock stopped, the breach is history.
      if (clock.breachedAt === null || clock.stoppedAt !== null) return { ...OK, clock };
      const verb = sla.clock === 'ack' ? 'acknowledged' : 'resolved';
      return { ...failing(rule, clock.breachedAt, ctx.now, `not ${verb} within ${formatDuration(target)} (${calendarName(sla.calendar)})`), clock };
    }
  }
}

function failing(rule: ComplianceRule, since: number, now: number, message: string): Finding {
  const graceEndsAt = since + rule.gracePeriodMs;
  return { state: now >= graceEndsAt ? 'breach' : 'pending', applies: true, since, graceEndsAt, message };
}

function calendarName(ref: CalendarRef): string {
  return typeof ref === 'string' ? (ref === 'team' ? 'team hours' : ref) : ref.name;
}
