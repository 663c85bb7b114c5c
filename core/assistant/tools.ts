import { z } from 'zod';
import type { Permission } from '../auth/permissions.js';
import type { AssistantData } from './data.js';

/** A permission as the daemon's RBAC names it (core/auth/permissions.ts). */
export type Perm = Permission;

export interface AssistantTool {
  name: string;
  description: string;
  input: z.ZodType;
  /** What the caller's role must allow for the tool to be offered at all. */
  perm: Perm;
  /** Changes state: runs only after a confirmation (REPL) or `--yes`. */
  mutates: boolean;
  /** The data methods it needs; without them the tool is not offered. */
  needs: Array<keyof AssistantData>;
  run(input: any, data: AssistantData, now: number): Promise<unknown>;
  /** One line telling a person what a change will do, for the confirmation question. */
  describe?(input: any): string;
}

const HOUR = 3_600_000;
const id = z.string().min(1).max(80);
const limit = z.number().int().min(1).max(100).default(20);

/** Parses `24h`, `30m`, `7d` into milliseconds. */
export function parseDuration(s: string): number | null {
  const m = /^(\d+)\s*(s|m|h|d|w)$/.exec(s.trim());
  if (!m) return null;
  const unit = { s: 1000, m: 60_000, h: HOUR, d: 24 * HOUR, w: 7 * 24 * HOUR }[m[2] as 's' | 'm' | 'h' | 'd' | 'w'];
  return Number(m[1]) * unit;
}

const duration = z.string().refine((s) => parseDuration(s) !== null, 'a duration such as 30m, 24h or 7d');

/** Every tool the assistant knows; which of them a caller gets is decided by `offeredTools`. */
export const TOOL_CATALOG: AssistantTool[] = [
  {
    name: 'list_tasks',
    description: 'List tasks, newest first, optionally filtered by status (open, acknowledged, in_progress, resolved), team name or assignee.',
    input: z.object({ status: z.string().optional(), team: z.string().optional(), assignee: z.string().optional(), limit }),
    perm: ['tasks', 'read'],
    mutates: false,
    needs: ['listTasks'],
    run: (i, d) => d.listTasks!(i),
  },
  {
    name: 'get_task',
    description: 'Show one task by id (tsk_…).',
    input: z.object({ taskId: id }),
    perm: ['tasks', 'read'],
    mutates: false,
    needs: ['getTask'],
    run: async (i, d) => (await d.getTask!(i.taskId)) ?? { error: `task ${i.taskId} not found` },
  },
  {
    name: 'explain_routing',
    description: 'Explain why a task was routed to its team and assignee: the rules, classification, capacity and skills that decided, with the confidence.',
    input: z.object({ taskId: id }),
    perm: ['tasks', 'read'],
    mutates: false,
    needs: ['explainRouting'],
    run: async (i, d) => (await d.explainRouting!(i.taskId)) ?? { error: `no routing decision for task ${i.taskId}` },
  },
  {
    name: 'list_issues',
    description: 'List self-healing issues (anomalies and alerts); status open by default.',
    input: z.object({ status: z.string().default('open'), limit }),
    perm: ['healing', 'read'],
    mutates: false,
    needs: ['listIssues'],
    run: (i, d) => d.listIssues!(i),
  },
  {
    name: 'list_actions',
    description: 'List playbook actions, e.g. status awaiting_approval for what needs an approval.',
    input: z.object({ status: z.string().optional(), limit }),
    perm: ['healing', 'read'],
    mutates: false,
    needs: ['listActions'],
    run: (i, d) => d.listActions!(i),
  },
  {
    name: 'compliance_status',
    description: 'The compliance score (0-100) and the open violations, most severe first.',
    input: z.object({ limit }),
    perm: ['compliance', 'read'],
    mutates: false,
    needs: ['compliance'],
    run: (i, d) => d.compliance!(i),
  },
  {
    name: 'workload',
    description: 'Workload of every member (or of one team): utilization, active tasks and burnout risk with its factors.',
    input: z.object({ team: z.string().optional() }),
    perm: ['workload', 'read'],
    mutates: false,
    needs: ['workload'],
    run: (i, d) => d.workload!(i),
  },
  {
    name: 'member_workload',
    description: 'Workload and burnout risk of one member, by id or name.',
    input: z.object({ member: z.string().min(1) }),
    perm: ['workload', 'read'],
    mutates: false,
    needs: ['memberWorkload'],
    run: async (i, d) => (await d.memberWorkload!(i.member)) ?? { error: `member ${i.member} not found` },
  },
  {
    name: 'team_status',
    description: 'How a team is doing: open tasks, members and their load, open violations and issues.',
    input: z.object({ team: z.string().min(1) }),
    perm: ['workload', 'read'],
    mutates: false,
    needs: ['teamStatus'],
    run: async (i, d) => (await d.teamStatus!(i.team)) ?? { error: `team ${i.team} not found` },
  },
  {
    name: 'query_metric',
    description: 'Values of a metric over a period, bucketed (e.g. name api_latency_p99, since 24h, bucket 1h).',
    input: z.object({ name: z.string().min(1), since: duration.default('24h'), bucket: duration.default('1h') }),
    perm: ['healing', 'read'],
    mutates: false,
    needs: ['queryMetric'],
    run: (i, d, now) =>
      d.queryMetric!({ name: i.name, sinceMs: now - parseDuration(i.since)!, bucketMs: parseDuration(i.bucket)! }),
  },
  {
    name: 'search_runbooks',
    description: 'Search the runbooks (markdown) for passages relevant to a question; returns the best passages with their file and heading.',
    input: z.object({ query: z.string().min(2), limit: z.number().int().min(1).max(10).default(4) }),
    perm: ['assistant', 'use'],
    mutates: false,
    needs: ['searchRunbooks'],
    run: (i, d) => d.searchRunbooks!(i),
  },
  {
    name: 'route_task',
    description: 'Create a task and route it: the routing engine picks team and assignee. Changes state: the user is asked to confirm.',
    input: z.object({
      title: z.string().min(3).max(300),
      description: z.string().max(5000).optional(),
      priority: z.enum(['P1', 'P2', 'P3', 'P4']).optional(),
    }),
    perm: ['tasks', 'write'],
    mutates: true,
    needs: ['routeTask'],
    run: (i, d) => d.routeTask!(i),
    describe: (i) => `create and route the task "${i.title}"${i.priority ? ` (${i.priority})` : ''}`,
  },
  {
    name: 'acknowledge_task',
    description: 'Acknowledge a task. Changes state: the user is asked to confirm.',
    input: z.object({ taskId: id }),
    perm: ['tasks', 'write'],
    mutates: true,
    needs: ['ackTask'],
    run: (i, d) => d.ackTask!(i.taskId),
    describe: (i) => `acknowledge task ${i.taskId}`,
  },
  {
    name: 'acknowledge_violation',
    description: 'Acknowledge a compliance violation. Changes state: the user is asked to confirm.',
    input: z.object({ violationId: id }),
    perm: ['compliance', 'manage'],
    mutates: true,
    needs: ['ackViolation'],
    run: (i, d) => d.ackViolation!(i.violationId),
    describe: (i) => `acknowledge violation ${i.violationId}`,
  },
  {
    name: 'approve_action',
    description: 'Approve a playbook action that awaits approval. Changes state: the user is asked to confirm.',
    input: z.object({ actionId: id }),
    perm: ['healing', 'execute'],
    mutates: true,
    needs: ['approveAction'],
    run: (i, d) => d.approveAction!(i.actionId),
    describe: (i) => `approve action ${i.actionId}`,
  },
  {
    name: 'reject_action',
    description: 'Reject a playbook action that awaits approval, with a reason. Changes state: the user is asked to confirm.',
    input: z.object({ actionId: id, reason: z.string().min(3).max(500) }),
    perm: ['healing', 'execute'],
    mutates: true,
    needs: ['rejectAction'],
    run: (i, d) => d.rejectAction!(i.actionId, i.reason),
    describe: (i) => `reject action ${i.actionId} ("${i.reason}")`,
  },
];

/** The tools a caller gets: their data exists and the caller's role allows them. */
export function offeredTools(
  catalog: AssistantTool[],
  data: AssistantData,
  can: (perm: Perm) => boolean,
): AssistantTool[] {
  return catalog.filter((t) => t.needs.every((n) => typeof data[n] === 'function') && can(t.perm));
}

/** The JSON Schema of a tool's input, as the Messages API wants it. */
export function toolInputSchema(t: AssistantTool): Record<string, unknown> {
  const schema = z.toJSONSchema(t.input, { io: 'input' }) as Record<string, unknown>;
  delete schema['$schema'];
  return schema;
}
