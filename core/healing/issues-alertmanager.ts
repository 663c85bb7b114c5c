import { z } from 'zod';
import type { IssueSeverity, IssueSignal } from './issues.js';

const stringMap = z.record(z.string(), z.string());

/** Prometheus Alertmanager webhook payload, version 4 (unknown extra fields are ignored). */
export const alertmanagerPayloadSchema = z.object({
  version: z.string().optional(),
  groupKey: z.string().optional(),
  truncatedAlerts: z.number().optional(),
  status: z.enum(['firing', 'resolved']).optional(),
  receiver: z.string().optional(),
  groupLabels: stringMap.optional(),
  commonLabels: stringMap.optional(),
  commonAnnotations: stringMap.optional(),
  externalURL: z.string().optional(),
  alerts: z
    .array(
      z.object({
        status: z.enum(['firing', 'resolved']),
        labels: stringMap,
        annotations: stringMap.optional(),
        startsAt: z.string().optional(),
        endsAt: z.string().optional(),
        generatorURL: z.string().optional(),
        fingerprint: z.string().optional(),
      }),
    )
    .max(10_000),
});
export type AlertmanagerPayload = z.infer<typeof alertmanagerPayloadSchema>;

/** Alertmanager severities vary by team; map the usual words onto ours. */
export function alertSeverity(label: string | undefined): IssueSeverity {
  switch ((label ?? '').toLowerCase()) {
    case 'critical':
    case 'page':
    case 'emergency':
    case 'p1':
      return 'critical';
    case 'high':
    case 'error':
    case 'major':
    case 'p2':
      return 'high';
    case 'low':
    case 'info':
    case 'none':
    case 'p4':
      return 'low';
    default:
      return 'medium';
  }
}

export interface AlertChange {
  kind: 'firing' | 'resolved';
  signal: IssueSignal;
}

/**
 * Turns a webhook payload into issue signals. The fingerprint comes from the alert's labels (as
 * Alertmanager's own does), so the same alert posted again, by any receiver, lands on one issue.
 */
export function alertChanges(payload: AlertmanagerPayload, now: number): AlertChange[] {
  return payload.alerts.map((a) => {
    const labels = a.labels;
    const annotations = { ...(payload.commonAnnotations ?? {}), ...(a.annotations ?? {}) };
    const startsAt = a.startsAt ? Date.parse(a.startsAt) : NaN;
    const endsAt = a.endsAt ? Date.parse(a.endsAt) : NaN;
    // firing: seen now, begun at startsAt; resolved: ended at endsAt (if the sender's clock is sane)
    const at = a.status === 'resolved' && Number.isFinite(endsAt) && endsAt > 0 ? endsAt : now;
    const name = labels.alertname ?? 'alert';
    return {
      kind: a.status,
      signal: {
        source: 'alert',
        severity: alertSeverity(labels.severity),
        title: annotations.summary ?? name,
        description: annotations.description ?? null,
        labels,
        annotations,
        at,
        ...(Number.isFinite(startsAt) && startsAt > 0 ? { startedAt: startsAt } : {}),
      },
    };
  });
}
