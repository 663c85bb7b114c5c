import type { StepExecutors, StepResult } from '../../core/healing/actions/ports.js';
import type { Notifier } from '../../core/notify/ports.js';
import type { Clock } from '../../core/ports.js';
import { formatDuration } from '../../core/healing/playbooks/duration.js';
import { hostTarget, httpCall } from '../outbound/http.js';
import type { Outbound } from '../outbound/outbound.js';
import { runArgv } from './run-argv.js';

/** Latest value of a metric series (labels must all match), not older than `since`; null when none. */
export type MetricLatest = (orgId: string, name: string, labels: Record<string, string>, since: number) => Promise<{ value: number; at: number } | null>;
/** Runs a configured health check once. */
export type RunCheck = (orgId: string, name: string) => Promise<{ ok: boolean; detail: string }>;

export interface ExecutorDeps {
  clock: Clock;
  notifier: Notifier;
  /** `http` steps go out through it: a deadline per attempt, retries with backoff, a circuit breaker per host. */
  outbound: Outbound;
  /** Provided by the metrics side through the `healing.metricLatest` service. */
  metricLatest?: () => MetricLatest | undefined;
  /** Provided by the health monitor through the `healing.runCheck` service. */
  runCheck?: () => RunCheck | undefined;
  sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const COMPARE: Record<string, (a: number, b: number) => boolean> = {
  lt: (a, b) => a < b, lte: (a, b) => a <= b, gt: (a, b) => a > b, gte: (a, b) => a >= b, eq: (a, b) => a === b, ne: (a, b) => a !== b,
};

/** The daemon's step executors: programs without a shell, HTTP with undici, verification by polling. */
export function createStepExecutors(deps: ExecutorDeps): StepExecutors {
  const sleep = deps.sleep ?? defaultSleep;
  return {
    async exec(step): Promise<StepResult> {
      const r = await runArgv({ argv: step.argv, env: step.env, ...(step.cwd ? { cwd: step.cwd } : {}), timeoutMs: step.timeout, maxOutput: step.maxOutput });
      const output = { stdout: r.stdout, stderr: r.stderr, exitCode: r.exitCode, signal: r.signal, truncated: r.truncated, timedOut: r.timedOut };
      if (r.spawnError) return { ok: false, output, error: `cannot start ${step.argv[0]}: ${r.spawnError}` };
      if (r.timedOut) return { ok: false, output, error: `timed out after ${formatDuration(step.timeout)} and was killed` };
      if (r.exitCode === null || !step.okExitCodes.includes(r.exitCode)) {
        return { ok: false, output, error: r.exitCode === null ? `killed by ${r.signal}` : `exit code ${r.exitCode}` };
      }
      return { ok: true, output };
    },

    async http(step, meta): Promise<StepResult> {
      const headers = { ...(step.body !== undefined && !hasHeader(step.headers, 'content-type') ? { 'content-type': guessType(step.body) } : {}), ...step.headers };
      try {
        const res = await httpCall(deps.outbound, hostTarget('http', step.url), step.url, {
          method: step.method as 'GET', headers, ...(step.body !== undefined ? { body: step.body } : {}),
          timeoutMs: step.timeout, maxBody: step.maxOutput, expect: step.expectStatus ?? undefined,
          // A playbook author who marks a step idempotent says a POST may be sent twice.
          ...(meta.idempotent ? { repeatable: true } : {}),
          orgId: meta.orgId, subject: meta.actionId,
        });
        const ok = step.expectStatus ? step.expectStatus.includes(res.status) : res.status >= 200 && res.status < 300;
        const output = { status: res.status, body: res.body, truncated: res.truncated };
        return ok ? { ok, output } : { ok, output, error: `status ${res.status}, expected ${step.expectStatus ? step.expectStatus.join(' or ') : '2xx'}` };
      } catch (e) {
        const message = (e as Error).message;
        const timedOut = /timed out after \d+ ms/.test(message);
        const attempts = /failed after (\d+) attempts/.exec(message)?.[1];
        const error = timedOut ? `no answer within ${formatDuration(step.timeout)}${attempts ? ` (${attempts} attempts)` : ''}` : message;
        return { ok: false, output: { timedOut }, error };
      }
    },

    async wait(step): Promise<StepResult> {
      await sleep(step.duration);
      return { ok: true, output: { detail: `waited ${formatDuration(step.duration)}` } };
    },

    async verify(step, meta): Promise<StepResult> {
      const started = deps.clock.now();
      const deadline = started + step.within;
      let last = 'no observation yet';
      let value: number | null = null;
      for (;;) {
        if (step.metric !== undefined && step.condition) {
          const latest = deps.metricLatest?.();
          if (!latest) return { ok: false, output: {}, error: 'no metric source is available to verify with' };
          // Only observations made since the step began count: a value from before the remedy proves nothing.
          const point = await latest(meta.orgId, step.metric, step.labels, started);
          value = point?.value ?? null;
          const holds = point !== null && COMPARE[step.condition.op]!(point.value, step.condition.value);
          last = point === null ? `no recent value of ${step.metric}` : `${step.metric} = ${point.value}, wanted ${step.condition.op} ${step.condition.value}`;
          if (holds) return { ok: true, output: { value, detail: last } };
        } else if (step.check !== undefined) {
          const run = deps.runCheck?.();
          if (run) {
            const r = await run(meta.orgId, step.check);
            last = `check ${step.check}: ${r.detail}`;
            if (r.ok) return { ok: true, output: { detail: last } };
          } else {
            // Without a way to probe on demand, the health monitor's own results (health_check_up) decide.
            const latest = deps.metricLatest?.();
            if (!latest) return { ok: false, output: {}, error: 'no health monitor is available to verify with' };
            const point = await latest(meta.orgId, 'health_check_up', { check: step.check }, started);
            last = point === null ? `no result of check ${step.check} yet` : `check ${step.check} ${point.value === 1 ? 'passed' : 'failed'}`;
            if (point?.value === 1) return { ok: true, output: { value: 1, detail: last } };
          }
        }
        const now = deps.clock.now();
        if (now + step.interval > deadline) break;
        await sleep(step.interval);
      }
      return { ok: false, output: { value, detail: last }, error: `${last} (not within ${formatDuration(step.within)})` };
    },

    async notify(step, meta): Promise<StepResult> {
      const r = await deps.notifier.send(meta.orgId, {
        channel: step.channel, text: step.text, source: 'healing', subjectId: meta.actionId,
        ...(step.subject !== undefined ? { subject: step.subject } : {}),
        ...(step.to ? { to: step.to } : {}),
        ...(step.webhook !== undefined ? { webhook: step.webhook } : {}),
      });
      return r.ok ? { ok: true, output: { detail: r.detail } } : { ok: false, output: { detail: r.detail }, error: r.detail };
    },
  };
}

function hasHeader(headers: Record<string, string>, name: string): boolean {
  return Object.keys(headers).some((k) => k.toLowerCase() === name);
}

function guessType(body: string): string {
  const t = body.trimStart();
  return t.startsWith('{') || t.startsWith('[') ? 'application/json' : 'text/plain; charset=utf-8';
}
