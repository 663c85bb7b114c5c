import { AppError } from '../../errors.js';
import type { PlaybookSpec, StepType } from '../playbooks/schema.js';
import type { RenderedStep } from '../playbooks/render.js';
import type { Issue } from '../issues.js';

export const ACTION_STATUSES = [
  'pending', 'awaiting_approval', 'running', 'succeeded', 'failed', 'rolled_back', 'rejected', 'expired',
] as const;
export type ActionStatus = (typeof ACTION_STATUSES)[number];

export const TERMINAL_STATUSES: readonly ActionStatus[] = ['succeeded', 'failed', 'rolled_back', 'rejected', 'expired'];

export function isTerminal(status: ActionStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

/** A pending approval gate and, once decided, who decided it. */
export interface Approval {
  stepId: string;
  requestedAt: number;
  expiresAt: number;
  decidedBy: string | null;
  decidedAt: number | null;
  decision: 'approved' | 'rejected' | 'expired' | null;
  reason: string | null;
}

/** One run of a playbook. The playbook's definition is copied in, so editing it never changes a running action. */
export interface HealingAction {
  id: string;
  organizationId: string;
  playbookId: string;
  playbookName: string;
  spec: PlaybookSpec;
  issueId: string | null;
  /** The issue as it was when the action started: templates render from this copy. */
  issue: Issue | null;
  /** What cooldowns and hourly caps count against. */
  target: string;
  status: ActionStatus;
  /** 'main' while the playbook's steps run, 'rollback' once a failure started the rollback steps. */
  phase: 'main' | 'rollback';
  trigger: 'auto' | 'manual';
  startedBy: string;
  startedByUserId: string | null;
  approval: Approval | null;
  error: string | null;
  createdAt: number;
  updatedAt: number;
  startedAt: number | null;
  finishedAt: number | null;
}

export type StepStatus = 'running' | 'waiting' | 'succeeded' | 'failed' | 'skipped';

/** What a step produced; every field optional because step types differ. */
export interface StepOutput {
  stdout?: string;
  stderr?: string;
  exitCode?: number | null;
  signal?: string | null;
  status?: number;
  body?: string;
  value?: number | null;
  truncated?: boolean;
  timedOut?: boolean;
  detail?: string;
}

/** The record of one step of one action: written as `running` before the step starts, so a crash is visible. */
export interface StepRecord {
  actionId: string;
  organizationId: string;
  stepId: string;
  phase: 'main' | 'rollback';
  /** Position in execution order within its phase. */
  position: number;
  type: StepType;
  status: StepStatus;
  attempt: number;
  idempotent: boolean;
  rendered: RenderedStep | null;
  output: StepOutput;
  error: string | null;
  startedAt: number;
  finishedAt: number | null;
}

type Move =
  | { to: 'running' }
  | { to: 'awaiting_approval'; approval: Approval }
  | { to: 'succeeded' }
  | { to: 'failed'; error: string }
  | { to: 'rolled_back'; error: string }
  | { to: 'rejected'; by: string; reason: string }
  | { to: 'expired' };

const ALLOWED: Record<ActionStatus, readonly ActionStatus[]> = {
  pending: ['running', 'awaiting_approval', 'failed'],
  awaiting_approval: ['running', 'rejected', 'expired'],
  running: ['awaiting_approval', 'succeeded', 'failed', 'rolled_back'],
  succeeded: [],
  failed: [],
  rolled_back: [],
  rejected: [],
  expired: [],
};

export function canMove(from: ActionStatus, to: ActionStatus): boolean {
  return ALLOWED[from].includes(to);
}

/** The one place an action changes status; any other move is a conflict (exit 7, HTTP 409). */
export function moveAction(action: HealingAction, move: Move, now: number): HealingAction {
  if (!canMove(action.status, move.to)) {
    throw new AppError('conflict', `action ${action.id} is ${action.status} and cannot become ${move.to}`);
  }
  const next: HealingAction = { ...action, status: move.to, updatedAt: now };
  switch (move.to) {
    case 'running':
      next.startedAt = action.startedAt ?? now;
      if (action.approval && action.status === 'awaiting_approval') {
        // decidedBy is filled in by the approval itself (see approveAction); keep what it set.
        next.approval = { ...action.approval };
      }
      break;
    case 'awaiting_approval':
      next.approval = move.approval;
      break;
    case 'rejected':
      next.approval = action.approval && { ...action.approval, decidedBy: move.by, decidedAt: now, decision: 'rejected', reason: move.reason };
      next.error = `rejected by ${move.by}: ${move.reason}`;
      break;
    case 'expired':
      next.approval = action.approval && { ...action.approval, decidedAt: now, decision: 'expired' };
      next.error = 'approval expired';
      break;
    case 'failed':
    case 'rolled_back':
      next.error = move.error;
      break;
    case 'succeeded':
      break;
  }
  if (isTerminal(move.to)) next.finishedAt = now;
  return next;
}

/** JSON for API/CLI: ISO times, no copy of the full playbook. */
export function actionToJson(a: HealingAction, steps?: StepRecord[]): Record<string, unknown> {
  const iso = (t: number | null): string | null => (t === null ? null : new Date(t).toISOString());
  const { spec: _spec, organizationId: _org, issue: _issue, ...rest } = a;
  return {
    ...rest,
    createdAt: iso(a.createdAt),
    updatedAt: iso(a.updatedAt),
    startedAt: iso(a.startedAt),
    finishedAt: iso(a.finishedAt),
    approval: a.approval && {
      ...a.approval,
      requestedAt: iso(a.approval.requestedAt),
      expiresAt: iso(a.approval.expiresAt),
      decidedAt: iso(a.approval.decidedAt),
    },
    ...(steps
      ? {
          steps: steps.map(({ organizationId: _o, actionId: _a, ...s }) => ({
            ...s,
            startedAt: iso(s.startedAt),
            finishedAt: iso(s.finishedAt),
            durationMs: s.finishedAt === null ? null : s.finishedAt - s.startedAt,
          })),
        }
      : {}),
  };
}
