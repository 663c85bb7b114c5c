/**
 * SLA clocks: time to acknowledge and time to resolve a task, counted in business time of a
 * calendar and stopped while the task sits in a pause state.
 */
import { activeIntervals, businessCalendar, type Interval } from '../calendar/business-time.js';
import type { CalendarSpec } from '../calendar/calendar.js';
import type { TaskEntity } from './entities.js';
import type { ComplianceRule, SlaClockKind } from './rule.js';

export type ClockStatus = 'running' | 'at_risk' | 'breached' | 'met';

export interface ClockState {
  clock: SlaClockKind;
  targetMs: number;
  /** Business time counted so far (until the clock stopped, else until now). */
  elapsedMs: number;
  startedAt: number;
  stoppedAt: number | null;
  /** True while the task is in a pause state. */
  paused: boolean;
  status: ClockStatus;
  /** When elapsed time reached the target; null when it has not (yet). */
  breachedAt: number | null;
  /** When a running clock will reach its target if nothing pauses it; null when paused, stopped or breached. */
  dueAt: number | null;
  /** elapsed / target, 0 … (above 1 when breached). */
  ratio: number;
}

export interface ClockInput {
  clock: SlaClockKind;
  targetMs: number;
  calendar: CalendarSpec;
  pauseStates: readonly string[];
  /** Fraction of the target at which the clock is at risk (0.8). */
  atRisk: number;
}

/** The instant a clock stops: acknowledgement (or resolution without one) for ack, resolution for resolve. */
export function clockStop(task: TaskEntity, clock: SlaClockKind): number | null {
  if (clock === 'ack') return task.acknowledgedAt ?? task.resolvedAt ?? null;
  return task.resolvedAt ?? null;
}

/**
 * Spans in which the task sat in a pause state. With a status history they come from it; without
 * one, a task that is in a pause state now is taken to have been so since its last change.
 */
export function pauseIntervals(task: TaskEntity, pauseStates: readonly string[]): Interval[] {
  const out: Interval[] = [];
  if (task.history && task.history.length > 0) {
    let openedAt: number | null = null;
    for (const change of task.history) {
      const pausing = pauseStates.includes(change.status);
      if (pausing && openedAt === null) openedAt = change.at;
      else if (!pausing && openedAt !== null) {
        out.push([openedAt, change.at]);
        openedAt = null;
      }
    }
    if (openedAt !== null) out.push([openedAt, Infinity]);
  } else if (pauseStates.includes(task.status)) {
    out.push([task.updatedAt, Infinity]);
  }
  if (task.pauses) out.push(...task.pauses);
  return out;
}

/** The state of one SLA clock of a task at `now`. */
export function slaClock(task: TaskEntity, input: ClockInput, now: number): ClockState {
  const cal = businessCalendar(input.calendar);
  const start = task.createdAt;
  const stop = clockStop(task, input.clock);
  const pauses = pauseIntervals(task, input.pauseStates);
  // The whole run: to the stop, or open-ended so that the deadline can be projected.
  const run = activeIntervals(start, stop ?? Infinity, pauses);
  const until = stop ?? now;
  const sofar: Interval[] = [];
  for (const [f, t] of run) {
    if (f >= until) break;
    sofar.push([f, Math.min(t, until)]);
  }
  const elapsedMs = cal.within(sofar);
  const reached = cal.reach(run, input.targetMs) ?? null;
  const breachedAt = reached !== null && reached <= until && elapsedMs >= input.targetMs ? reached : null;
  const paused = stop === null && pauses.some(([f, t]) => f <= now && now < t);
  const ratio = input.targetMs > 0 ? elapsedMs / input.targetMs : 0;
  let status: ClockStatus;
  if (breachedAt !== null) status = 'breached';
  else if (stop !== null) status = 'met';
  else if (ratio >= input.atRisk) status = 'at_risk';
  else status = 'running';
  const dueAt = stop === null && breachedAt === null && !paused ? reached : null;
  return { clock: input.clock, targetMs: input.targetMs, elapsedMs, startedAt: start, stoppedAt: stop, paused, status, breachedAt, dueAt, ratio };
}

/** A clock as the API, events and the CLI show it: ISO times, minutes for people. */
export function clockToJson(taskId: string, rule: Pick<ComplianceRule, 'id' | 'name' | 'severity'>, c: ClockState): Record<string, unknown> {
  const iso = (t: number | null): string | null => (t === null ? null : new Date(t).toISOString());
  return {
    taskId, ruleId: rule.id, rule: rule.name, severity: rule.severity, clock: c.clock, status: c.status, paused: c.paused,
    elapsedMs: c.elapsedMs, targetMs: c.targetMs, percent: Math.round(c.ratio * 1000) / 10,
    startedAt: iso(c.startedAt), stoppedAt: iso(c.stoppedAt), breachedAt: iso(c.breachedAt), dueAt: iso(c.dueAt),
  };
}
