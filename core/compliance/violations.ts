/**
 * The violation lifecycle: pending (breach inside its grace period) → open → acknowledged →
 * resolved, or waived with a reason until an expiry. Evaluation drives the automatic moves
 * (reconcile); people drive ack, resolve and waive. Every function here is pure.
 */
import { AppError, conflict } from '../errors.js';
import type { EntityKind } from './entities.js';
import type { Finding } from './evaluate.js';
import type { ComplianceRule, Severity } from './rule.js';

export const VIOLATION_STATUSES = ['pending', 'open', 'acknowledged', 'resolved', 'waived'] as const;
export type ViolationStatus = (typeof VIOLATION_STATUSES)[number];

/** Statuses in which a violation still belongs to its (rule, entity): at most one such per pair. */
export const ACTIVE_STATUSES: readonly ViolationStatus[] = ['pending', 'open', 'acknowledged', 'waived'];

export type Resolution = 'cleared' | 'manual' | 'rule_changed';

export interface Violation {
  id: string;
  orgId: string;
  ruleId: string;
  ruleName: string;
  ruleType: ComplianceRule['type'];
  severity: Severity;
  entityKind: EntityKind;
  entityId: string;
  teamId: string | null;
  /** The task priority, for SLA attainment per priority; null for actions. */
  priority: string | null;
  status: ViolationStatus;
  message: string;
  /** When the entity began failing the rule. */
  since: number;
  /** When evaluation first recorded it (pending or open). */
  detectedAt: number;
  /** When it became a violation that counts (grace over); null while pending or if it never did. */
  openedAt: number | null;
  acknowledgedAt: number | null;
  acknowledgedBy: string | null;
  resolvedAt: number | null;
  resolvedBy: string | null;
  resolution: Resolution | null;
  waivedAt: number | null;
  waivedBy: string | null;
  waiverReason: string | null;
  waiverExpiresAt: number | null;
  updatedAt: number;
}

/** What reconcile decided: a violation to insert or update, and the event it deserves. */
export type Transition =
  | { kind: 'none' }
  | { kind: 'create'; violation: Violation; event: 'violation.detected' | null }
  | { kind: 'update'; violation: Violation; event: 'violation.detected' | 'violation.resolved' | null };

export const NONE: Transition = Object.freeze({ kind: 'none' }) as Transition;

export interface Subject {
  entityKind: EntityKind;
  entityId: string;
  teamId: string | null;
  priority: string | null;
}

const SYSTEM = 'system:compliance';

/**
 * Moves the active violation of (rule, entity), if any, to where the finding says it should be.
 * `newId` is called only when a violation is created.
 */
export function reconcile(rule: ComplianceRule, subject: Subject, current: Violation | undefined, finding: Finding, now: number, newId: () => string): Transition {
  if (current && !ACTIVE_STATUSES.includes(current.status)) current = undefined;
  if (finding.state === 'ok') {
    if (!current) return NONE;
    // A pending breach that cleared within its grace period never counted: no event.
    const event = current.status === 'pending' ? null : 'violation.resolved';
    return { kind: 'update', violation: { ...current, status: 'resolved', resolvedAt: now, resolvedBy: SYSTEM, resolution: 'cleared', updatedAt: now }, event };
  }
  const since = finding.since ?? now;
  if (!current) {
    const open = finding.state === 'breach';
    const violation: Violation = {
      id: newId(), orgId: rule.orgId, ruleId: rule.id, ruleName: rule.name, ruleType: rule.type, severity: rule.severity,
      entityKind: subject.entityKind, entityId: subject.entityId, teamId: subject.teamId, priority: subject.priority,
      status: open ? 'open' : 'pending', message: finding.message, since, detectedAt: now,
      openedAt: open ? Math.max(finding.graceEndsAt ?? now, since) : null,
      acknowledgedAt: null, acknowledgedBy: null, resolvedAt: null, resolvedBy: null, resolution: null,
      waivedAt: null, waivedBy: null, waiverReason: null, waiverExpiresAt: null, updatedAt: now,
    };
    return { kind: 'create', violation, event: open ? 'violation.detected' : null };
  }
  if (current.status === 'pending') {
    if (finding.state === 'pending') return sameMessage(current, finding.message, now);
    return { kind: 'update', violation: { ...current, status: 'open', openedAt: finding.graceEndsAt ?? now, message: finding.message, updatedAt: now }, event: 'violation.detected' };
  }
  if (current.status === 'waived' && current.waiverExpiresAt !== null && current.waiverExpiresAt <= now) {
    // The waiver ran out while the breach goes on: it counts again.
    return { kind: 'update', violation: { ...current, status: 'open', message: finding.message, updatedAt: now }, event: 'violation.detected' };
  }
  return sameMessage(current, finding.message, now);
}

function sameMessage(current: Violation, message: string, now: number): Transition {
  if (current.message === message || message === '') return NONE;
  return { kind: 'update', violation: { ...current, message, updatedAt: now }, event: null };
}

/** open → acknowledged. */
export function acknowledge(v: Violation, by: string, now: number): Violation {
  if (v.status !== 'open') throw conflict(`violation ${v.id} is ${v.status}, only an open one can be acknowledged`);
  return { ...v, status: 'acknowledged', acknowledgedAt: now, acknowledgedBy: by, updatedAt: now };
}

/**
 * Closes a violation by hand. If the breach goes on, the next evaluation opens a new violation:
 * a breach that must be tolerated is waived, not resolved.
 */
export function resolveByHand(v: Violation, by: string, now: number): Violation {
  if (v.status === 'resolved') throw conflict(`violation ${v.id} is already resolved`);
  return { ...v, status: 'resolved', resolvedAt: now, resolvedBy: by, resolution: 'manual', updatedAt: now };
}

/** Default life of a waiver without an explicit expiry. */
export const DEFAULT_WAIVER_MS = 30 * 86_400_000;

/** Accepts a breach for a while, with a reason; it reopens at expiry if the breach is still there. */
export function waive(v: Violation, by: string, reason: string, expiresAt: number | null, now: number): Violation {
  if (v.status === 'resolved') throw conflict(`violation ${v.id} is resolved, there is nothing to waive`);
  const why = reason.trim();
  if (why === '') throw new AppError('usage', 'a waiver needs a reason', 'pass --reason "..."');
  const until = expiresAt ?? now + DEFAULT_WAIVER_MS;
  if (until <= now) throw new AppError('usage', 'a waiver must expire in the future', 'pass --expires with a future date or a duration such as 14d');
  return { ...v, status: 'waived', waivedAt: now, waivedBy: by, waiverReason: why, waiverExpiresAt: until, updatedAt: now };
}

/** Resolves the active violations of a rule that was disabled, deleted or rewritten. */
export function closeForRuleChange(v: Violation, now: number): Transition {
  if (!ACTIVE_STATUSES.includes(v.status)) return NONE;
  const event = v.status === 'pending' ? null : 'violation.resolved';
  return { kind: 'update', violation: { ...v, status: 'resolved', resolvedAt: now, resolvedBy: SYSTEM, resolution: 'rule_changed', updatedAt: now }, event };
}

/** A violation that counts against compliance now: open or acknowledged (not pending, waived or resolved). */
export function counts(v: Violation): boolean {
  return v.status === 'open' || v.status === 'acknowledged';
}
