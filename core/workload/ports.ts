/** What the workload engine needs from the store, and what it offers the router. */
import type { LevelChange, RiskLevel } from './levels.js';
import type { FactorContribution } from './burnout.js';
import type { WorkloadSnapshot } from './snapshots.js';

export interface SnapshotQuery {
  memberId?: string;
  teamId?: string;
  /** Local days, YYYY-MM-DD, inclusive. */
  from?: string;
  to?: string;
}

/** Where a page of snapshots starts: after this (member, day), in that order. */
export interface SnapshotPage {
  after?: { memberId: string; day: string };
  limit: number;
}

/** A member's current risk level, kept so hysteresis survives restarts. */
export interface RiskState {
  memberId: string;
  level: RiskLevel;
  score: number;
  day: string;
  updatedAt: number;
}

export interface WorkloadAlert extends LevelChange {
  id: string;
  orgId: string;
  at: number;
  factors: FactorContribution[];
}

export interface OnCallShift {
  memberId: string;
  start: number;
  end: number;
}

export interface WorkloadRepo {
  /** Extends each member's latest shift to `to` when it ended at or after `from`, else starts a new one. */
  recordOnCall(orgId: string, memberIds: readonly string[], from: number, to: number): Promise<void>;
  onCallShifts(orgId: string, since: number): Promise<OnCallShift[]>;
  /** Inserts or replaces snapshots by (member, day). */
  upsertSnapshots(orgId: string, snapshots: readonly WorkloadSnapshot[]): Promise<void>;
  listSnapshots(orgId: string, query?: SnapshotQuery): Promise<WorkloadSnapshot[]>;
  /** One page in (member, day) order: at most `limit` snapshots after the `after` position. */
  pageSnapshots(orgId: string, query: SnapshotQuery, page: SnapshotPage): Promise<WorkloadSnapshot[]>;
  /** The latest day with any snapshot, or null. */
  latestDay(orgId: string): Promise<string | null>;
  riskStates(orgId: string): Promise<RiskState[]>;
  setRiskState(orgId: string, state: RiskState): Promise<void>;
  /** Stores an alert; false when one with the same id exists (another daemon raised it first). */
  insertAlert(alert: WorkloadAlert): Promise<boolean>;
  listAlerts(orgId: string, options?: { memberId?: string; limit?: number }): Promise<WorkloadAlert[]>;
}

/** What routing weighs when choosing a member: how loaded and how at risk each candidate is. */
export interface WorkloadSignal {
  memberId: string;
  activeTasks: number;
  maxConcurrent: number;
  /** activeTasks / maxConcurrent. */
  load: number;
  /** Latest burnout score 0-100, null when no snapshot exists yet. */
  burnoutScore: number | null;
  riskLevel: RiskLevel;
}

/** The port the router calls; the daemon wires the workload module's implementation into it. */
export interface WorkloadSignals {
  forMembers(orgId: string, memberIds: readonly string[]): Promise<Map<string, WorkloadSignal>>;
}
