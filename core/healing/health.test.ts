import { describe, it, expect } from 'vitest';
import { healthCheckSchema, judgeHttp, nextCheckState, probeMetrics, probeSignal, checkFingerprint } from './health.js';
import { signalFingerprint } from './issues.js';

describe('health check definitions', () => {
  it('fills in defaults and reads durations', () => {
    const c = healthCheckSchema.parse({ name: 'api', type: 'http', url: 'http://api:8080/healthz', interval: '1m', timeout: 2 });
    expect(c).toMatchObject({ interval: 60_000, timeout: 2000, method: 'GET', expectStatus: [200, 204], failuresBeforeIssue: 1, severity: 'high' });
  });

  it('names the bad field', () => {
    const r = healthCheckSchema.safeParse({ name: 'x', type: 'command', argv: [] });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]!.path).toEqual(['argv']);
    const t = healthCheckSchema.safeParse({ name: 'x', type: 'tcp', host: 'db', port: 5432, interval: 'often' });
    expect(t.error!.issues[0]!.path).toEqual(['interval']);
  });

  it('refuses unknown check types and non-http URLs', () => {
    expect(healthCheckSchema.safeParse({ name: 'x', type: 'ping', host: 'a' }).success).toBe(false);
    expect(healthCheckSchema.safeParse({ name: 'x', type: 'http', url: 'file:///etc/passwd' }).success).toBe(false);
  });
});

describe('probe verdicts', () => {
  const spec = healthCheckSchema.parse({ name: 'api', type: 'http', url: 'http://api/healthz', expectStatus: 200, maxLatencyMs: 500 });

  it('fails on an unexpected status or a slow answer', () => {
    expect(judgeHttp(spec as never, 200, 20).ok).toBe(true);
    expect(judgeHttp(spec as never, 503, 20)).toMatchObject({ ok: false, error: 'status 503, expected 200' });
    expect(judgeHttp(spec as never, 200, 900)).toMatchObject({ ok: false, error: 'latency 900 ms over 500 ms' });
  });

  it('opens an issue after the configured number of failures and resolves on the first pass', () => {
    const twice = { ...spec, failuresBeforeIssue: 2 };
    const fail = { ok: false, latencyMs: 1, code: 503, error: 'down' };
    const s1 = nextCheckState(0, fail, twice);
    expect(s1).toEqual({ failures: 1, open: false, resolve: false });
    expect(nextCheckState(s1.failures, fail, twice)).toEqual({ failures: 2, open: true, resolve: false });
    expect(nextCheckState(2, { ok: true, latencyMs: 1, code: 200, error: null }, twice)).toEqual({ failures: 0, open: false, resolve: true });
  });

  it('turns a probe into metrics and into an issue signal with a stable fingerprint', () => {
    const result = { ok: false, latencyMs: 12.3456, code: 503, error: 'status 503, expected 200' };
    expect(probeMetrics(spec, result, 1000)).toEqual([
      { name: 'health_check_up', value: 0, at: 1000, tags: { check: 'api', type: 'http' } },
      { name: 'health_check_latency_ms', value: 12.346, at: 1000, tags: { check: 'api', type: 'http' } },
    ]);
    expect(signalFingerprint(probeSignal(spec, result, 1000))).toBe(checkFingerprint(spec));
  });
});
