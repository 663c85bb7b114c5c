// Rows for the self-healing view: actions (those awaiting approval first) and open issues.
import type { ActionVM, IssueVM } from '../model.js';
import type { Column, Row, Tone } from './columns.js';
import { age } from './format.js';

export function severityTone(severity: string): Tone {
  switch (severity) {
    case 'critical':
    case 'high':
      return 'bad';
    case 'medium':
      return 'warn';
    default:
      return 'normal';
  }
}

export const actionColumns: readonly Column[] = [
  { title: 'ID', width: 20, drop: 3 },
  { title: 'PLAYBOOK', width: 20, grow: true },
  { title: 'STATUS', width: 17 },
  { title: 'STEP', width: 10, drop: 1 },
  { title: 'ISSUE', width: 20, drop: 2 },
  { title: 'AGE', width: 4, align: 'right' },
];

export function actionRow(a: ActionVM, now: number): Row {
  const tone: Tone =
    a.status === 'awaiting_approval' ? 'accent'
      : a.status === 'failed' || a.status === 'rolled_back' ? 'bad'
        : a.status === 'succeeded' || a.status === 'completed' ? 'ok'
          : a.status === 'rejected' ? 'dim' : 'normal';
  return { key: a.id, cells: [a.id, a.playbook, a.status, a.step ?? '', a.issueId ?? '', age(a.createdAt, now)], tone };
}

/** Awaiting approval first (they block a fix), then newest first. */
export function sortActions(actions: readonly ActionVM[]): ActionVM[] {
  return [...actions].sort(
    (a, b) =>
      Number(b.status === 'awaiting_approval') - Number(a.status === 'awaiting_approval') || b.createdAt - a.createdAt,
  );
}

export const issueColumns: readonly Column[] = [
  { title: 'ID', width: 20, drop: 1 },
  { title: 'SEV', width: 8 },
  { title: 'TITLE', width: 24, grow: true },
  { title: 'SOURCE', width: 12, drop: 2 },
  { title: 'STATUS', width: 10, drop: 3 },
  { title: 'AGE', width: 4, align: 'right' },
];

export function issueRow(i: IssueVM, now: number): Row {
  return {
    key: i.id,
    cells: [i.id, i.severity, i.title, i.source, i.status, age(i.detectedAt, now)],
    tone: severityTone(i.severity),
  };
}

const SEVERITY_RANK: Record<string, number> = { critical: 0, high: 1, medium: 2, low: 3 };

export function bySeverity<T extends { severity: string }>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => (SEVERITY_RANK[a.severity] ?? 9) - (SEVERITY_RANK[b.severity] ?? 9));
}
