// View models: the shapes the dashboard renders. The daemon's JSON is mapped into these
// (tui/adapters), so components never depend on an engine's wire format. Times are epoch ms.

export type Priority = 'P1' | 'P2' | 'P3' | 'P4';
export type Severity = 'critical' | 'high' | 'medium' | 'low';
export const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low'];

export type ConnectionState = 'connecting' | 'live' | 'reconnecting' | 'offline';

export interface HeaderVM {
  readonly org: string;
  readonly url: string;
  readonly user: string;
  readonly role: string;
}

export interface TaskVM {
  readonly id: string;
  readonly title: string;
  readonly priority: string;
  readonly status: string;
  readonly team: string | null;
  readonly assignee: string | null;
  readonly createdAt: number;
}

export interface DecisionVM {
  readonly id: string;
  readonly taskId: string;
  readonly taskTitle: string;
  readonly team: string | null;
  readonly assignee: string | null;
  readonly confidence: number;
  readonly at: number;
}

export interface IssueVM {
  readonly id: string;
  readonly title: string;
  readonly severity: string;
  readonly status: string;
  readonly source: string;
  readonly detectedAt: number;
}

export interface ActionVM {
  readonly id: string;
  readonly playbook: string;
  readonly issueId: string | null;
  readonly status: string;
  readonly step: string | null;
  readonly createdAt: number;
}

export interface ViolationVM {
  readonly id: string;
  readonly rule: string;
  readonly severity: string;
  readonly entity: string;
  readonly status: string;
  readonly detectedAt: number;
}

export interface SlaRiskVM {
  readonly id: string;
  readonly subject: string;
  readonly clock: string;
  readonly dueAt: number;
  readonly breached: boolean;
}

export interface ComplianceVM {
  /** 0..100, or null when the daemon has not computed one yet. */
  readonly score: number | null;
  readonly bySeverity: Readonly<Record<Severity, number>>;
  readonly violations: readonly ViolationVM[];
  readonly slasAtRisk: readonly SlaRiskVM[];
}

export interface MemberLoadVM {
  readonly id: string;
  readonly name: string;
  readonly team: string | null;
  readonly activeTasks: number;
  /** Share of capacity in use; may exceed 1 when overloaded. */
  readonly utilization: number;
  /** 0..1 */
  readonly burnoutRisk: number;
  readonly riskLevel: string;
  /** What weighs most in the risk (after-hours work, pages, load …), when the daemon says. */
  readonly topFactor: string | null;
}

export interface MetricSeriesVM {
  readonly name: string;
  readonly points: readonly number[];
  readonly last: number | null;
}

export interface EventVM {
  readonly id: string;
  readonly type: string;
  readonly at: number;
  readonly actor: string;
  readonly subject: string;
  readonly summary: string;
}

export interface ChatMessageVM {
  readonly role: 'user' | 'assistant' | 'system';
  readonly text: string;
}

/** What the dashboard knows about each panel's data. */
export type Loadable<T> =
  | { readonly status: 'loading' }
  | { readonly status: 'ready'; readonly data: T }
  | { readonly status: 'unavailable'; readonly reason: string }
  | { readonly status: 'error'; readonly message: string };

export interface PanelData {
  readonly tasks: readonly TaskVM[];
  readonly decisions: readonly DecisionVM[];
  readonly issues: readonly IssueVM[];
  readonly actions: readonly ActionVM[];
  readonly compliance: ComplianceVM;
  readonly workload: readonly MemberLoadVM[];
  readonly metrics: readonly MetricSeriesVM[];
}
export type PanelKey = keyof PanelData;
export const PANEL_KEYS: readonly PanelKey[] = [
  'tasks', 'decisions', 'issues', 'actions', 'compliance', 'workload', 'metrics',
];

export type Panels = { readonly [K in PanelKey]: Loadable<PanelData[K]> };

export interface DashboardData {
  readonly header: HeaderVM;
  readonly connection: ConnectionState;
  readonly panels: Panels;
  readonly events: readonly EventVM[];
  readonly chat: readonly ChatMessageVM[];
  readonly chatBusy: boolean;
}

export function loading<T>(): Loadable<T> {
  return { status: 'loading' };
}

export function ready<T>(data: T): Loadable<T> {
  return { status: 'ready', data };
}

export function dataOf<T>(l: Loadable<T>): T | undefined {
  return l.status === 'ready' ? l.data : undefined;
}
