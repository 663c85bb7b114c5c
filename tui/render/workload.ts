// Rows for the workload view: members with a load bar and burnout risk, worst first.
import type { MemberLoadVM } from '../model.js';
import type { Column, Row, Tone } from './columns.js';
import { bar, percent } from './format.js';

export const memberColumns: readonly Column[] = [
  { title: 'MEMBER', width: 16 },
  { title: 'TEAM', width: 10, drop: 2 },
  { title: 'TASKS', width: 5, align: 'right', drop: 1 },
  { title: 'LOAD', width: 20, grow: true },
  { title: 'UTIL', width: 4, align: 'right' },
  { title: 'BURNOUT', width: 12 },
  { title: 'MAINLY', width: 14, drop: 0 },
];

export function riskTone(m: MemberLoadVM): Tone {
  return m.burnoutRisk >= 0.7 ? 'bad' : m.burnoutRisk >= 0.4 ? 'warn' : 'ok';
}

export function memberRow(m: MemberLoadVM): Row {
  return {
    key: m.id,
    cells: [
      m.name,
      m.team ?? '—',
      String(m.activeTasks),
      (w) => bar(m.utilization, w),
      percent(m.utilization),
      `${m.riskLevel} ${percent(m.burnoutRisk)}`,
      m.topFactor ?? '',
    ],
    tone: riskTone(m),
  };
}

export function worstFirst(members: readonly MemberLoadVM[]): MemberLoadVM[] {
  return [...members].sort((a, b) => b.burnoutRisk - a.burnoutRisk || b.utilization - a.utilization);
}
