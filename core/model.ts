/** The domain model shared by every engine. Times are epoch milliseconds. */

export const ROLES = ['viewer', 'operator', 'manager', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const PRIORITIES = ['P1', 'P2', 'P3', 'P4'] as const;
export type Priority = (typeof PRIORITIES)[number];

export const TASK_STATUSES = ['open', 'acknowledged', 'in_progress', 'waiting_on_customer', 'resolved'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

export interface Org {
  id: string;
  name: string;
  createdAt: number;
}

/** Working hours in a member's (or team's) own time zone; days are 0=Sunday … 6=Saturday. */
export interface WorkingHours {
  start: string; // "09:00"
  end: string; // "17:00"
  days: number[];
}

export interface Team {
  id: string;
  orgId: string;
  name: string;
  description: string | null;
  timezone: string | null;
  workingHours: WorkingHours | null;
  holidays: string[]; // ISO dates, YYYY-MM-DD
  createdAt: number;
}

export interface Member {
  id: string;
  orgId: string;
  teamId: string | null;
  name: string;
  email: string | null;
  /** skill name → level 1..5 */
  skills: Record<string, number>;
  timezone: string | null;
  workingHours: WorkingHours | null;
  /** maximum concurrent tasks */
  capacity: number;
  calendarUrl: string | null;
  onCall: boolean;
  active: boolean;
  createdAt: number;
}

export interface User {
  id: string;
  orgId: string;
  name: string;
  role: Role;
  memberId: string | null;
  createdAt: number;
}

export interface Token {
  id: string;
  orgId: string;
  userId: string;
  createdAt: number;
  expiresAt: number | null;
  revokedAt: number | null;
}

export interface Task {
  id: string;
  orgId: string;
  title: string;
  description: string;
  priority: Priority;
  status: TaskStatus;
  teamId: string | null;
  assigneeId: string | null;
  tags: Record<string, string>;
  source: string;
  createdBy: string;
  createdAt: number;
  updatedAt: number;
  acknowledgedAt: number | null;
  resolvedAt: number | null;
}

/** Who did something: a user (by name) or a part of the system (`system:healing`). */
export interface Actor {
  orgId: string;
  name: string;
  userId: string | null;
  role: Role;
}

export interface BusEvent {
  id: number;
  orgId: string;
  type: string;
  at: number;
  actor: string;
  subject: string | null;
  data: unknown;
}

export type EventDraft = Pick<BusEvent, 'type' | 'subject' | 'data'>;

export interface AuditEntry {
  id: number;
  orgId: string;
  at: number;
  actor: string;
  action: string;
  subject: string | null;
  summary: string;
  prevHash: string;
  hash: string;
}

export type AuditDraft = Pick<AuditEntry, 'action' | 'subject' | 'summary'>;

export function systemActor(orgId: string, part: string): Actor {
  return { orgId, name: `system:${part}`, userId: null, role: 'admin' };
}
