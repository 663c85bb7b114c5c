import { z } from 'zod';
import { DAY_MS, dayKey, parseDayKey } from '../../core/calendar/zone.js';
import { AppError } from '../../core/errors.js';
import { SnapshotCache } from '../../core/workload/cache.js';
import { WorkloadEngine } from '../../core/workload/engine.js';
import { WORKLOAD_SIGNALS_SERVICE } from '../../core/workload/signals.js';
import { fairnessView, forecastView, memberDetail, overview } from '../../core/workload/views.js';
import { route, type Route } from '../http/route.js';
import { underLease } from '../schedule.js';
import type { Subscription } from '../../core/ports.js';
import type { Module, ModuleContext } from './module.js';

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD').refine((d) => parseDayKey(d) !== undefined, 'not a real date');
const intText = (min: number, max: number) =>
  z.string().regex(/^\d+$/, 'expected a whole number').transform(Number).refine((n) => n >= min && n <= max, `expected ${min}..${max}`);

const DEFAULT_PAGE = 500;
const MAX_PAGE = 1000;

const showQuery = z.object({ team: z.string().max(200).optional() });
const forecastQuery = z.object({ team: z.string().max(200).optional(), days: intText(1, 90).optional() });
const alertsQuery = z.object({ member: z.string().max(200).optional(), limit: intText(1, 1000).optional() });
const rangeQuery = z.object({ team: z.string().max(200).optional(), from: day.optional(), to: day.optional() });
const snapshotsQuery = rangeQuery.extend({
  member: z.string().max(200).optional(),
  limit: intText(1, MAX_PAGE).optional(),
  cursor: z.string().max(600).optional(),
});
const refreshBody = z.object({ from: day.optional(), to: day.optional(), days: z.number().int().min(1).max(366).optional() }).strict();

const DEFAULT_INTERVAL_S = 900;

/** The position after the last snapshot of a page, opaque to clients: base64url of [memberId, day]. */
function encodeSnapshotCursor(memberId: string, day: string): string {
  return Buffer.from(JSON.stringify([memberId, day])).toString('base64url');
}

function decodeSnapshotCursor(cursor: string): { memberId: string; day: string } {
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    v = null;
  }
  if (!Array.isArray(v) || v.length !== 2 || typeof v[0] !== 'string' || !v[0] || v[0].length > 200 || typeof v[1] !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(v[1])) {
    // Worded like the router's own query errors (`query limit: …`, path `query.limit`).
    throw new AppError('validation', 'query cursor: not a cursor of this list', 'pass the X-Next-Cursor of the previous page, or leave cursor out for the first page', [{ path: 'query.cursor', message: 'not a cursor of this list' }]);
  }
  return { memberId: v[0], day: v[1] };
}

/** Events that change what `workload show` lists (members' names, teams, on-call flags). */
const DIRECTORY_EVENTS = ['member.created', 'member.updated', 'member.removed', 'team.created', 'team.updated'];
const VIEW_TTL_MS = 60_000;

/**
 * The org overview per (org, team): it changes only when a refresh stores snapshots or the directory
 * changes, so it is kept until either happens (or a minute passes, for refreshes by another daemon).
 */
class ViewCache {
  private readonly entries = new Map<string, { at: number; value: unknown }>();
  constructor(private readonly clock: { now(): number }) {}
  async get<T>(orgId: string, key: string, compute: () => Promise<T>): Promise<T> {
    const k = `${orgId}\u0000${key}`;
    const hit = this.entries.get(k);
    const now = this.clock.now();
    if (hit && now - hit.at < VIEW_TTL_MS) return hit.value as T;
    const value = await compute();
    this.entries.set(k, { at: now, value });
    return value;
  }
  invalidate(orgId: string): void {
    for (const k of this.entries.keys()) if (k.startsWith(`${orgId}\u0000`)) this.entries.delete(k);
  }
}

/**
 * Snapshots are refreshed by a scheduler and on demand; reads wait for a refresh already running for
 * the org, and trigger one when the last is older than the interval, so a fresh daemon never shows
 * stale or empty numbers.
 */
class Refresher {
  private readonly running = new Map<string, Promise<unknown>>();
  private readonly lastAt = new Map<string, number>();
  constructor(
    private readonly engine: WorkloadEngine,
    private readonly cache: SnapshotCache,
    private readonly views: ViewCache,
    private readonly ctx: ModuleContext,
    readonly intervalMs: number,
  ) {}

  run(orgId: string, range?: Parameters<WorkloadEngine['refresh']>[1]) {
    const current = this.running.get(orgId);
    const next = (current ?? Promise.resolve()).catch(() => undefined).then(async () => {
      const result = await this.engine.refresh(orgId, range);
      // Reload the recent window now, so the next read does not pay for it.
      this.cache.invalidate(orgId);
      await this.cache.load(orgId);
      this.views.invalidate(orgId);
      return result;
    });
    const tracked = next.finally(() => {
      if (this.running.get(orgId) === tracked) this.running.delete(orgId);
      this.lastAt.set(orgId, this.ctx.clock.now());
    });
    this.running.set(orgId, tracked);
    return next;
  }

  async fresh(orgId: string): Promise<void> {
    const running = this.running.get(orgId);
    if (running) {
      await running.catch(() => undefined);
      return;
    }
    const last = this.lastAt.get(orgId);
    // Twice the interval: the scheduler normally gets there first, and a reader only waits when it did not.
    if (last === undefined || this.ctx.clock.now() - last > 2 * this.intervalMs) await this.run(orgId);
  }

  /** Waits for refreshes in flight (so stop() does not close the store under them). */
  async idle(): Promise<void> {
    await Promise.all([...this.running.values()].map((p) => p.catch(() => undefined)));
  }

  async tick(): Promise<void> {
    for (const org of await this.ctx.store.orgs.list()) {
      await watchDirectory(this.ctx, this.views, org.id);
      await this.run(org.id).catch((err: Error) => this.ctx.log.error('workload refresh failed', { org: org.id, error: err.message }));
    }
  }
}

const subscriptions = new Map<string, Subscription>();

/** Drops an org's cached views when its members or teams change. */
async function watchDirectory(ctx: ModuleContext, views: ViewCache, orgId: string): Promise<void> {
  if (subscriptions.has(orgId)) return;
  const sub = await ctx.bus.subscribe(orgId, { types: DIRECTORY_EVENTS }, () => views.invalidate(orgId));
  subscriptions.set(orgId, sub);
}

let engine: WorkloadEngine | null = null;
let refresher: Refresher | null = null;
let timer: NodeJS.Timeout | null = null;
let stopped = false;

function intervalFrom(ctx: ModuleContext): number {
  const s = Number(ctx.config.settings['workload_interval'] ?? DEFAULT_INTERVAL_S);
  return (Number.isFinite(s) && s >= 1 ? s : DEFAULT_INTERVAL_S) * 1000;
}

/** The workload area: snapshots, burnout risk, capacity forecast, fairness, alerts; signals for routing. */
export const workloadModule: Module = {
  name: 'workload',
  routes(ctx: ModuleContext): Route[] {
    engine = new WorkloadEngine({ repos: ctx.store, commit: ctx.commit, clock: ctx.clock });
    const cache = new SnapshotCache(ctx.store.workload, ctx.clock);
    const views = new ViewCache(ctx.clock);
    refresher = new Refresher(engine, cache, views, ctx, intervalFrom(ctx));
    ctx.services.provide(WORKLOAD_SIGNALS_SERVICE, engine);
    const r = refresher;
    const { clock } = ctx;
    const store = ctx.store;
    // The views read recent snapshots through the cache; everything else goes to the store.
    const reads = cache.wrap(store);

    return [
      route({
        method: 'GET', path: '/v1/workload', perm: ['workload', 'read'], query: showQuery,
        handler: async ({ caller, query }) => {
          await r.fresh(caller.orgId);
          return { body: await views.get(caller.orgId, `overview:${query.team ?? ''}`, () => overview(reads, caller.orgId, clock.now(), query.team)) };
        },
      }),
      route({
        method: 'GET', path: '/v1/workload/members/:id', perm: ['workload', 'read'],
        handler: async ({ caller, params }) => {
          await r.fresh(caller.orgId);
          return { body: await memberDetail(reads, caller.orgId, params.id!, clock.now()) };
        },
      }),
      route({
        method: 'GET', path: '/v1/workload/forecast', perm: ['workload', 'read'], query: forecastQuery,
        handler: async ({ caller, query }) => {
          await r.fresh(caller.orgId);
          return { body: await forecastView(reads, caller.orgId, clock.now(), query.days ?? 14, query.team) };
        },
      }),
      route({
        method: 'GET', path: '/v1/workload/alerts', perm: ['workload', 'read'], query: alertsQuery,
        handler: async ({ caller, query }) => {
          await r.fresh(caller.orgId);
          let memberId: string | undefined;
          if (query.member) {
            const m = await store.members.find(caller.orgId, query.member);
            if (!m) throw new AppError('not_found', `member ${query.member} not found`);
            memberId = m.id;
          }
          const [alerts, members] = await Promise.all([
            store.workload.listAlerts(caller.orgId, { memberId, limit: query.limit ?? 50 }),
            store.members.list(caller.orgId),
          ]);
          const name = new Map(members.map((m) => [m.id, m.name]));
          return { body: alerts.map((a) => ({ ...a, member: name.get(a.memberId) ?? a.memberId })) };
        },
      }),
      route({
        method: 'GET', path: '/v1/workload/fairness', perm: ['workload', 'read'], query: rangeQuery,
        handler: async ({ caller, query }) => {
          await r.fresh(caller.orgId);
          const today = Math.floor(clock.now() / DAY_MS);
          const to = query.to ?? dayKey(today);
          const from = query.from ?? dayKey((parseDayKey(to) ?? today) - 27);
          if (from > to) throw new AppError('validation', 'from: must not be after to', undefined, [{ path: 'from', message: 'after to' }]);
          const report = await fairnessView(reads, caller.orgId, from, to, query.team);
          const [members, teams] = await Promise.all([store.members.list(caller.orgId), store.teams.list(caller.orgId)]);
          const name = new Map(members.map((m) => [m.id, m.name]));
          const teamName = new Map(teams.map((t) => [t.id, t.name]));
          return {
            body: {
              ...report,
              people: report.people.map((p) => ({ ...p, member: name.get(p.memberId) ?? p.memberId, team: p.teamId ? teamName.get(p.teamId) ?? null : null })),
              teams: report.teams.map((t) => ({ ...t, team: t.teamId ? teamName.get(t.teamId) ?? null : null, topCarrier: t.topCarrier ? name.get(t.topCarrier) ?? t.topCarrier : null })),
            },
          };
        },
      }),
      route({
        method: 'GET', path: '/v1/workload/snapshots', perm: ['workload', 'read'], query: snapshotsQuery,
        handler: async ({ caller, query }) => {
          let memberId: string | undefined;
          let teamId: string | undefined;
          if (query.member) memberId = (await store.members.find(caller.orgId, query.member))?.id ?? query.member;
          if (query.team) teamId = (await store.teams.find(caller.orgId, query.team))?.id ?? query.team;
          const limit = query.limit ?? DEFAULT_PAGE;
          const after = query.cursor ? decodeSnapshotCursor(query.cursor) : undefined;
          // One more than asked for says whether another page follows.
          const rows = await store.workload.pageSnapshots(caller.orgId, { memberId, teamId, from: query.from, to: query.to }, { after, limit: limit + 1 });
          const page = rows.slice(0, limit);
          if (rows.length <= limit) return { body: page };
          const last = page[page.length - 1]!;
          const next = encodeSnapshotCursor(last.memberId, last.day);
          const params = new URLSearchParams();
          for (const k of ['member', 'team', 'from', 'to'] as const) if (query[k]) params.set(k, query[k]!);
          params.set('limit', String(limit));
          params.set('cursor', next);
          return { body: page, headers: { 'x-next-cursor': next, link: `</v1/workload/snapshots?${params}>; rel="next"` } };
        },
      }),
      route({
        method: 'POST', path: '/v1/workload/refresh', perm: ['workload', 'manage'], body: refreshBody,
        handler: async ({ caller, body }) => {
          if (body.from && body.to && body.from > body.to) {
            throw new AppError('validation', 'from: must not be after to', undefined, [{ path: 'from', message: 'after to' }]);
          }
          const result = await r.run(caller.orgId, body);
          return { body: result };
        },
      }),
    ];
  },

  async start(ctx: ModuleContext): Promise<void> {
    stopped = false;
    const r = refresher;
    if (!r) return;
    const loop = (delay: number): void => {
      if (stopped) return;
      timer = setTimeout(() => {
        // One daemon at a time takes snapshots (a lease in scaled mode; always granted when embedded).
        underLease(ctx.leases, 'workload.snapshots', r.intervalMs, () => r.tick()).catch(() => undefined).finally(() => loop(r.intervalMs));
      }, delay);
      timer.unref();
    };
    // The first run backfills history; it starts right away but does not hold up listening.
    loop(0);
    ctx.log.info('workload scheduler started', { intervalMs: r.intervalMs });
  },

  async stop(): Promise<void> {
    stopped = true;
    if (timer) clearTimeout(timer);
    timer = null;
    for (const sub of subscriptions.values()) sub.close();
    subscriptions.clear();
    await refresher?.idle();
  },
};

/** The engine behind the module, once routes() has run (for the router's workload hook and tests). */
export function workloadEngine(): WorkloadEngine | null {
  return engine;
}
