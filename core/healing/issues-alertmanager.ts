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

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const optString = (v: unknown): boolean => v === undefined || typeof v === 'string';
const isStatus = (v: unknown): boolean => v === 'firing' || v === 'resolved';
function isStringMap(v: unknown): boolean {
  if (!isObject(v)) return false;
  for (const k in v) if (typeof v[k] !== 'string') return false;
  return true;
}

/**
 * The same rules as alertmanagerPayloadSchema, checked by hand: zod walked every field of every alert
 * and cost a tenth of a deduplicated alert. Never looser than the schema (a test holds them together).
 */
export function isAlertmanagerPayload(v: unknown): v is AlertmanagerPayload {
  if (!isObject(v)) return false;
  if (!optString(v.version) || !optString(v.groupKey) || !optString(v.receiver) || !optString(v.externalURL)) return false;
  if (v.truncatedAlerts !== undefined && typeof v.truncatedAlerts !== 'number') return false;
  if (v.status !== undefined && !isStatus(v.status)) return false;
  for (const m of [v.groupLabels, v.commonLabels, v.commonAnnotations]) if (m !== undefined && !isStringMap(m)) return false;
  const alerts = v.alerts;
  if (!Array.isArray(alerts) || alerts.length > 10_000) return false;
  for (const a of alerts) {
    if (!isObject(a) || !isStatus(a.status) || !isStringMap(a.labels)) return false;
    if (a.annotations !== undefined && !isStringMap(a.annotations)) return false;
    if (!optString(a.startsAt) || !optString(a.endsAt) || !optString(a.generatorURL) || !optString(a.fingerprint)) return false;
  }
  return true;
}

/** The webhook body: the hand check for the usual good body; the schema only to say what is wrong with a bad one. */
export const alertmanagerBodySchema = z.unknown().superRefine((value, ctx) => {
  if (isAlertmanagerPayload(value)) return;
  const r = alertmanagerPayloadSchema.safeParse(value);
  if (r.success) return;
  for (const issue of r.error.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
}) as unknown as z.ZodType<AlertmanagerPayload>;

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
