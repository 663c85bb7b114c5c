/**
 * What the assistant's tools read and change, as one port over the other engines. The daemon
 * implements it over the store and the engines; a method left out simply removes the tools that
 * need it, so tools appear as the engines land. Shapes are the few fields answers rely on; more
 * fields are passed through to the model untouched.
 */

export interface TaskSummary {
  id: string;
  title: string;
  priority: string;
  status: string;
  team: string | null;
  assignee: string | null;
  createdAt: number;
  [more: string]: unknown;
}

export interface RoutingExplanation {
  taskId: string;
  title: string;
  team: string | null;
  assignee: string | null;
  confidence: number;
  /** Why, in the routing engine's words: one line per factor. */
  factors: string[];
  decidedAt: number;
  decisionId?: string;
  [more: string]: unknown;
}

export interface IssueSummary {
  id: string;
  title: string;
  severity: string;
  status: string;
  source: string;
  detectedAt: number;
  [more: string]: unknown;
}

export interface ActionSummary {
  id: string;
  playbook: string;
  status: string;
  issueId: string | null;
  requestedAt: number;
  [more: string]: unknown;
}

export interface ViolationSummary {
  id: string;
  rule: string;
  severity: string;
  status: string;
  entityId: string | null;
  detectedAt: number;
  [more: string]: unknown;
}

export interface ComplianceStatus {
  score: number;
  open: ViolationSummary[];
}

export interface MemberLoad {
  memberId: string;
  name: string;
  team: string | null;
  /** active work over capacity: 1 = full */
  utilization: number;
  activeTasks: number;
  /** 0..1, null when there is no score yet */
  burnoutRisk: number | null;
  /** the workload engine's level (low, elevated, high), when known */
  riskLevel?: string;
  factors?: string[];
  [more: string]: unknown;
}

export interface TeamStatus {
  team: string;
  openTasks: number;
  members: MemberLoad[];
  openViolations: number;
  openIssues: number;
  [more: string]: unknown;
}

export interface MetricSeries {
  name: string;
  points: Array<{ at: number; value: number }>;
  [more: string]: unknown;
}

export interface RunbookHit {
  id: string;
  file: string;
  heading: string;
  text: string;
  score: number;
}

export interface Paged<T> {
  items: T[];
  total?: number;
}

export interface AssistantData {
  listTasks?(q: { status?: string; team?: string; assignee?: string; limit: number }): Promise<TaskSummary[]>;
  getTask?(id: string): Promise<TaskSummary | null>;
  explainRouting?(taskId: string): Promise<RoutingExplanation | null>;
  listIssues?(q: { status?: string; limit: number }): Promise<IssueSummary[]>;
  listActions?(q: { status?: string; limit: number }): Promise<ActionSummary[]>;
  compliance?(q: { limit: number }): Promise<ComplianceStatus>;
  workload?(q: { team?: string }): Promise<MemberLoad[]>;
  memberWorkload?(idOrName: string): Promise<MemberLoad | null>;
  teamStatus?(team: string): Promise<TeamStatus | null>;
  queryMetric?(q: { name: string; sinceMs: number; bucketMs: number }): Promise<MetricSeries>;
  searchRunbooks?(q: { query: string; limit: number }): Promise<RunbookHit[]>;
  // changes: offered only to roles that may make them, run only once confirmed
  /** Creates a task and routes it (the routing engine decides team and assignee). */
  routeTask?(task: { title: string; description?: string; priority?: string }): Promise<unknown>;
  ackTask?(taskId: string): Promise<unknown>;
  ackViolation?(id: string): Promise<unknown>;
  approveAction?(id: string): Promise<unknown>;
  rejectAction?(id: string, reason: string): Promise<unknown>;
}
