import { z } from 'zod';
import { parseDuration, type MetricPoint } from '../metrics/model.js';
import { issueFingerprint, type IssueSeverity, type IssueSignal } from './issues.js';

const duration = (fallback: string) =>
  z
    .union([z.number().positive(), z.string()])
    .default(fallback)
    .transform((v, ctx) => {
      const ms = typeof v === 'number' ? v * 1000 : parseDuration(v);
      if (ms === null || ms <= 0) {
        ctx.addIssue({ code: 'custom', message: `"${v}" is not a duration like 30s, 5m or 1h` });
        return z.NEVER;
      }
      return ms;
    });

const base = {
  name: z.string().regex(/^[a-zA-Z0-9_.-]{1,100}$/, 'letters, digits, dot, dash, underscore'),
  interval: duration('30s'),
  timeout: duration('5s'),
  severity: z.enum(['low', 'medium', 'high', 'critical']).default('high'),
  /** Consecutive failures before an issue opens (flapping checks stay quiet). */
  failuresBeforeIssue: z.number().int().min(1).max(100).default(1),
  labels: z.record(z.string(), z.string()).default({}),
  enabled: z.boolean().default(true),
};

/** A configured health check, validated when added (errors carry the path of the bad field). */
export const healthCheckSchema = z.discriminatedUnion('type', [
  z.object({
    ...base,
    type: z.literal('http'),
    url: z.url({ protocol: /^https?$/ }),
    method: z.enum(['GET', 'HEAD', 'POST']).default('GET'),
    expectStatus: z.union([z.number().int(), z.array(z.number().int()).min(1)]).default([200, 204]),
    maxLatencyMs: z.number().positive().optional(),
  }),
  z.object({
    ...base,
    type: z.literal('tcp'),
    host: z.string().min(1).max(255),
    port: z.number().int().min(1).max(65535),
  }),
  z.object({
    ...base,
    type: z.literal('command'),
    // an argv array, run without a shell
    argv: z.array(z.string()).min(1),
    expectExit: z.number().int().default(0),
  }),
]);
export type HealthCheckSpec = z.output<typeof healthCheckSchema>;

export interface HealthCheck {
  id: string;
  organizationId: string;
  spec: HealthCheckSpec;
  createdAt: number;
}

/** What a runner (server/health) reports for one probe. */
export interface ProbeResult {
  ok: boolean;
  latencyMs: number;
  /** HTTP status or exit code, when there is one. */
  code: number | null;
  error: string | null;
}

/** The HTTP verdict: expected status and, when set, latency under the limit. */
export function judgeHttp(spec: Extract<HealthCheckSpec, { type: 'http' }>, status: number, latencyMs: number): ProbeResult {
  const expected = Array.isArray(spec.expectStatus) ? spec.expectStatus : [spec.expectStatus];
  if (!expected.includes(status)) return { ok: false, latencyMs, code: status, error: `status ${status}, expected ${expected.join('/')}` };
  if (spec.maxLatencyMs !== undefined && latencyMs > spec.maxLatencyMs) {
    return { ok: false, latencyMs, code: status, error: `latency ${Math.round(latencyMs)} ms over ${spec.maxLatencyMs} ms` };
  }
  return { ok: true, latencyMs, code: status, error: null };
}

export function checkLabels(spec: HealthCheckSpec): Record<string, string> {
  return { ...spec.labels, check: spec.name, type: spec.type };
}

export function checkFingerprint(spec: HealthCheckSpec): string {
  return issueFingerprint('health_check', { check: spec.name, type: spec.type });
}

/** Each probe becomes two points: `health_check_up` (1/0) and `health_check_latency_ms`. */
export function probeMetrics(spec: HealthCheckSpec, result: ProbeResult, at: number): MetricPoint[] {
  const tags = { check: spec.name, type: spec.type };
  return [
    { name: 'health_check_up', value: result.ok ? 1 : 0, at, tags },
    { name: 'health_check_latency_ms', value: Math.round(result.latencyMs * 1000) / 1000, at, tags },
  ];
}

export function probeSignal(spec: HealthCheckSpec, result: ProbeResult, at: number): IssueSignal {
  return {
    source: 'health_check',
    severity: spec.severity as IssueSeverity,
    title: `health check ${spec.name} failing: ${result.error ?? 'failed'}`,
    description: result.error,
    labels: { check: spec.name, type: spec.type },
    annotations: { ...spec.labels, ...(result.error ? { error: result.error } : {}) },
    metric: 'health_check_up',
    value: result.code,
    at,
  };
}

/** Consecutive-failure bookkeeping per check: when to open and when to resolve. */
export function nextCheckState(failures: number, result: ProbeResult, spec: HealthCheckSpec): { failures: number; open: boolean; resolve: boolean } {
  if (result.ok) return { failures: 0, open: false, resolve: true };
  const f = failures + 1;
  return { failures: f, open: f >= spec.failuresBeforeIssue, resolve: false };
}
