/**
 * What a sweep evaluates, kept between sweeps: the open tasks (plus those with active violations),
 * their status history and pauses, built entities, and the active violations. A sweep refreshes it
 * with the tasks changed since the last one (one query) instead of reading every task again; bus
 * events keep it current in between, and it is rebuilt from scratch every `fullReloadMs`.
 */
import type { Interval } from '../calendar/business-time.js';
import type { Task } from '../model.js';
import type { Repos } from '../ports.js';
import { taskEntity, type StatusChange, type TaskEntity } from './entities.js';
import { ACTIVE_STATUSES, type Transition, type Violation } from './violations.js';

/**
 * Changes committed just before a sweep may carry an updatedAt slightly older than its start (and
 * another daemon's clock may run a little behind). Every change in the margin is read again at each
 * sync, so it stays small: under load that is thousands of tasks per minute.
 */
const SYNC_MARGIN_MS = 10_000;

export class WorkingSet {
  readonly tasks = new Map<string, Task>();
  private readonly entities = new Map<string, TaskEntity>();
  private history = new Map<string, StatusChange[]>();
  private pauses = new Map<string, Interval[]>();
  /** entityId → ruleId → the active violation. */
  readonly active = new Map<string, Map<string, Violation>>();
  private activeDirty = false;
  loadedAt = 0;
  private syncedAt = 0;

  constructor(private readonly repos: Pick<Repos, 'compliance' | 'tasks'>, readonly orgId: string) {}

  /** Reads everything: open tasks, tasks with active violations, history, pauses. */
  async load(now: number): Promise<void> {
    const { compliance } = this.repos;
    const [open, activeList, history, pauses] = await Promise.all([
      compliance.openTasks(this.orgId),
      compliance.listViolations(this.orgId, { status: [...ACTIVE_STATUSES] }),
      compliance.statusHistory(this.orgId),
      compliance.pauses(this.orgId),
    ]);
    this.tasks.clear();
    this.entities.clear();
    for (const t of open) this.tasks.set(t.id, t);
    this.setActive(activeList);
    for (const v of activeList) {
      if (v.entityKind !== 'task' || this.tasks.has(v.entityId)) continue;
      const t = await this.repos.tasks.get(this.orgId, v.entityId);
      if (t) this.tasks.set(t.id, t);
    }
    this.history = history;
    this.pauses = pauses;
    this.loadedAt = now;
    this.syncedAt = now;
  }

  /** Brings the set up to date with the tasks changed since the last sync. */
  async sync(now: number): Promise<number> {
    const versions = await this.repos.compliance.taskVersionsSince(this.orgId, this.syncedAt - SYNC_MARGIN_MS);
    // Most of them came through events already: read in full (with history and pauses) only the others.
    const stale = versions.filter((v) => {
      const known = this.tasks.get(v.id);
      return !(known && known.updatedAt === v.updatedAt && known.status === v.status);
    });
    const changed = await this.repos.compliance.tasksByIds(this.orgId, stale.map((v) => v.id));
    if (changed.length > 0) {
      const ids = changed.map((t) => t.id);
      const [history, pauses] = await Promise.all([this.repos.compliance.statusHistory(this.orgId, ids), this.repos.compliance.pauses(this.orgId, ids)]);
      for (const t of changed) this.putTask(t, history.get(t.id), pauses.get(t.id));
    }
    if (this.activeDirty) {
      this.setActive(await this.repos.compliance.listViolations(this.orgId, { status: [...ACTIVE_STATUSES] }));
      this.activeDirty = false;
    }
    this.syncedAt = now;
    return changed.length;
  }

  /** Records a task as it is now (from an event or a sync); history and pauses when known. */
  putTask(task: Task, history?: StatusChange[], pauses?: Interval[]): void {
    if (task.status === 'resolved' && !this.active.has(task.id)) this.tasks.delete(task.id);
    else this.tasks.set(task.id, task);
    if (history) this.history.set(task.id, history);
    if (pauses) this.pauses.set(task.id, pauses);
    this.entities.delete(task.id);
  }

  /** The entity view of a held task, built once until the task changes. */
  entity(task: Task, teamName: (teamId: string) => string | null): TaskEntity {
    let e = this.entities.get(task.id);
    if (!e) {
      e = taskEntity(task, teamName, { history: this.history.get(task.id), pauses: this.pauses.get(task.id) });
      this.entities.set(task.id, e);
    }
    return e;
  }

  /** Team names changed: every entity is rebuilt on next use. */
  forgetEntities(): void {
    this.entities.clear();
  }

  /** Someone else (a person, another daemon) changed violations: reread the active ones on next sync. */
  markActiveDirty(): void {
    this.activeDirty = true;
  }

  /** Keeps the active index in step with what the engine committed. */
  applied(transitions: readonly Transition[]): void {
    for (const t of transitions) {
      if (t.kind === 'none') continue;
      const v = t.violation;
      let m = this.active.get(v.entityId);
      if ((ACTIVE_STATUSES as readonly string[]).includes(v.status)) {
        if (!m) this.active.set(v.entityId, (m = new Map()));
        m.set(v.ruleId, v);
      } else if (m) {
        if (m.get(v.ruleId)?.id === v.id) m.delete(v.ruleId);
        if (m.size === 0) {
          this.active.delete(v.entityId);
          const task = this.tasks.get(v.entityId);
          if (task && task.status === 'resolved') this.tasks.delete(v.entityId);
        }
      }
    }
  }

  private setActive(list: readonly Violation[]): void {
    this.active.clear();
    for (const v of list) {
      let m = this.active.get(v.entityId);
      if (!m) this.active.set(v.entityId, (m = new Map()));
      m.set(v.ruleId, v);
    }
  }
}
