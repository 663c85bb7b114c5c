import { z } from 'zod';
import { AppError } from '../../core/errors.js';
import { metricProblem, parseDuration, parseTimestamp, type MetricPoint } from '../../core/metrics/model.js';
import { route } from '../http/route.js';
import { underLease } from '../schedule.js';
import { detectionRuntime } from './healing-detection.js';
import type { Module, ModuleContext } from './module.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
export const MAX_BATCH = 100_000;

const at = z.union([z.number().finite().nonnegative(), z.string()]).optional();
const pointSchema = z.object({
  name: z.string(),
  value: z.number().finite(),
  at,
  tags: z.record(z.string(), z.string()).optional(),
});
const batchSchema = z.object({ points: z.array(z.unknown()).min(1).max(MAX_BATCH) });
const queryQuery = z.object({
  name: z.string().min(1),
  since: z.string().optional(),
  until: z.string().optional(),
  bucket: z.string().optional(),
  /** `k=v,k2=v2` */
  tags: z.string().optional(),
});

type PointIn = z.infer<typeof pointSchema>;

const bad = (path: string, what: string): AppError => new AppError('validation', `${path}: ${what}`);

/**
 * The batch route checks its points by hand: the same rules as pointSchema, a tenth of the cost per
 * point, which is most of what a 100,000-points/s ingest can spend on validation.
 */
function checkPoints(items: unknown[], path: string): PointIn[] {
  for (let i = 0; i < items.length; i++) {
    const p = items[i] as Record<string, unknown> | null;
    if (typeof p !== 'object' || p === null || Array.isArray(p)) throw bad(`${path}[${i}]`, 'expected an object');
    if (typeof p.name !== 'string') throw bad(`${path}[${i}].name`, 'expected a string');
    if (typeof p.value !== 'number' || !Number.isFinite(p.value)) throw bad(`${path}[${i}].value`, 'expected a finite number');
    const at = p.at;
    if (at !== undefined && !(typeof at === 'string' || (typeof at === 'number' && Number.isFinite(at) && at >= 0))) {
      throw bad(`${path}[${i}].at`, 'expected epoch milliseconds or an ISO-8601 string');
    }
    const tags = p.tags;
    if (tags !== undefined) {
      if (typeof tags !== 'object' || tags === null || Array.isArray(tags)) throw bad(`${path}[${i}].tags`, 'expected an object of strings');
      for (const k in tags) {
        if (typeof (tags as Record<string, unknown>)[k] !== 'string') throw bad(`${path}[${i}].tags.${k}`, 'expected a string');
      }
    }
  }
  return items as PointIn[];
}

/** Turns validated request points into stored points; the path of a bad field names its index. */
function toPoints(points: PointIn[], now: number, path: string): MetricPoint[] {
  const out: MetricPoint[] = new Array(points.length);
  for (let i = 0; i < points.length; i++) {
    const p = points[i]!;
    const tags = p.tags ?? {};
    const problem = metricProblem(p.name, tags);
    if (problem) throw new AppError('validation', `${path}[${i}]: ${problem}`);
    let t = now;
    if (typeof p.at === 'number') t = p.at;
    else if (typeof p.at === 'string') {
      const parsed = parseTimestamp(p.at);
      if (parsed === null) throw new AppError('validation', `${path}[${i}].at: "${p.at}" is not a time`);
      t = parsed;
    }
    out[i] = { name: p.name, value: p.value, at: t, tags };
  }
  return out;
}

function timeArg(text: string | undefined, now: number, fallback: number, what: string): number {
  if (text === undefined || text === '') return fallback;
  const d = parseDuration(text);
  if (d !== null) return now - d;
  const t = parseTimestamp(text);
  if (t === null) throw new AppError('validation', `${what}: "${text}" is neither a duration (24h) nor a time`);
  return t;
}

function settingMs(ctx: ModuleContext, key: string, fallback: number): number {
  const v = ctx.config.settings[key];
  const d = v ? parseDuration(v) : null;
  return d ?? fallback;
}

// Module.stop() takes no context; daemons in one process (tests) stop in reverse order of start.
const stopHooks: Array<() => Promise<void>> = [];

/**
 * Metrics in (push, batch, CSV import through batches), queries over system_metrics and its hourly
 * rollup, retention (`FOUNDRY_SETTING_METRICS_RETENTION`, default 7d of raw points;
 * `FOUNDRY_SETTING_METRICS_ROLLUP_RETENTION`, default 400d of hourly rollups), and the anomaly
 * detectors' state saved every minute and at shutdown. Provides `healing.metricLatest`.
 */
export const metricsModule: Module = {
  name: 'metrics',
  routes(ctx) {
    const rt = detectionRuntime(ctx);
    ctx.services.provide('healing.metricLatest', async (orgId: string, name: string, labels: Record<string, string>, since: number) => {
      const pts = await ctx.store.metrics.recentPoints(orgId, name, since, 1000);
      for (let i = pts.length - 1; i >= 0; i--) {
        const p = pts[i]!;
        if (Object.entries(labels).every(([k, v]) => p.tags[k] === v)) return { value: p.value, at: p.at };
      }
      return null;
    });
    return [
      route({
        method: 'POST', path: '/v1/metrics', perm: ['healing', 'ingest'], body: pointSchema,
        handler: async ({ caller, body }) => {
          const points = toPoints([body], ctx.clock.now(), 'point');
          const r = await rt.ingest(caller.orgId, points);
          return { status: 201, body: { ...r, point: points[0] } };
        },
      }),
      route({
        method: 'POST', path: '/v1/metrics/batch', perm: ['healing', 'ingest'], body: batchSchema, bodyLimit: 32 * 1024 * 1024,
        handler: async ({ caller, body }) => ({
          status: 201,
          body: await rt.ingest(caller.orgId, toPoints(checkPoints(body.points, 'points'), ctx.clock.now(), 'points')),
        }),
      }),
      route({
        method: 'GET', path: '/v1/metrics/query', perm: ['healing', 'read'], query: queryQuery,
        handler: async ({ caller, query }) => {
          const now = ctx.clock.now();
          const bucketMs = query.bucket ? parseDuration(query.bucket) : HOUR;
          if (bucketMs === null || bucketMs < 1000) throw new AppError('validation', `bucket: "${query.bucket}" is not a duration of 1s or more`);
          const since = timeArg(query.since, now, now - DAY, 'since');
          const until = timeArg(query.until, now, now + 1, 'until');
          const tags: Record<string, string> = {};
          for (const pair of (query.tags ?? '').split(',').filter(Boolean)) {
            const eq = pair.indexOf('=');
            if (eq <= 0) throw new AppError('validation', `tags: "${pair}" must look like key=value`);
            tags[pair.slice(0, eq)] = pair.slice(eq + 1);
          }
          const buckets = await ctx.store.metrics.queryBuckets(caller.orgId, { name: query.name, since, until, bucketMs, tags });
          return { body: { name: query.name, bucketSeconds: bucketMs / 1000, sinceAt: since, untilAt: until, buckets: buckets.map((b) => ({ ...b, startAt: b.start })) } };
        },
      }),
      route({
        method: 'GET', path: '/v1/metrics', perm: ['healing', 'read'],
        handler: async ({ caller }) => ({ body: await ctx.store.metrics.listNames(caller.orgId) }),
      }),
    ];
  },
  async start(ctx) {
    const rt = detectionRuntime(ctx);
    rt.issues.start();
    // one daemon at a time prunes (scaled mode); embedded, the lease is always this daemon's
    const prune = () => underLease(ctx.leases, 'metrics.retention', HOUR, async () => {
      const now = ctx.clock.now();
      const raw = settingMs(ctx, 'metrics_retention', 7 * DAY);
      const rollup = settingMs(ctx, 'metrics_rollup_retention', 400 * DAY);
      for (const org of await ctx.store.orgs.list()) await ctx.store.metrics.prune(org.id, now - raw, now - rollup);
    });
    const persist = setInterval(() => void rt.anomalies.persist().catch((e) => ctx.log.warn(`anomaly state: ${(e as Error).message}`)), 60_000);
    const retention = setInterval(() => void prune().catch((e) => ctx.log.warn(`metrics retention: ${(e as Error).message}`)), HOUR);
    persist.unref();
    retention.unref();
    void prune().catch((e) => ctx.log.warn(`metrics retention: ${(e as Error).message}`));
    stopHooks.push(async () => {
      clearInterval(persist);
      clearInterval(retention);
      await rt.anomalies.persist();
      await rt.issues.stop();
    });
  },
  async stop() {
    await stopHooks.pop()?.();
  },
};
