import type { Issue, IssueSource, IssueStatus, IssueSeverity } from './issues.js';
import type { HealthCheck } from './health.js';
import type { HealingActionRepo } from './actions/ports.js';

// ---------------------------------------------------------------------------------------------
// Detection half (issues, detector state, health checks): owned by the detection engineer.
// ---------------------------------------------------------------------------------------------

export interface IssueFilter {
  status?: IssueStatus;
  source?: IssueSource;
  severity?: IssueSeverity;
  limit?: number;
}

/** Issues, one open issue per (organization, fingerprint). Every method filters by organization. */
export interface IssueRepo {
  getIssue(orgId: string, id: string): Promise<Issue | null>;
  /** The open issues among these fingerprints (any number; one round trip per few hundred). */
  findOpenIssues(orgId: string, fingerprints: readonly string[]): Promise<Issue[]>;
  listIssues(orgId: string, filter?: IssueFilter): Promise<Issue[]>;
  /** New issues, in few multi-row INSERTs. */
  insertIssues(issues: readonly Issue[]): Promise<void>;
  updateIssue(issue: Issue): Promise<void>;
}

/** What the action half needs to look an issue up (e.g. when a playbook is run with --issue ID). */
export type IssueLookup = (orgId: string, id: string) => Promise<Issue | null>;

/** The anomaly detector's state per series, persisted so it survives restarts. */
export interface DetectorStateRepo {
  getDetectorState(orgId: string, seriesKey: string): Promise<string | null>;
  putDetectorState(orgId: string, seriesKey: string, state: string, updatedAt: number): Promise<void>;
}

/** Configured health checks (by name, unique per organization). */
export interface HealthCheckRepo {
  putHealthCheck(check: HealthCheck): Promise<void>;
  listHealthChecks(orgId: string): Promise<HealthCheck[]>;
  removeHealthCheck(orgId: string, idOrName: string): Promise<boolean>;
}

/** Healing area repository (detection part). The action engineer appends its part below. */
export interface HealingDetectionRepo extends IssueRepo, DetectorStateRepo, HealthCheckRepo {}

// ---------------------------------------------------------------------------------------------
// Action half (playbooks, actions, approvals, jobs): owned by the action engineer. Append below.
// ---------------------------------------------------------------------------------------------

export type { HealingActionRepo, PlaybookRecord, ActionFilter } from './actions/ports.js';

/** The healing area's repository in Store (`store.healing`). */
export interface HealingRepo extends HealingDetectionRepo, HealingActionRepo {}
