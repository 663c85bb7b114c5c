/**
 * What compliance rules look at: flat views of tasks and healing actions whose field names are the
 * ones conditions use (`team` is the team's name, `assignee` the assignee's member id or null).
 */
import type { Task, TaskStatus } from '../model.js';
import type { Interval } from '../calendar/business-time.js';

export type EntityKind = 'task' | 'action';

/** Field paths a task condition may use; `tags.*` stands for any one tag key. */
export const TASK_FIELDS = [
  'id', 'title', 'description', 'priority', 'status', 'team', 'teamId', 'assignee', 'assigneeId', 'source',
  'createdBy', 'createdAt', 'updatedAt', 'acknowledgedAt', 'resolvedAt', 'tags.*', 'labels.*',
] as const;

/** Field paths an action condition may use; `labels.*` are the target's labels (`labels.env`). */
export const ACTION_FIELDS = [
  'id', 'playbook', 'status', 'target', 'issue', 'team', 'approvedBy', 'approvalRequired', 'dryRun',
  'createdAt', 'updatedAt', 'executedAt', 'labels.*', 'tags.*',
] as const;

/** A change of status with its time, oldest first: the SLA clocks' pause states come from it. */
export interface StatusChange {
  status: TaskStatus | string;
  at: number;
}

export interface TaskEntity {
  kind: 'task';
  id: string;
  title: string;
  description: string;
  priority: string;
  status: string;
  team: string | null;
  teamId: string | null;
  assignee: string | null;
  assigneeId: string | null;
  source: string;
  createdBy: string;
  createdAt: number;
  updatedAt: number;
  acknowledgedAt: number | null;
  resolvedAt: number | null;
  tags: Record<string, string>;
  labels: Record<string, string>;
  /** Status changes since creation; without it only the current status is known. */
  history?: StatusChange[];
  /** Extra spans when the SLA clocks stop, e.g. while a remediation of this task awaits approval. */
  pauses?: Interval[];
}

export interface ActionEntity {
  kind: 'action';
  id: string;
  playbook: string;
  status: string;
  target: string | null;
  issue: string | null;
  team: string | null;
  teamId: string | null;
  approvedBy: string | null;
  approvalRequired: boolean;
  dryRun: boolean;
  createdAt: number;
  updatedAt: number;
  /** When a step that changes something first ran; null while nothing ran. */
  executedAt: number | null;
  labels: Record<string, string>;
  tags: Record<string, string>;
}

export type Entity = TaskEntity | ActionEntity;

/** Builds the view of a task; `teamName` resolves the team id to the name conditions compare with. */
export function taskEntity(task: Task, teamName: (teamId: string) => string | null = () => null, extra: Pick<TaskEntity, 'history' | 'pauses'> = {}): TaskEntity {
  return {
    kind: 'task',
    id: task.id,
    title: task.title,
    description: task.description,
    priority: task.priority,
    status: task.status,
    team: task.teamId ? teamName(task.teamId) : null,
    teamId: task.teamId,
    assignee: task.assigneeId,
    assigneeId: task.assigneeId,
    source: task.source,
    createdBy: task.createdBy,
    createdAt: task.createdAt,
    updatedAt: task.updatedAt,
    acknowledgedAt: task.acknowledgedAt,
    resolvedAt: task.resolvedAt,
    tags: task.tags,
    labels: task.tags,
    ...extra,
  };
}

/** True when the entity's work is over: a resolved task; an action never is (its record stays). */
export function isClosed(entity: Entity): boolean {
  return entity.kind === 'task' && (entity.status === 'resolved' || entity.resolvedAt !== null);
}
