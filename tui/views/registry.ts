// The registry of views: each name maps to a title, the `:` commands that reach it, a digit key,
// and a pure function that turns dashboard data into the sections the view shows.
import type { DashboardData, Loadable } from '../model.js';
import { SEVERITIES, dataOf } from '../model.js';
import type { Column, Row } from '../render/columns.js';
import { rowMatches } from '../render/columns.js';
import { decisionColumns, decisionRow, sortTasks, taskColumns, taskRow } from '../render/tasks.js';
import { actionColumns, actionRow, bySeverity, issueColumns, issueRow, sortActions } from '../render/healing.js';
import { slaColumns, slaRow, violationColumns, violationRow } from '../render/compliance.js';
import { memberColumns, memberRow, worstFirst } from '../render/workload.js';
import { eventColumns, eventRow, metricColumns, metricRow } from '../render/events.js';

export type ViewName = 'overview' | 'tasks' | 'healing' | 'compliance' | 'workload' | 'metrics' | 'events' | 'chat';

export type SectionState = 'ready' | 'loading' | 'unavailable' | 'error';

export interface Section {
  readonly id: string;
  readonly title: string;
  readonly columns: readonly Column[];
  readonly rows: readonly Row[];
  /** Rows before the filter: the title shows "shown/total". */
  readonly total: number;
  readonly state: SectionState;
  readonly note?: string;
  /** The objects behind the rows, by row key, for the details screen. */
  readonly items: ReadonlyMap<string, object>;
  /** Row keys that `a` (approve) and `x` (reject) act on. */
  readonly approvable?: ReadonlySet<string>;
}

export interface ViewDef {
  readonly name: ViewName;
  readonly title: string;
  readonly commands: readonly string[];
  readonly key: string;
  readonly layout: 'browser' | 'overview' | 'chat';
  sections(data: DashboardData, now: number, filter: string): Section[];
}

function section<T extends object>(
  id: string,
  title: string,
  columns: readonly Column[],
  loadable: Loadable<readonly T[]>,
  toRow: (item: T) => Row,
  filter: string,
  keyOf: (item: T) => string,
): Section {
  if (loadable.status !== 'ready') {
    const note =
      loadable.status === 'unavailable' ? `not available (${loadable.reason})`
        : loadable.status === 'error' ? `error: ${loadable.message}` : 'loading…';
    return { id, title, columns, rows: [], total: 0, state: loadable.status, note, items: new Map() };
  }
  const all = loadable.data.map((item) => ({ item, row: toRow(item) }));
  const shown = all.filter((x) => rowMatches(x.row, filter));
  return {
    id,
    title,
    columns,
    rows: shown.map((x) => x.row),
    total: all.length,
    state: 'ready',
    items: new Map(shown.map((x) => [keyOf(x.item), x.item])),
  };
}

function mapLoadable<A, B>(l: Loadable<A>, f: (a: A) => B): Loadable<B> {
  return l.status === 'ready' ? { status: 'ready', data: f(l.data) } : l;
}

function tasksSections(d: DashboardData, now: number, filter: string): Section[] {
  const open = mapLoadable(d.panels.tasks, (ts) => sortTasks(ts.filter((t) => !/resolved|closed|done/.test(t.status))));
  return [
    section('tasks', 'Incoming and unassigned tasks', taskColumns, open, (t) => taskRow(t, now), filter, (t) => t.id),
    section('decisions', 'Recent routing decisions', decisionColumns, d.panels.decisions, (x) => decisionRow(x, now), filter, (x) => x.id),
  ];
}

function healingSections(d: DashboardData, now: number, filter: string): Section[] {
  const actions = section('actions', 'Actions (awaiting approval first)', actionColumns,
    mapLoadable(d.panels.actions, sortActions), (a) => actionRow(a, now), filter, (a) => a.id);
  const waiting = new Set((dataOf(d.panels.actions) ?? []).filter((a) => a.status === 'awaiting_approval').map((a) => a.id));
  const openIssues = mapLoadable(d.panels.issues, (is) => bySeverity(is.filter((i) => i.status !== 'resolved')));
  return [
    { ...actions, approvable: waiting },
    section('issues', 'Open issues', issueColumns, openIssues, (i) => issueRow(i, now), filter, (i) => i.id),
  ];
}

function complianceSections(d: DashboardData, now: number, filter: string): Section[] {
  const c = d.panels.compliance;
  const open = mapLoadable(c, (x) => bySeverity(x.violations.filter((v) => v.status === 'open' || v.status === 'acknowledged')));
  const score = dataOf(c);
  const counts = score ? SEVERITIES.map((s) => `${s} ${score.bySeverity[s]}`).join(' · ') : '';
  const title = score ? `Open violations — score ${score.score === null ? '-' : Math.round(score.score)} — ${counts}` : 'Open violations';
  return [
    section('violations', title, violationColumns, open, (v) => violationRow(v, now), filter, (v) => v.id),
    section('slas', 'SLAs at risk', slaColumns, mapLoadable(c, (x) => x.slasAtRisk), (s) => slaRow(s, now), filter, (s) => s.id),
  ];
}

function workloadSections(d: DashboardData, _now: number, filter: string): Section[] {
  return [section('members', 'Members by burnout risk (worst first)', memberColumns,
    mapLoadable(d.panels.workload, worstFirst), memberRow, filter, (m) => m.id)];
}

function metricsSections(d: DashboardData, _now: number, filter: string): Section[] {
  return [section('series', 'Key series', metricColumns, d.panels.metrics, metricRow, filter, (m) => m.name)];
}

function eventsSections(d: DashboardData, _now: number, filter: string): Section[] {
  const newestFirst = [...d.events].reverse();
  return [section('events', `Live events (${d.connection})`, eventColumns, { status: 'ready', data: newestFirst }, eventRow, filter, (e) => e.id)];
}

function overviewSections(d: DashboardData, now: number, filter: string): Section[] {
  const [tasks] = tasksSections(d, now, filter);
  const [actions, issues] = healingSections(d, now, filter);
  const [violations] = complianceSections(d, now, filter);
  const [members] = workloadSections(d, now, filter);
  const [series] = metricsSections(d, now, filter);
  const [events] = eventsSections(d, now, filter);
  return [tasks!, actions!, issues!, violations!, members!, series!, events!];
}

export const VIEWS: readonly ViewDef[] = [
  { name: 'overview', title: 'Overview', commands: ['overview', 'home', 'dash', 'dashboard'], key: '1', layout: 'overview', sections: overviewSections },
  { name: 'tasks', title: 'Routing', commands: ['tasks', 'routing', 'route', 'decisions'], key: '2', layout: 'browser', sections: tasksSections },
  { name: 'healing', title: 'Self-healing', commands: ['healing', 'issues', 'actions', 'heal'], key: '3', layout: 'browser', sections: healingSections },
  { name: 'compliance', title: 'Compliance', commands: ['compliance', 'violations', 'sla', 'slas'], key: '4', layout: 'browser', sections: complianceSections },
  { name: 'workload', title: 'Workload', commands: ['workload', 'members', 'burnout'], key: '5', layout: 'browser', sections: workloadSections },
  { name: 'metrics', title: 'Metrics', commands: ['metrics', 'series'], key: '6', layout: 'browser', sections: metricsSections },
  { name: 'events', title: 'Events', commands: ['events', 'stream', 'ev'], key: '7', layout: 'browser', sections: eventsSections },
  { name: 'chat', title: 'Chat', commands: ['chat', 'ask', 'assistant'], key: '8', layout: 'chat', sections: () => [] },
];

export function viewDef(name: ViewName): ViewDef {
  return VIEWS.find((v) => v.name === name) ?? VIEWS[0]!;
}

/** Resolves a `:` command to a view: exact name or alias first, then a unique prefix. */
export function findView(command: string): ViewDef | undefined {
  const c = command.trim().toLowerCase();
  if (!c) return undefined;
  const exact = VIEWS.find((v) => v.commands.includes(c));
  if (exact) return exact;
  const byPrefix = VIEWS.filter((v) => v.commands.some((n) => n.startsWith(c)));
  return byPrefix.length === 1 ? byPrefix[0] : undefined;
}

export function completeCommand(prefix: string): string | undefined {
  const c = prefix.trim().toLowerCase();
  const all = [...VIEWS.flatMap((v) => v.commands), 'help', 'quit'];
  return all.find((n) => n.startsWith(c));
}
