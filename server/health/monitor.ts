import { checkFingerprint, nextCheckState, probeMetrics, probeSignal, type HealthCheck, type ProbeResult } from '../../core/healing/health.js';
import type { IssueEngine } from '../../core/healing/issues-engine.js';
import type { Clock, Store } from '../../core/ports.js';
import type { Logger } from '../log.js';
import { probe as runProbe } from './probes.js';

export interface HealthMonitorDeps {
  store: Store;
  clock: Clock;
  issues: IssueEngine;
  log: Logger;
  /** Feeds probe results into the metrics pipeline (storage + anomaly detection). */
  record: (orgId: string, points: ReturnType<typeof probeMetrics>) => Promise<void>;
  probe?: typeof runProbe;
  /** In scaled mode, a check runs only on the daemon that holds its lease; absent, every check runs here. */
  lease?: (name: string, periodMs: number) => Promise<boolean>;
}

interface Scheduled {
  check: HealthCheck;
  timer: ReturnType<typeof setTimeout> | null;
  failures: number;
  last: (ProbeResult & { at: number }) | null;
  running: boolean;
}

/**
 * Runs every configured health check on its interval. Each probe becomes metrics
 * (`health_check_up`, `health_check_latency_ms`); failures open a `health_check` issue (after
 * `failuresBeforeIssue` in a row) and the first pass resolves it.
 */
export class HealthMonitor {
  private readonly checks = new Map<string, Scheduled>();
  private stopped = true;

  constructor(private readonly deps: HealthMonitorDeps) {}

  async start(): Promise<void> {
    this.stopped = false;
    for (const org of await this.deps.store.orgs.list()) await this.reload(org.id);
  }

  stop(): void {
    this.stopped = true;
    for (const s of this.checks.values()) if (s.timer) clearTimeout(s.timer);
    this.checks.clear();
  }

  /** Re-reads an organization's checks (after add/remove) and reschedules them. */
  async reload(orgId: string): Promise<void> {
    const list = await this.deps.store.healing.listHealthChecks(orgId);
    const keep = new Set(list.map((c) => `${orgId}/${c.spec.name}`));
    for (const [k, s] of this.checks) {
      if (k.startsWith(`${orgId}/`) && !keep.has(k)) {
        if (s.timer) clearTimeout(s.timer);
        this.checks.delete(k);
      }
    }
    if (this.stopped) return;
    for (const check of list) {
      const k = `${orgId}/${check.spec.name}`;
      const existing = this.checks.get(k);
      if (existing) {
        existing.check = check;
        continue;
      }
      const s: Scheduled = { check, timer: null, failures: 0, last: null, running: false };
      this.checks.set(k, s);
      if (check.spec.enabled) this.schedule(k, s, Math.min(1000, check.spec.interval));
    }
  }

  /** Runs one check now (the `healing.runCheck` service, `healing checks run NAME`). */
  async runNow(orgId: string, name: string): Promise<(ProbeResult & { at: number }) | null> {
    const s = this.checks.get(`${orgId}/${name}`);
    if (!s) {
      const found = (await this.deps.store.healing.listHealthChecks(orgId)).find((c) => c.spec.name === name);
      if (!found) return null;
      return this.execute({ check: found, timer: null, failures: 0, last: null, running: false });
    }
    return this.execute(s);
  }

  /** Latest result of each check of an organization. */
  status(orgId: string): Array<{ name: string; last: (ProbeResult & { at: number }) | null; failures: number }> {
    return [...this.checks.entries()]
      .filter(([k]) => k.startsWith(`${orgId}/`))
      .map(([, s]) => ({ name: s.check.spec.name, last: s.last, failures: s.failures }));
  }

  private schedule(key: string, s: Scheduled, delay: number): void {
    s.timer = setTimeout(() => {
      if (this.stopped || this.checks.get(key) !== s) return;
      const mine = this.deps.lease ? this.deps.lease(`health:${key}`, s.check.spec.interval) : Promise.resolve(true);
      void mine
        .then((held) => (held ? this.execute(s) : undefined))
        .catch((e) => this.deps.log.warn?.(`health check ${s.check.spec.name}: ${(e as Error).message}`))
        .finally(() => {
          if (!this.stopped && this.checks.get(key) === s) this.schedule(key, s, s.check.spec.interval);
        });
    }, delay);
    s.timer.unref?.();
  }

  private async execute(s: Scheduled): Promise<ProbeResult & { at: number }> {
    const { spec, organizationId: orgId } = s.check;
    const result = await (this.deps.probe ?? runProbe)(spec);
    const at = this.deps.clock.now();
    const first = s.last === null;
    // a pass only needs the database when the check was failing (or its past is unknown)
    const wasFailing = s.failures > 0 || first;
    s.last = { ...result, at };
    const next = nextCheckState(s.failures, result, spec);
    s.failures = next.failures;
    await this.deps.record(orgId, probeMetrics(spec, result, at));
    if (next.open) await this.deps.issues.ingest(orgId, [{ kind: 'firing', signal: probeSignal(spec, result, at) }]);
    else if (next.resolve && wasFailing) {
      await this.deps.issues.ingest(orgId, [{ kind: 'resolved', fingerprint: checkFingerprint(spec), at, resolution: 'check_passed' }]);
    }
    return s.last;
  }
}
