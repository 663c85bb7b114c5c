/**
 * Capacity forecast per team: inbound tasks a day, N days ahead, against what the team's members can
 * handle on those days. The model's error is measured on the most recent days, held out from fitting,
 * and a history too short to say anything honest yields no numbers at all.
 */
import { fitModel, mape, selectModel, seasonalNaive, type ModelKind } from './holt-winters.js';
import { dayKey, parseDayKey, weekdayOf } from '../calendar/zone.js';
import type { MemberProfile } from './profile.js';

export const SEASON = 7;
/** Two weeks to seed and fit the weekly pattern, one to measure the error on. */
export const MIN_HISTORY_DAYS = 21;
export const DEFAULT_HOURS_PER_TASK = 2;

export interface ForecastDay {
  day: string;
  forecast: number;
  low: number;
  high: number;
  /** Tasks the team can handle that day (members working that weekday × hours ÷ hours per task). */
  capacity: number;
  /** Forecast work not handled by the end of the day, carried from day to day (weekend inbound waits for Monday). */
  backlog: number;
  /** The backlog left at the end of a working day: work the team cannot absorb. 0 on days off. */
  shortfall: number;
}

export interface TeamForecast {
  teamId: string;
  status: 'ok' | 'insufficient_history';
  message: string;
  historyDays: number;
  needDays: number;
  horizonDays: number;
  /** Held-out error of the model, and of "same weekday last week", both in %. */
  mape: number | null;
  baselineMape: number | null;
  holdoutDays: number;
  hoursPerTask: number;
  hoursPerTaskSource: 'history' | 'default';
  /** The model chosen for this team (by its error on the last training week, never on the held-out days). */
  model: ModelKind | null;
  params: { alpha: number; beta: number; gamma: number; phi: number } | null;
  days: ForecastDay[];
  /** Working days in the horizon that end with a backlog. */
  shortDays: number;
  /** Backlog at the end of the horizon. */
  totalShortfall: number;
}

export interface ForecastInput {
  teamId: string;
  /** Inbound task counts, one per day, oldest first, the last being `lastDay`. */
  counts: readonly number[];
  lastDay: string;
  horizonDays: number;
  members: readonly MemberProfile[];
  /** Hours worked per resolved task in this team's history; default when unknown. */
  hoursPerTask?: number | null;
}

const r1 = (x: number): number => Math.round(x * 10) / 10;

/** Tasks a team can take on day d (day number) given its members' working days and hours. */
export function teamCapacity(members: readonly MemberProfile[], d: number, hoursPerTask: number): number {
  const weekday = weekdayOf(d);
  let hours = 0;
  for (const m of members) if (m.workingHours.days.includes(weekday)) hours += m.dailyCapacityHours;
  return hours / hoursPerTask;
}

/** Splits a daily count series from task creation times, by team, over [fromDay, toDay]. */
export function dailyCounts(times: readonly number[], dayOf: (t: number) => number, fromDay: number, toDay: number): number[] {
  const counts = new Array<number>(Math.max(0, toDay - fromDay + 1)).fill(0);
  for (const t of times) {
    const d = dayOf(t) - fromDay;
    if (d >= 0 && d < counts.length) counts[d]! += 1;
  }
  return counts;
}

export function forecastTeam(input: ForecastInput): TeamForecast {
  const n = input.counts.length;
  const horizon = Math.max(1, Math.min(90, Math.floor(input.horizonDays)));
  const hoursPerTaskSource = input.hoursPerTask && input.hoursPerTask > 0 ? 'history' : 'default';
  const hoursPerTask = hoursPerTaskSource === 'history' ? input.hoursPerTask! : DEFAULT_HOURS_PER_TASK;
  const base = {
    teamId: input.teamId,
    historyDays: n,
    needDays: MIN_HISTORY_DAYS,
    horizonDays: horizon,
    hoursPerTask: r1(hoursPerTask),
    hoursPerTaskSource,
  } as const;
  const nonZero = input.counts.some((c) => c > 0);
  if (n < MIN_HISTORY_DAYS || !nonZero) {
    return {
      ...base,
      status: 'insufficient_history',
      message: nonZero
        ? `too little history: ${n} days of inbound tasks, need at least ${MIN_HISTORY_DAYS}`
        : `too little history: no inbound tasks recorded for this team`,
      mape: null,
      baselineMape: null,
      holdoutDays: 0,
      model: null,
      params: null,
      days: [],
      shortDays: 0,
      totalShortfall: 0,
    };
  }

  // Hold out the last week or two (never leaving fewer than two seasons to fit on).
  const holdout = Math.max(SEASON, Math.min(2 * SEASON, n - 2 * SEASON));
  const train = input.counts.slice(0, n - holdout);
  const test = input.counts.slice(n - holdout);
  // Choose the model on the training days only (validated on their own last week, when there are
  // three weeks), so the error on the held-out days is an honest out-of-sample figure.
  const kind = train.length >= 3 * SEASON ? selectModel(train, SEASON) : 'holt-winters-additive';
  const modelMape = mape(test, fitModel(train, SEASON, kind).forecast(holdout));
  const baselineMape = mape(test, seasonalNaive(train, SEASON).forecast(holdout));

  const fit = fitModel(input.counts, SEASON, kind);
  const values = fit.forecast(horizon);
  const last = parseDayKey(input.lastDay) ?? 0;
  let backlog = 0;
  const days: ForecastDay[] = values.map((v, i) => {
    const d = last + i + 1;
    const spread = 1.96 * fit.sigma * Math.sqrt(i + 1);
    const capacity = teamCapacity(input.members, d, hoursPerTask);
    backlog = Math.max(0, backlog + v - capacity);
    return {
      day: dayKey(d),
      forecast: r1(v),
      low: r1(Math.max(0, v - spread)),
      high: r1(v + spread),
      capacity: r1(capacity),
      backlog: r1(backlog),
      shortfall: capacity > 0 ? r1(backlog) : 0,
    };
  });
  const short = days.filter((d) => d.shortfall > 0);
  return {
    ...base,
    status: 'ok',
    message: short.length > 0
      ? `short of capacity on ${short.length} of ${horizon} days (backlog of ${r1(backlog)} tasks by ${days[days.length - 1]!.day})`
      : `within capacity for the next ${horizon} days`,
    mape: modelMape === null ? null : r1(modelMape),
    baselineMape: baselineMape === null ? null : r1(baselineMape),
    holdoutDays: holdout,
    model: kind,
    params: fit.params,
    days,
    shortDays: short.length,
    totalShortfall: r1(backlog),
  };
}
