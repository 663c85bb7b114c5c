// Rows for the compliance view: open violations (worst first) and SLAs at risk.
import type { SlaRiskVM, ViolationVM } from '../model.js';
import type { Column, Row, Tone } from './columns.js';
import { age, until } from './format.js';
import { severityTone } from './healing.js';

export const violationColumns: readonly Column[] = [
  { title: 'ID', width: 20, drop: 1 },
  { title: 'SEV', width: 8 },
  { title: 'RULE', width: 20, grow: true },
  { title: 'ENTITY', width: 20, drop: 2 },
  { title: 'STATUS', width: 12 },
  { title: 'AGE', width: 4, align: 'right' },
];

export function violationRow(v: ViolationVM, now: number): Row {
  return {
    key: v.id,
    cells: [v.id, v.severity, v.rule, v.entity, v.status, age(v.detectedAt, now)],
    tone: v.status === 'acknowledged' ? 'dim' : severityTone(v.severity),
  };
}

export const slaColumns: readonly Column[] = [
  { title: 'SUBJECT', width: 24, grow: true },
  { title: 'CLOCK', width: 24, drop: 1 },
  { title: 'DUE', width: 10, align: 'right' },
];

export function slaRow(s: SlaRiskVM, now: number): Row {
  return { key: s.id, cells: [s.subject, s.clock, until(s.dueAt, now)], tone: s.breached || s.dueAt < now ? 'bad' : 'warn' };
}

export function scoreTone(score: number | null): Tone {
  if (score === null) return 'dim';
  return score >= 90 ? 'ok' : score >= 75 ? 'warn' : 'bad';
}
