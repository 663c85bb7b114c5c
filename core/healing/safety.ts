import { AppError } from '../errors.js';
import type { Role } from '../model.js';
import type { ActionStatus, HealingAction } from './actions/model.js';

/**
 * The safety envelope: pure decisions about whether an action may start, whether a playbook must be
 * switched off, and who may approve. The engine gathers the facts; nothing here reads a store or a clock.
 */

export interface EnvelopeLimits {
  /** Actions running at once in one organisation; more wait (pending) for a free slot. */
  maxConcurrent: number;
}

export const DEFAULT_LIMITS: EnvelopeLimits = { maxConcurrent: 4 };

/** What the engine knows when someone (or some issue) wants to start a playbook on a target. */
export interface StartFacts {
  now: number;
  playbook: { enabled: boolean; disabledReason: string | null; cooldown: number; maxPerHour: number };
  /** The latest action of this playbook on this target that ran or is running (rejected/expired ones do not count). */
  lastOnTarget: { status: ActionStatus; createdAt: number } | null;
  /** Actions of any playbook on this target created in the last hour (rejected/expired ones do not count). */
  onTargetLastHour: number;
}

export type Refusal =
  | { reason: 'disabled'; message: string }
  | { reason: 'in_progress'; message: string }
  | { reason: 'cooldown'; message: string; retryAt: number }
  | { reason: 'rate_limited'; message: string };

/**
 * Why an action may not be started, or null when it may. Checked in this order, most specific first.
 * The cap on concurrent actions is not a refusal: an action over it waits (see mustWait).
 */
export function refuseStart(f: StartFacts): Refusal | null {
  if (!f.playbook.enabled) {
    return { reason: 'disabled', message: `the playbook is disabled${f.playbook.disabledReason ? ` (${f.playbook.disabledReason})` : ''}` };
  }
  const last = f.lastOnTarget;
  if (last && (last.status === 'pending' || last.status === 'running' || last.status === 'awaiting_approval')) {
    return { reason: 'in_progress', message: `an action of this playbook on this target is already ${last.status}` };
  }
  if (last && f.now < last.createdAt + f.playbook.cooldown) {
    const retryAt = last.createdAt + f.playbook.cooldown;
    return { reason: 'cooldown', message: `cooling down for ${Math.ceil((retryAt - f.now) / 1000)}s more on this target`, retryAt };
  }
  if (f.onTargetLastHour >= f.playbook.maxPerHour) {
    return { reason: 'rate_limited', message: `${f.onTargetLastHour} actions on this target in the last hour (at most ${f.playbook.maxPerHour})` };
  }
  return null;
}

/**
 * Whether a pending action must wait for a slot. Dropping it instead would leave a real problem without
 * its remediation just because others were busy.
 */
export function mustWait(running: number, limits: EnvelopeLimits = DEFAULT_LIMITS): boolean {
  return running >= limits.maxConcurrent;
}

/** Statuses that count as a failed remediation for the circuit breaker; rejections and expiries do not. */
const FAILURES: readonly ActionStatus[] = ['failed', 'rolled_back'];

/** Failed actions since the last success, counting back from the newest of `finished` (newest first). */
export function consecutiveFailures(finished: readonly { status: ActionStatus }[]): number {
  let n = 0;
  for (const a of finished) {
    if (a.status === 'succeeded') break;
    if (FAILURES.includes(a.status)) n++;
  }
  return n;
}

/** Whether the breaker opens: the playbook turns itself off after `maxFailures` failed actions in a row. */
export function breakerTrips(finishedNewestFirst: readonly { status: ActionStatus }[], maxFailures: number): boolean {
  return consecutiveFailures(finishedNewestFirst) >= maxFailures;
}

export interface Approver {
  name: string;
  userId: string | null;
  role: Role;
}

const APPROVER_ROLES: readonly Role[] = ['manager', 'admin'];

function isStarter(action: HealingAction, who: Approver): boolean {
  if (action.startedByUserId !== null && who.userId !== null) return action.startedByUserId === who.userId;
  return action.startedBy === who.name;
}

/**
 * Checks an approval: the action must be waiting and not past its deadline; the approver must be a
 * MANAGER or ADMIN and not the person who started the action (four eyes).
 */
export function checkApproval(action: HealingAction, who: Approver, now: number): void {
  if (!APPROVER_ROLES.includes(who.role)) throw new AppError('forbidden', 'approving an action needs the manager or admin role');
  if (action.status !== 'awaiting_approval' || !action.approval) {
    throw new AppError('conflict', `action ${action.id} is ${action.status}, not awaiting_approval`);
  }
  if (now >= action.approval.expiresAt) {
    throw new AppError('conflict', `the approval of action ${action.id} expired at ${new Date(action.approval.expiresAt).toISOString()}`);
  }
  if (isStarter(action, who)) {
    throw new AppError('forbidden', 'the person who started an action cannot approve it', 'ask another manager or admin');
  }
}

/** Rejecting is allowed to any MANAGER or ADMIN, the starter included (withdrawing one's own action). */
export function checkRejection(action: HealingAction, who: Approver): void {
  if (!APPROVER_ROLES.includes(who.role)) throw new AppError('forbidden', 'rejecting an action needs the manager or admin role');
  if (action.status !== 'awaiting_approval') {
    throw new AppError('conflict', `action ${action.id} is ${action.status}, not awaiting_approval`);
  }
}

/** Whether a waiting approval has run out. */
export function approvalExpired(action: HealingAction, now: number): boolean {
  return action.status === 'awaiting_approval' && action.approval !== null && now >= action.approval.expiresAt;
}
