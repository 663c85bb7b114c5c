import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { AppError } from '../../core/errors.js';
import { systemActor } from '../../core/model.js';
import type { Clock, Commit } from '../../core/ports.js';
import type { Logger } from '../log.js';
import { formatTraceparent, runInSpan, type Tracing } from '../tracing/tracing.js';
import { CircuitBreaker, type BreakerOptions, type CircuitState } from './breaker.js';

/** Thrown by a call to say "do not retry this" (a 4xx, a bad address): it still counts as a failure. */
export class NonRetryable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NonRetryable';
  }
}

export interface CallOptions {
  /** Per attempt (default 10 s); the attempt's AbortSignal fires when it passes. */
  timeoutMs?: number;
  /** Extra attempts after the first (default 2). Pass 0 for calls that must not repeat. */
  retries?: number;
  /** Whether an attempt that timed out is tried again (default true); false when it may have taken effect. */
  retryTimeouts?: boolean;
  /** First backoff (default 250 ms), doubled per attempt with full jitter, capped at 5 s. */
  backoffMs?: number;
  /** With an organisation, a final failure is also published as an `outbound.failed` event. */
  orgId?: string;
  /** What the call was for (`act_…`, `vio_…`), carried in the failure record. */
  subject?: string;
  /**
   * The caller's own cancellation (a user who stopped waiting): the attempt is aborted, nothing is retried,
   * and the call is not held against the target. The call rejects with the signal's reason.
   */
  signal?: AbortSignal;
}

export interface Attempt {
  signal: AbortSignal;
  attempt: number;
  /** Headers to send: `traceparent` of this call's client span. */
  headers: Record<string, string>;
}

export interface FailureRecord {
  target: string;
  at: number;
  attempts: number;
  error: string;
  subject: string | null;
}

export interface TargetStatus {
  target: string;
  state: CircuitState;
  consecutiveFailures: number;
  calls: number;
  failures: number;
  lastError: string | null;
  lastFailureAt: number | null;
}

export interface OutboundDeps {
  clock: Clock;
  log: Logger;
  metrics?: Registry;
  tracing?: Tracing;
  commit?: Commit;
  breaker?: BreakerOptions;
  /** Tests pass a fake; the daemon waits for real. */
  sleep?: (ms: number) => Promise<void>;
}

interface Target {
  breaker: CircuitBreaker;
  calls: number;
  failures: number;
  lastError: string | null;
  lastFailureAt: number | null;
}

/** URLs (webhooks carry their secret in the path) are cut to their origin before anything is recorded. */
export const redact = (text: string): string => text.replace(/\b([a-z][a-z0-9+.-]*:\/\/)(?:[^\s/@]+@)?([^\s/?#]+)[^\s]*/gi, '$1$2/…');

const sleepFor = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms).unref());

/**
 * The one way out of the daemon (Slack, SMTP, calendars, Claude, http playbook steps): a timeout per
 * attempt, retries with exponential backoff and jitter, a circuit breaker per target, a client span whose
 * `traceparent` goes with the call, and every final failure counted, logged and kept where `GET
 * /v1/outbound` (and, with an organisation, the event stream) shows it.
 */
export class Outbound {
  private readonly targets = new Map<string, Target>();
  private readonly recent: FailureRecord[] = [];
  private readonly calls?: Counter<'target' | 'outcome'>;
  private readonly duration?: Histogram<'target'>;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly deps: OutboundDeps) {
    this.sleep = deps.sleep ?? sleepFor;
    if (deps.metrics) {
      this.calls = new Counter({ name: 'outbound_calls_total', help: 'Outbound calls by target and outcome (ok, failed, rejected by an open circuit, cancelled by the caller)', labelNames: ['target', 'outcome'], registers: [deps.metrics] });
      this.duration = new Histogram({ name: 'outbound_call_duration_seconds', help: 'Outbound call latency including retries', labelNames: ['target'], buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30], registers: [deps.metrics] });
      const targets = this.targets;
      const clock = deps.clock;
      new Gauge({
        name: 'outbound_circuit_open', help: '1 while the circuit of an outbound target is open or half-open', labelNames: ['target'], registers: [deps.metrics],
        collect() {
          this.reset();
          for (const [name, t] of targets) this.set({ target: name }, t.breaker.state(clock.now()) === 'closed' ? 0 : 1);
        },
      });
    }
  }

  private target(name: string): Target {
    let t = this.targets.get(name);
    if (!t) {
      t = { breaker: new CircuitBreaker(this.deps.breaker ?? { threshold: 5, cooldownMs: 30_000 }), calls: 0, failures: 0, lastError: null, lastFailureAt: null };
      this.targets.set(name, t);
    }
    return t;
  }

  async call<T>(targetName: string, fn: (a: Attempt) => Promise<T>, opts: CallOptions = {}): Promise<T> {
    const cancel = opts.signal;
    if (cancel?.aborted) throw cancel.reason;
    const t = this.target(targetName);
    const now = this.deps.clock.now();
    if (!t.breaker.allow(now)) {
      this.calls?.inc({ target: targetName, outcome: 'rejected' });
      const wait = Math.ceil(t.breaker.retryInMs(now) / 1000);
      throw new AppError('unavailable', `${targetName} is failing (circuit open after ${t.breaker.consecutiveFailures} failures: ${t.lastError ?? 'unknown'}); next try in ${wait} s`);
    }
    t.calls++;
    const started = process.hrtime.bigint();
    const retries = opts.retries ?? 2;
    const timeoutMs = opts.timeoutMs ?? 10_000;
    const cancelled = (): never => {
      t.breaker.release();
      this.calls?.inc({ target: targetName, outcome: 'cancelled' });
      throw cancel!.reason;
    };
    let lastErr: unknown;
    let attempt = 0;
    for (; attempt <= retries; attempt++) {
      if (attempt > 0) {
        const cap = Math.min(5000, (opts.backoffMs ?? 250) * 2 ** (attempt - 1));
        await this.sleep(Math.round(cap / 2 + Math.random() * (cap / 2)));
        if (cancel?.aborted) cancelled();
      }
      const span = this.deps.tracing?.child(`${targetName}`, 'client', { 'foundry.outbound.target': targetName, 'foundry.outbound.attempt': attempt });
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
      const onCancel = (): void => controller.abort(cancel!.reason);
      cancel?.addEventListener('abort', onCancel, { once: true });
      try {
        const headers: Record<string, string> = span ? { traceparent: formatTraceparent(span) } : {};
        const run = (): Promise<T> => fn({ signal: controller.signal, attempt, headers });
        const aborted = new Promise<never>((_, reject) => controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true }));
        const value = await Promise.race([span ? runInSpan(span, run) : run(), aborted]);
        span?.end();
        t.breaker.success();
        this.calls?.inc({ target: targetName, outcome: 'ok' });
        this.duration?.observe({ target: targetName }, Number(process.hrtime.bigint() - started) / 1e9);
        return value;
      } catch (err) {
        lastErr = err;
        span?.end(cancel?.aborted ? 'cancelled by the caller' : redact((err as Error)?.message ?? String(err)));
        if (cancel?.aborted) cancelled();
        if (err instanceof NonRetryable || (controller.signal.aborted && opts.retryTimeouts === false)) break;
      } finally {
        clearTimeout(timer);
        cancel?.removeEventListener('abort', onCancel);
      }
    }
    const attempts = Math.min(attempt + 1, retries + 1);
    this.fail(targetName, t, lastErr, attempts, opts);
    this.duration?.observe({ target: targetName }, Number(process.hrtime.bigint() - started) / 1e9);
    if (lastErr instanceof AppError) throw lastErr;
    const tries = attempts > 1 ? ` after ${attempts} attempts` : '';
    throw new AppError('unavailable', `${targetName} failed${tries}: ${redact((lastErr as Error)?.message ?? String(lastErr))}`);
  }

  private fail(name: string, t: Target, err: unknown, attempts: number, opts: CallOptions): void {
    const at = this.deps.clock.now();
    const error = redact((err as Error)?.message ?? String(err)).slice(0, 500);
    t.breaker.failure(at);
    t.failures++;
    t.lastError = error;
    t.lastFailureAt = at;
    this.calls?.inc({ target: name, outcome: 'failed' });
    const record: FailureRecord = { target: name, at, attempts, error, subject: opts.subject ?? null };
    this.recent.push(record);
    if (this.recent.length > 200) this.recent.shift();
    this.deps.log.warn('outbound call failed', { target: name, attempts, error, subject: opts.subject, circuit: t.breaker.state(at) });
    if (opts.orgId && this.deps.commit) {
      // Published after the fact and never awaited: a failing target must not hold up its caller further.
      this.deps.commit(systemActor(opts.orgId, 'outbound'), async () => ({
        value: undefined,
        events: [{ type: 'outbound.failed', subject: opts.subject ?? null, data: { target: name, attempts, error } }],
      })).catch((e: Error) => this.deps.log.error('could not record outbound failure', { target: name, error: e.message }));
    }
  }

  status(): TargetStatus[] {
    const now = this.deps.clock.now();
    return [...this.targets].map(([target, t]) => ({
      target, state: t.breaker.state(now), consecutiveFailures: t.breaker.consecutiveFailures, calls: t.calls, failures: t.failures,
      lastError: t.lastError, lastFailureAt: t.lastFailureAt,
    }));
  }

  recentFailures(limit = 50): FailureRecord[] {
    return this.recent.slice(-limit).reverse();
  }
}
