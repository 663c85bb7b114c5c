// Rows for the routing view: incoming tasks and recent decisions.
import type { DecisionVM, TaskVM } from '../model.js';
import type { Column, Row, Tone } from './columns.js';
import { age, percent } from './format.js';

export const taskColumns: readonly Column[] = [
  { title: 'ID', width: 20, drop: 1 },
  { title: 'PRI', width: 3 },
  { title: 'TITLE', width: 30, grow: true },
  { title: 'STATUS', width: 11, drop: 3 },
  { title: 'TEAM', width: 10 },
  { title: 'ASSIGNEE', width: 12, drop: 2 },
  { title: 'AGE', width: 4, align: 'right' },
];

function priorityTone(priority: string): Tone {
  return priority === 'P1' ? 'bad' : priority === 'P2' ? 'warn' : 'normal';
}

export function taskRow(t: TaskVM, now: number): Row {
  const unassigned = t.assignee === null;
  return {
    key: t.id,
    cells: [t.id, t.priority, t.title, t.status, t.team ?? '—', t.assignee ?? 'unassigned', age(t.createdAt, now)],
    tone: unassigned && t.priority === 'P1' ? 'bad' : unassigned ? 'warn' : priorityTone(t.priority),
  };
}

/** Unassigned first, then by priority, then newest first: what someone on call looks at. */
export function sortTasks(tasks: readonly TaskVM[]): TaskVM[] {
  return [...tasks].sort(
    (a, b) =>
      Number(a.assignee !== null) - Number(b.assignee !== null) ||
      a.priority.localeCompare(b.priority) ||
      b.createdAt - a.createdAt,
  );
}

export const decisionColumns: readonly Column[] = [
  { title: 'TASK', width: 24, grow: true },
  { title: 'TEAM', width: 10 },
  { title: 'ASSIGNEE', width: 12 },
  { title: 'CONF', width: 4, align: 'right' },
  { title: 'AGE', width: 4, align: 'right', drop: 1 },
];

export function decisionRow(d: DecisionVM, now: number): Row {
  return {
    key: d.id,
    cells: [d.taskTitle || d.taskId, d.team ?? '—', d.assignee ?? 'unassigned', percent(d.confidence), age(d.at, now)],
    tone: d.confidence < 0.5 ? 'warn' : 'normal',
  };
}
