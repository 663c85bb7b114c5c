import type { Command } from 'commander';
import type { CliContext } from '../cli/context.js';
import { AppError } from '../core/errors.js';
import { PRIORITIES, TASK_STATUSES } from '../core/model.js';

export interface TaskView {
  id: string; title: string; description: string; priority: string; status: string; team: string | null; teamId: string | null;
  assignee: string | null; assigneeId: string | null; tags: Record<string, string>; source: string; createdBy: string;
  createdAt: string; updatedAt: string; acknowledgedAt: string | null; resolvedAt: string | null;
  decision?: { team: string | null; assignee: string | null; confidence: number; explanation?: string[] } | null;
}

/** `--tag k=v` (repeatable) → { k: v } */
export function parseTags(list: string[] | undefined): Record<string, string> | undefined {
  if (!list || list.length === 0) return undefined;
  const tags: Record<string, string> = {};
  for (const item of list) {
    const i = item.indexOf('=');
    if (i <= 0) throw new AppError('usage', `--tag ${item}: expected KEY=VALUE`);
    tags[item.slice(0, i)] = item.slice(i + 1);
  }
  return tags;
}

export function parsePriority(p: string | undefined): string | undefined {
  if (p === undefined) return undefined;
  const upper = p.toUpperCase();
  if (!(PRIORITIES as readonly string[]).includes(upper)) throw new AppError('usage', `--priority ${p}: expected one of ${PRIORITIES.join(', ')}`);
  return upper;
}

const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

const statusColor = (s: string): 'red' | 'yellow' | 'green' | 'gray' | undefined =>
  s === 'open' ? 'yellow' : s === 'resolved' ? 'green' : s === 'waiting_on_customer' ? 'gray' : undefined;
const priorityColor = (p: string): 'red' | 'yellow' | undefined => (p === 'P1' ? 'red' : p === 'P2' ? 'yellow' : undefined);

export const TASK_COLUMNS = [
  { header: 'id', value: 'id' as const },
  { header: 'pri', value: 'priority' as const, color: priorityColor },
  { header: 'status', value: 'status' as const, color: statusColor },
  { header: 'team', value: 'team' as const },
  { header: 'assignee', value: 'assignee' as const },
  { header: 'created', value: 'createdAt' as const },
  { header: 'title', value: 'title' as const },
];

export function showTask(ctx: CliContext, t: TaskView): void {
  if (ctx.out.json) return ctx.out.data(t);
  ctx.out.object(t as unknown as Record<string, unknown>, [
    ['id', t.id], ['title', t.title], ['priority', t.priority], ['status', t.status], ['team', t.team], ['assignee', t.assignee],
    ['tags', t.tags], ['source', t.source], ['created', `${t.createdAt} by ${t.createdBy}`], ['acknowledged', t.acknowledgedAt],
    ['resolved', t.resolvedAt],
  ]);
  if (t.description) ctx.out.line(`\n${t.description}`);
  if (t.decision) {
    ctx.out.line(`\nrouted to ${t.decision.team ?? '(no team)'} / ${t.decision.assignee ?? '(unassigned)'} with confidence ${t.decision.confidence.toFixed(2)}`);
    for (const line of t.decision.explanation ?? []) ctx.out.line(`  - ${line}`);
  }
}

export function register(program: Command, ctx: CliContext): void {
  const tasks = program.command('tasks').description('work items: create, list, acknowledge, resolve, reassign');

  tasks
    .command('create')
    .description('create a task (with --route, the router picks team and assignee)')
    .requiredOption('--title <title>')
    .option('--description <text>')
    .option('--priority <P1|P2|P3|P4>')
    .option('--tag <k=v>', 'a tag (repeatable)', collect)
    .option('--team <team>', 'team name or id')
    .option('--assignee <member>', 'member name or id')
    .option('--route', 'let the router decide team and assignee')
    .action(async (opts: { title: string; description?: string; priority?: string; tag?: string[]; team?: string; assignee?: string; route?: boolean }) => {
      const body = { title: opts.title, description: opts.description, priority: parsePriority(opts.priority), tags: parseTags(opts.tag), team: opts.team, assignee: opts.assignee, source: 'cli' };
      if (opts.route) {
        const decision = await ctx.client().post<{ taskId: string; team: string | null; assignee: string | null; confidence: number }>('/v1/route', body);
        if (ctx.out.json) return ctx.out.data(decision);
        ctx.out.line(`created ${decision.taskId}, routed to ${decision.team ?? '(no team)'} / ${decision.assignee ?? '(unassigned)'} (confidence ${decision.confidence.toFixed(2)})`);
        return;
      }
      const task = await ctx.client().post<TaskView>('/v1/tasks', body);
      if (ctx.out.json) return ctx.out.data(task);
      ctx.out.line(`created ${task.id}`);
    });

  tasks
    .command('list')
    .description('list tasks, newest first')
    .option('--status <s>', `one or more of ${TASK_STATUSES.join(', ')} (comma-separated)`)
    .option('--team <team>')
    .option('--assignee <member>')
    .option('--limit <n>', 'at most this many (default 50)')
    .action(async (opts: { status?: string; team?: string; assignee?: string; limit?: string }) => {
      const list = await ctx.client().get<TaskView[]>('/v1/tasks', { status: opts.status, team: opts.team, assignee: opts.assignee, limit: opts.limit });
      ctx.out.list(list, TASK_COLUMNS);
    });

  tasks.command('show <id>').description('show a task and why it was routed where it was').action(async (id: string) => {
    showTask(ctx, await ctx.client().get<TaskView>(`/v1/tasks/${encodeURIComponent(id)}`));
  });

  for (const [verb, path, word] of [['ack', 'ack', 'acknowledged'], ['resolve', 'resolve', 'resolved']] as const) {
    tasks.command(`${verb} <id>`).description(`mark a task ${word}`).action(async (id: string) => {
      const task = await ctx.client().post<TaskView>(`/v1/tasks/${encodeURIComponent(id)}/${path}`);
      if (ctx.out.json) return ctx.out.data(task);
      ctx.out.line(`${word} ${task.id}`);
    });
  }

  tasks
    .command('reassign <id>')
    .description('give a task to another member')
    .requiredOption('--to <member>', 'member name or id')
    .action(async (id: string, opts: { to: string }) => {
      const task = await ctx.client().post<TaskView>(`/v1/tasks/${encodeURIComponent(id)}/reassign`, { to: opts.to });
      if (ctx.out.json) return ctx.out.data(task);
      ctx.out.line(`reassigned ${task.id} to ${opts.to}`);
    });
}
