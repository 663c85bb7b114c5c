/** What the compliance engine needs from the store (`store.compliance`). */
import type { CalendarSpec } from '../calendar/calendar.js';
import type { Interval } from '../calendar/business-time.js';
import type { Task } from '../model.js';
import type { StatusChange } from './entities.js';
import type { ComplianceRule } from './rule.js';
import type { Violation, ViolationStatus } from './violations.js';

export interface ViolationFilter {
  status?: ViolationStatus[];
  ruleId?: string;
  entityId?: string;
  /** Any of these entities (read in chunks). */
  entityIds?: readonly string[];
  teamId?: string;
  /** Only violations still active at or after this time (not resolved before it). */
  activeSince?: number;
  limit?: number;
}

/** What tells a held task from a changed one. */
export interface TaskVersion {
  id: string;
  updatedAt: number;
  status: string;
}

export interface ComplianceRepo {
  insertRule(rule: ComplianceRule): Promise<void>;
  updateRule(rule: ComplianceRule): Promise<void>;
  deleteRule(orgId: string, id: string): Promise<boolean>;
  /** By id or by name. */
  findRule(orgId: string, idOrName: string): Promise<ComplianceRule | undefined>;
  listRules(orgId: string): Promise<ComplianceRule[]>;

  insertViolation(v: Violation): Promise<void>;
  updateViolation(v: Violation): Promise<void>;
  getViolation(orgId: string, id: string): Promise<Violation | undefined>;
  /** Newest first. */
  listViolations(orgId: string, filter?: ViolationFilter): Promise<Violation[]>;

  /** Appends a task status change (SLA pause states are read from these). */
  recordStatus(orgId: string, taskId: string, change: StatusChange): Promise<void>;
  /** Appends several tasks' status changes in one statement. */
  recordStatuses(orgId: string, changes: readonly { taskId: string; change: StatusChange }[]): Promise<void>;
  /** Status history per task, oldest first; all tasks with history when `taskIds` is absent. */
  statusHistory(orgId: string, taskIds?: readonly string[]): Promise<Map<string, StatusChange[]>>;
  /** Opens a pause of a task's clocks for a reason (e.g. `approval:act_…`); no-op when already open. */
  openPause(orgId: string, taskId: string, reason: string, at: number): Promise<void>;
  closePause(orgId: string, taskId: string, reason: string, at: number): Promise<void>;
  /** Pause spans per task (open ones end at Infinity). */
  pauses(orgId: string, taskIds?: readonly string[]): Promise<Map<string, Interval[]>>;

  /** Every task of the org that is not resolved (any order): what a full sweep starts from. */
  openTasks(orgId: string): Promise<Task[]>;
  /** Which tasks changed at or after `since` (any status), and how: a sweep refreshes only what it holds stale. */
  taskVersionsSince(orgId: string, since: number): Promise<TaskVersion[]>;
  /** These tasks, those that exist (read in chunks). */
  tasksByIds(orgId: string, ids: readonly string[]): Promise<Task[]>;

  putCalendar(orgId: string, calendar: CalendarSpec, now: number): Promise<void>;
  getCalendar(orgId: string, name: string): Promise<CalendarSpec | undefined>;
  listCalendars(orgId: string): Promise<CalendarSpec[]>;
}
