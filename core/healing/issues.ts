import { hash } from 'node:crypto';

/** Where an issue came from. */
export type IssueSource = 'anomaly' | 'alert' | 'health_check' | 'manual';
export type IssueSeverity = 'low' | 'medium' | 'high' | 'critical';
export type IssueStatus = 'open' | 'resolved';

export const ISSUE_SEVERITIES: readonly IssueSeverity[] = ['low', 'medium', 'high', 'critical'];
export const ISSUE_SOURCES: readonly IssueSource[] = ['anomaly', 'alert', 'health_check', 'manual'];

/**
 * A problem the self-healing engine knows about. One open issue per fingerprint: repeated signals
 * for the same thing raise `occurrences` and `lastSeenAt` instead of opening another issue.
 */
export interface Issue {
  id: string;
  organizationId: string;
  fingerprint: string;
  source: IssueSource;
  severity: IssueSeverity;
  status: IssueStatus;
  title: string;
  description: string | null;
  /** Identifying labels (alertname, service, instance, metric, check …): playbook triggers match on these. */
  labels: Record<string, string>;
  /** Free-form extra text (Alertmanager annotations, check error). */
  annotations: Record<string, string>;
  /** The metric series behind the issue, when there is one. */
  metric: string | null;
  /** The observed value that raised or last refreshed the issue. */
  value: number | null;
  /** Anomaly score in [0,1] for anomaly issues. */
  score: number | null;
  occurrences: number;
  firstSeenAt: number;
  lastSeenAt: number;
  resolvedAt: number | null;
  /** 'alert_resolved' | 'check_passed' | 'manual' | 'anomaly_cleared' | free text. */
  resolution: string | null;
  resolvedBy: string | null;
}

/** What a detector (alert intake, anomaly detector, health monitor) reports. */
export interface IssueSignal {
  source: IssueSource;
  severity: IssueSeverity;
  title: string;
  description?: string | null;
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  metric?: string | null;
  value?: number | null;
  score?: number | null;
  /** Explicit fingerprint (Alertmanager sends one); otherwise derived from source + labels. */
  fingerprint?: string;
  /** When the signal was seen (receipt time for alerts). */
  at: number;
  /** When the problem began, if the sender knows (Alertmanager's startsAt); defaults to `at`. */
  startedAt?: number;
}

/** Stable identity of "the same problem": source plus sorted labels. */
export function issueFingerprint(source: IssueSource, labels: Record<string, string>): string {
  const keys = Object.keys(labels).sort();
  // one string hashed in one call (the same bytes, so the same fingerprints, as hashing piece by piece):
  // a call into the hash per label was a fifth of the cost of a deduplicated alert
  let text: string = source;
  for (const k of keys) text += `\u0000${k}\u0001${labels[k]}`;
  return hash('sha256', text, 'hex').slice(0, 24);
}

export function signalFingerprint(signal: IssueSignal): string {
  return signal.fingerprint ? `${signal.source}:${signal.fingerprint}` : issueFingerprint(signal.source, signal.labels);
}

const SEVERITY_RANK: Record<IssueSeverity, number> = { low: 0, medium: 1, high: 2, critical: 3 };

export function severityAtLeast(a: IssueSeverity, b: IssueSeverity): boolean {
  return SEVERITY_RANK[a] >= SEVERITY_RANK[b];
}

export function maxSeverity(a: IssueSeverity, b: IssueSeverity): IssueSeverity {
  return SEVERITY_RANK[a] >= SEVERITY_RANK[b] ? a : b;
}

/** A new open issue for a signal that matches no open issue (`fingerprint` if the caller has it already). */
export function openIssue(id: string, organizationId: string, signal: IssueSignal, fingerprint = signalFingerprint(signal)): Issue {
  return {
    id,
    organizationId,
    fingerprint,
    source: signal.source,
    severity: signal.severity,
    status: 'open',
    title: signal.title,
    description: signal.description ?? null,
    labels: { ...signal.labels },
    annotations: { ...(signal.annotations ?? {}) },
    metric: signal.metric ?? null,
    value: signal.value ?? null,
    score: signal.score ?? null,
    occurrences: 1,
    firstSeenAt: Math.min(signal.startedAt ?? signal.at, signal.at),
    lastSeenAt: signal.at,
    resolvedAt: null,
    resolution: null,
    resolvedBy: null,
  };
}

/** The same problem seen again while its issue is open: refresh it, keep the worst severity. */
export function refreshIssue(issue: Issue, signal: IssueSignal, times = 1): Issue {
  return {
    ...issue,
    severity: maxSeverity(issue.severity, signal.severity),
    annotations: { ...issue.annotations, ...(signal.annotations ?? {}) },
    value: signal.value ?? issue.value,
    score: signal.score ?? issue.score,
    occurrences: issue.occurrences + times,
    lastSeenAt: Math.max(issue.lastSeenAt, signal.at),
  };
}

export function resolveIssue(issue: Issue, at: number, resolution: string, resolvedBy: string | null): Issue {
  return { ...issue, status: 'resolved', resolvedAt: at, resolution, resolvedBy };
}

/** Payload of the `issue.detected` and `issue.resolved` events (subject = issue id). */
export interface IssueEventData {
  issue: Issue;
}

export const ISSUE_DETECTED = 'issue.detected';
export const ISSUE_RESOLVED = 'issue.resolved';

/** JSON shape for API/CLI output: times as ISO-8601. */
export function issueToJson(issue: Issue): Record<string, unknown> {
  const iso = (t: number | null): string | null => (t === null ? null : new Date(t).toISOString());
  return {
    ...issue,
    firstSeenAt: iso(issue.firstSeenAt),
    lastSeenAt: iso(issue.lastSeenAt),
    resolvedAt: iso(issue.resolvedAt),
  };
}
