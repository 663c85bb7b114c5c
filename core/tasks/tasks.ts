import { AppError, conflict, notFound } from '../errors.js';
import { newId } from '../ids.js';
import type { Actor, Member, Priority, Task, TaskStatus } from '../model.js';
import type { Clock, Commit, Repos } from '../ports.js';

export interface NewTask {
  title: string;
  description?: string;
  priority?: Priority;
  tags?: Record<string, string>;
  source?: string;
  team?: string | null;
  assignee?: string | null;
  status?: TaskStatus;
  createdAt?: number;
}

/** Builds a task row from input; the caller stores it. Text is trimmed and the title must remain. */
export function buildTask(input: NewTask, actor: Actor, now: number, teamId: string | null, assigneeId: string | null): Task {
  const title = input.title.trim();
  if (title === '') throw new AppError('validation', 'title: must not be empty', undefined, [{ path: 'title', message: 'must not be empty' }]);
  const createdAt = input.createdAt ?? now;
  return {
    id: newId('tsk', createdAt),
    orgId: actor.orgId,
    title,
    description: (input.description ?? '').trim(),
    priority: input.priority ?? 'P3',
    status: input.status ?? 'open',
    teamId,
    assigneeId,
    tags: input.tags ?? {},
    source: input.source ?? 'api',
    createdBy: actor.name,
    createdAt,
    updatedAt: now,
    acknowledgedAt: null,
    resolvedAt: input.status === 'resolved' ? now : null,
  };
}

/** The statuses a task may move to from each status. */
const NEXT: Record<TaskStatus, TaskStatus[]> = {
  open: ['acknowledged', 'in_progress', 'waiting_on_customer', 'resolved'],
  acknowledged: ['in_progress', 'waiting_on_customer', 'resolved'],
  in_progress: ['waiting_on_customer', 'resolved', 'acknowledged'],
  waiting_on_customer: ['in_progress', 'acknowledged', 'resolved'],
  resolved: ['open'],
};

export function canMove(from: TaskStatus, to: TaskStatus): boolean {
  return NEXT[from].includes(to);
}

/** Resolves a team and member reference (id or name) within the org, refusing a member of another team. */
export async function resolveAssignment(
  repos: Pick<Repos, 'teams' | 'members'>,
  orgId: string,
  team: string | null | undefined,
  assignee: string | null | undefined,
): Promise<{ teamId: string | null; member: Member | null }> {
  let teamId: string | null = null;
  if (team) {
    const t = await repos.teams.find(orgId, team);
    if (!t) throw new AppError('validation', `team: unknown team ${team}`, 'see: foundry-op teams list', [{ path: 'team', message: 'unknown team' }]);
    teamId = t.id;
  }
  let member: Member | null = null;
  if (assignee) {
    member = (await repos.members.find(orgId, assignee)) ?? null;
    if (!member) throw new AppError('validation', `assignee: unknown member ${assignee}`, 'see: foundry-op members list', [{ path: 'assignee', message: 'unknown member' }]);
    if (teamId && member.teamId !== teamId) {
      throw new AppError('validation', `assignee: ${member.name} is not a member of that team`, undefined, [{ path: 'assignee', message: 'member of another team' }]);
    }
    teamId = teamId ?? member.teamId;
  }
  return { teamId, member };
}

/** Task lifecycle: create, acknowledge, resolve, reassign, each one audited and announced. */
export class TaskService {
  constructor(private readonly deps: { commit: Commit; clock: Clock; repos: Repos }) {}

  async create(actor: Actor, input: NewTask): Promise<Task> {
    return this.deps.commit(actor, async (tx) => {
      const { teamId, member } = await resolveAssignment(tx, actor.orgId, input.team, input.assignee);
      const task = buildTask(input, actor, this.deps.clock.now(), teamId, member?.id ?? null);
      await tx.tasks.insert(task);
      return {
        value: task,
        audit: { action: 'task.create', subject: task.id, summary: `created ${task.priority} task "${task.title.slice(0, 80)}"` },
        events: [{ type: 'task.created', subject: task.id, data: task }],
      };
    });
  }

  async get(orgId: string, id: string): Promise<Task> {
    const task = await this.deps.repos.tasks.get(orgId, id);
    if (!task) throw notFound('task', id);
    return task;
  }

  async move(actor: Actor, id: string, to: TaskStatus): Promise<Task> {
    return this.deps.commit(actor, async (tx) => {
      const task = await tx.tasks.get(actor.orgId, id);
      if (!task) throw notFound('task', id);
      if (task.status === to) throw conflict(`task ${id} is already ${to}`);
      if (!canMove(task.status, to)) throw conflict(`task ${id} is ${task.status}; it cannot become ${to}`);
      const now = this.deps.clock.now();
      const next: Task = {
        ...task,
        status: to,
        updatedAt: now,
        acknowledgedAt: task.acknowledgedAt ?? (to !== 'open' ? now : null),
        resolvedAt: to === 'resolved' ? now : to === 'open' ? null : task.resolvedAt,
      };
      await tx.tasks.update(next);
      const type = to === 'acknowledged' ? 'task.acknowledged' : to === 'resolved' ? 'task.resolved' : 'task.updated';
      return {
        value: next,
        audit: { action: `task.${to}`, subject: id, summary: `moved task from ${task.status} to ${to}` },
        events: [{ type, subject: id, data: next }],
      };
    });
  }

  async reassign(actor: Actor, id: string, to: string): Promise<Task> {
    return this.deps.commit(actor, async (tx) => {
      const task = await tx.tasks.get(actor.orgId, id);
      if (!task) throw notFound('task', id);
      if (task.status === 'resolved') throw conflict(`task ${id} is resolved`, 'reopen it first');
      const member = await tx.members.find(actor.orgId, to);
      if (!member) throw new AppError('validation', `to: unknown member ${to}`, 'see: foundry-op members list');
      const next: Task = { ...task, assigneeId: member.id, teamId: member.teamId ?? task.teamId, updatedAt: this.deps.clock.now() };
      await tx.tasks.update(next);
      return {
        value: next,
        audit: { action: 'task.reassign', subject: id, summary: `reassigned to ${member.name}` },
        events: [{ type: 'task.reassigned', subject: id, data: { ...next, previousAssigneeId: task.assigneeId } }],
      };
    });
  }
}
