import { z } from 'zod';
import { Counter } from 'prom-client';
import { notFound } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import { AnomalyMonitor } from '../../core/healing/anomaly/monitor.js';
import { healthCheckSchema } from '../../core/healing/health.js';
import { alertChanges, alertmanagerBodySchema } from '../../core/healing/issues-alertmanager.js';
import { IssueEngine } from '../../core/healing/issues-engine.js';
import { ISSUE_RESOLVED, ISSUE_SEVERITIES, ISSUE_SOURCES, issueFingerprint, type Issue } from '../../core/healing/issues.js';
import type { MetricPoint } from '../../core/metrics/model.js';
import type { Subscription } from '../../core/ports.js';
import { HealthMonitor } from '../health/monitor.js';
import { route, type Route } from '../http/route.js';
import { leaseTtl } from '../schedule.js';
import type { ModuleContext } from './module.js';

/**
 * The detection half of self-healing in the daemon: issues (from alerts, anomalies and health checks),
 * the anomaly monitor over incoming metrics and the health monitor. One runtime per daemon, shared by
 * the metrics module (ingest → detection) and the healing module (issues, checks, Alertmanager).
 * Services it provides: `healing.issues` (IssueLookup), `healing.runCheck`.
 */
export interface DetectionRuntime {
  issues: IssueEngine;
  anomalies: AnomalyMonitor;
  health: HealthMonitor;
  /** Stores points and runs them through the anomaly detectors. */
  ingest(orgId: string, points: MetricPoint[]): Promise<{ accepted: number; anomalies: number }>;
}

const runtimes = new WeakMap<ModuleContext, DetectionRuntime>();

export function detectionRuntime(ctx: ModuleContext): DetectionRuntime {
  const existing = runtimes.get(ctx);
  if (existing) return existing;
  const detected = new Counter({
    name: 'selfhealing_issues_detected',
    help: 'Issues opened by the self-healing engine (alerts, anomalies, failed health checks).',
    labelNames: ['source', 'severity'],
    registers: [ctx.metrics],
  });
  const issues = new IssueEngine({
    store: ctx.store,
    commit: ctx.commit,
    clock: ctx.clock,
    onOpened: (i) => detected.inc({ source: i.source, severity: i.severity }),
  });
  const anomalies = new AnomalyMonitor({
    store: ctx.store,
    clock: ctx.clock,
    issues,
    // health checks open their own issues; a 0/1 series is not worth a detector
    ignore: (name) => name === 'health_check_up',
  });
  const ingest = async (orgId: string, points: MetricPoint[]) => {
    const accepted = await ctx.store.metrics.insertPoints(orgId, points);
    const { anomalies: n } = await anomalies.observe(orgId, points);
    return { accepted, anomalies: n };
  };
  const health = new HealthMonitor({
    store: ctx.store,
    clock: ctx.clock,
    issues,
    log: ctx.log,
    record: async (orgId, points) => void (await ingest(orgId, points)),
    lease: async (name, periodMs) => (await ctx.leases.acquire(name, leaseTtl(periodMs))) !== null,
  });
  const rt: DetectionRuntime = { issues, anomalies, health, ingest };
  runtimes.set(ctx, rt);
  ctx.services.provide('healing.issues', (orgId: string, id: string) => ctx.store.healing.getIssue(orgId, id));
  ctx.services.provide('healing.runCheck', async (orgId: string, name: string) => {
    const r = await health.runNow(orgId, name);
    if (!r) return { ok: false, detail: `no health check named ${name}` };
    return { ok: r.ok, detail: r.ok ? `ok in ${Math.round(r.latencyMs)} ms` : (r.error ?? 'failed') };
  });
  return rt;
}

const issuesQuery = z.object({
  status: z.enum(['open', 'resolved', 'all']).optional(),
  source: z.enum(ISSUE_SOURCES as [string, ...string[]]).optional(),
  severity: z.enum(ISSUE_SEVERITIES as [string, ...string[]]).optional(),
  limit: z.coerce.number().int().min(1).max(10_000).optional(),
});
const resolveBody = z.object({ reason: z.string().max(2000).optional() }).default({});

export function healingDetectionRoutes(ctx: ModuleContext): Route[] {
  const rt = detectionRuntime(ctx);
  return [
    route({
      method: 'GET', path: '/v1/healing/issues', perm: ['healing', 'read'], query: issuesQuery,
      handler: async ({ caller, query }) => {
        const status = query.status === 'all' ? undefined : (query.status ?? 'open');
        const list = await ctx.store.healing.listIssues(caller.orgId, {
          status: status as Issue['status'] | undefined,
          source: query.source as Issue['source'] | undefined,
          severity: query.severity as Issue['severity'] | undefined,
          limit: query.limit,
        });
        return { body: list };
      },
    }),
    route({
      method: 'GET', path: '/v1/healing/issues/:id', perm: ['healing', 'read'],
      handler: async ({ caller, params }) => {
        const issue = await ctx.store.healing.getIssue(caller.orgId, params.id!);
        if (!issue) throw notFound('issue', params.id!);
        return { body: issue };
      },
    }),
    route({
      method: 'POST', path: '/v1/healing/issues/:id/resolve', perm: ['healing', 'execute'], body: resolveBody,
      handler: async ({ caller, params, body }) => ({ body: await rt.issues.resolveById(caller.actor, params.id!, body.reason) }),
    }),
    route({
      method: 'POST', path: '/v1/integrations/alertmanager', perm: ['healing', 'ingest'], body: alertmanagerBodySchema,
      bodyLimit: 8 * 1024 * 1024,
      handler: async ({ caller, body }) => {
        const changes = alertChanges(body, ctx.clock.now()).map((c) =>
          c.kind === 'firing'
            ? { kind: 'firing' as const, signal: c.signal }
            : { kind: 'resolved' as const, fingerprint: issueFingerprint('alert', c.signal.labels), at: c.signal.at, resolution: 'alert_resolved' },
        );
        const r = await rt.issues.ingest(caller.orgId, changes);
        return {
          body: { alerts: body.alerts.length, opened: r.opened.map((i) => i.id), refreshed: r.refreshed, resolved: r.resolved.map((i) => i.id) },
        };
      },
    }),
    route({
      method: 'GET', path: '/v1/healing/checks', perm: ['healing', 'read'],
      handler: async ({ caller }) => {
        const status = new Map(rt.health.status(caller.orgId).map((s) => [s.name, s]));
        const checks = (await ctx.store.healing.listHealthChecks(caller.orgId)).map((c) => {
          const s = status.get(c.spec.name);
          return {
            id: c.id, name: c.spec.name, type: c.spec.type, enabled: c.spec.enabled,
            intervalSeconds: c.spec.interval / 1000, timeoutSeconds: c.spec.timeout / 1000,
            target: c.spec.type === 'http' ? c.spec.url : c.spec.type === 'tcp' ? `${c.spec.host}:${c.spec.port}` : c.spec.argv.join(' '),
            lastOk: s?.last ? s.last.ok : null, lastAt: s?.last?.at ?? null, lastError: s?.last?.error ?? null,
            consecutiveFailures: s?.failures ?? 0, createdAt: c.createdAt, spec: c.spec,
          };
        });
        return { body: checks };
      },
    }),
    route({
      method: 'POST', path: '/v1/healing/checks', perm: ['healing', 'execute'], body: healthCheckSchema,
      handler: async ({ caller, body }) => {
        const check = { id: newId('chk', ctx.clock.now()), organizationId: caller.orgId, spec: body, createdAt: ctx.clock.now() };
        await ctx.commit(caller.actor, async (tx) => {
          await tx.healing.putHealthCheck(check);
          return { value: null, audit: { action: 'healing.check.add', subject: check.id, summary: `health check ${body.name} (${body.type})` } };
        });
        await rt.health.reload(caller.orgId);
        const stored = (await ctx.store.healing.listHealthChecks(caller.orgId)).find((c) => c.spec.name === body.name);
        return { status: 201, body: stored ?? check };
      },
    }),
    route({
      method: 'DELETE', path: '/v1/healing/checks/:name', perm: ['healing', 'execute'],
      handler: async ({ caller, params }) => {
        const removed = await ctx.commit(caller.actor, async (tx) => {
          const ok = await tx.healing.removeHealthCheck(caller.orgId, params.name!);
          if (!ok) throw notFound('health check', params.name!);
          return { value: ok, audit: { action: 'healing.check.remove', subject: params.name!, summary: `health check ${params.name} removed` } };
        });
        await rt.health.reload(caller.orgId);
        return { body: { removed } };
      },
    }),
    route({
      method: 'POST', path: '/v1/healing/checks/:name/run', perm: ['healing', 'execute'],
      handler: async ({ caller, params }) => {
        const r = await rt.health.runNow(caller.orgId, params.name!);
        if (!r) throw notFound('health check', params.name!);
        return { body: r };
      },
    }),
  ];
}

/** Health monitor and the cache invalidation of issues resolved elsewhere (another daemon, a person). */
export async function startHealingDetection(ctx: ModuleContext): Promise<() => Promise<void>> {
  const rt = detectionRuntime(ctx);
  const subscriptions: Subscription[] = [];
  for (const org of await ctx.store.orgs.list()) {
    subscriptions.push(
      await ctx.bus.subscribe(org.id, { types: [ISSUE_RESOLVED] }, (e) => {
        const issue = (e.data as { issue?: Issue } | null)?.issue;
        if (issue) rt.issues.forget(org.id, issue.fingerprint);
      }),
    );
  }
  await rt.health.start();
  return async () => {
    rt.health.stop();
    for (const s of subscriptions) s.close();
  };
}
