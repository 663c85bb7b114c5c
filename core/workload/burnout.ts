/**
 * Burnout risk: a 0-100 score that is the sum of six weighted factors, each a measured value mapped
 * linearly onto 0..1 between a "no concern" and a "full concern" point. The formula, its weights and
 * why they are what they are live in docs/workload.md; every factor's contribution is returned so a
 * person can see why a score is what it is.
 */
import type { WorkloadSnapshot } from './snapshots.js';

export const WINDOW_DAYS = 14;

export type FactorKey =
  | 'afterHours' | 'utilization' | 'interruptions' | 'onCallStreak' | 'afterHoursStreak' | 'concurrentLoad';

interface FactorSpec {
  key: FactorKey;
  label: string;
  weight: number;
  /** Value at which the factor starts to count, and at which it counts fully. */
  zero: number;
  full: number;
  unit: string;
}

export const FACTORS: readonly FactorSpec[] = [
  { key: 'afterHours', label: 'hours worked outside working hours', weight: 25, zero: 0, full: 2, unit: 'h/day' },
  { key: 'utilization', label: 'utilization of working hours', weight: 20, zero: 0.8, full: 1.3, unit: 'ratio' },
  { key: 'interruptions', label: 'pages, P1s and out-of-hours approvals', weight: 20, zero: 1, full: 10, unit: '/week' },
  { key: 'onCallStreak', label: 'consecutive days on call', weight: 15, zero: 3, full: 14, unit: 'days' },
  { key: 'afterHoursStreak', label: 'consecutive days with after-hours work', weight: 10, zero: 1, full: 7, unit: 'days' },
  { key: 'concurrentLoad', label: 'tasks held vs. max concurrent', weight: 10, zero: 0.8, full: 1.5, unit: 'ratio' },
];

export interface FactorContribution {
  key: FactorKey;
  label: string;
  value: number;
  unit: string;
  /** Where value sits between the factor's zero and full points, 0..1. */
  normalized: number;
  weight: number;
  /** normalized × weight: this factor's share of the score. */
  points: number;
  explanation: string;
}

export interface BurnoutScore {
  memberId: string;
  day: string;
  score: number;
  windowDays: number;
  factors: FactorContribution[];
}

const clamp01 = (x: number): number => (x <= 0 ? 0 : x >= 1 ? 1 : x);
const r2 = (x: number): number => Math.round(x * 100) / 100;

function fmt(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(2).replace(/0$/, '');
}

/** The measured values over a window of snapshots, oldest first, the last being the scored day. */
export function factorValues(window: readonly WorkloadSnapshot[]): Record<FactorKey, number> {
  const days = window.length;
  let outside = 0;
  let interruptions = 0;
  let util = 0;
  let utilDays = 0;
  for (const s of window) {
    outside += s.hoursOutside;
    interruptions += s.interruptions;
    if (s.utilization !== null) {
      util += s.utilization;
      utilDays++;
    }
  }
  const last = window[days - 1];
  return {
    afterHours: days ? outside / days : 0,
    utilization: utilDays ? util / utilDays : 0,
    // A short history is spread over at least a week, so two pages on a member's first day are not "14 a week".
    interruptions: (interruptions * 7) / Math.max(days, 7),
    onCallStreak: last?.consecutiveOnCallDays ?? 0,
    afterHoursStreak: last?.consecutiveAfterHoursDays ?? 0,
    concurrentLoad: last && last.maxConcurrent > 0 ? last.activeTasks / last.maxConcurrent : 0,
  };
}

/**
 * Score for the last snapshot of `window` (oldest first), with every factor's contribution. Lists of
 * hundreds of members can skip the sentences (`explain: false`).
 */
export function burnoutScore(window: readonly WorkloadSnapshot[], options: { explain?: boolean } = {}): BurnoutScore {
  const explain = options.explain ?? true;
  const values = factorValues(window);
  const factors: FactorContribution[] = FACTORS.map((f) => {
    const value = values[f.key];
    const normalized = clamp01((value - f.zero) / (f.full - f.zero));
    const points = normalized * f.weight;
    return {
      key: f.key,
      label: f.label,
      value: r2(value),
      unit: f.unit,
      normalized: r2(normalized),
      weight: f.weight,
      points: r2(points),
      explanation: explain
        ? `${fmt(r2(value))} ${f.unit} ${f.label} (counts from ${fmt(f.zero)}, fully at ${fmt(f.full)}): ${fmt(r2(points))} of ${f.weight}`
        : '',
    };
  });
  const total = factors.reduce((sum, f) => sum + f.normalized * f.weight, 0);
  const last = window[window.length - 1];
  return {
    memberId: last?.memberId ?? '',
    day: last?.day ?? '',
    score: Math.round(total),
    windowDays: window.length,
    factors,
  };
}

/** Scores for each of a member's days (snapshots oldest first), each over the trailing window. */
export function scoreSeries(snapshots: readonly WorkloadSnapshot[], windowDays = WINDOW_DAYS): BurnoutScore[] {
  const out: BurnoutScore[] = [];
  for (let i = 0; i < snapshots.length; i++) {
    out.push(burnoutScore(snapshots.slice(Math.max(0, i - windowDays + 1), i + 1)));
  }
  return out;
}

export interface Trend {
  direction: 'rising' | 'falling' | 'steady';
  /** Least-squares slope, score points per day. */
  slopePerDay: number;
  points: Array<{ day: string; score: number }>;
}

/** Direction of the scores: a change under half a point a day is steady. */
export function trendOf(series: readonly BurnoutScore[]): Trend {
  const n = series.length;
  const points = series.map((s) => ({ day: s.day, score: s.score }));
  if (n < 2) return { direction: 'steady', slopePerDay: 0, points };
  const meanX = (n - 1) / 2;
  const meanY = series.reduce((a, s) => a + s.score, 0) / n;
  let num = 0;
  let den = 0;
  series.forEach((s, i) => {
    num += (i - meanX) * (s.score - meanY);
    den += (i - meanX) ** 2;
  });
  const slope = num / den;
  return { direction: slope >= 0.5 ? 'rising' : slope <= -0.5 ? 'falling' : 'steady', slopePerDay: r2(slope), points };
}
