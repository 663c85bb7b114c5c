import type { AddressInfo } from 'node:net';
import { AppError } from '../core/errors.js';
import type { Clock, EventBus, Leases } from '../core/ports.js';
import { systemClock } from '../core/ports.js';
import { makeCommit } from '../core/unit-of-work.js';
import { InProcessBus } from './bus/memory.js';
import type { RedisBus } from './bus/redis.js';
import type { BullMqJobQueue } from './jobs/bullmq-queue.js';
import { localLeases } from './locks/local.js';
import type { DaemonConfig } from './config.js';
import { Router } from './http/router.js';
import type { Caller, Route } from './http/route.js';
import { createHttpServer, type HttpServer } from './http/server.js';
import { openRequestLimiter } from './http/rate-limit.js';
import { createMetricsRegistry } from './http/metrics-lint.js';
import { secretsModule } from './secrets/module.js';
import { createOutbound } from './outbound/module.js';
import { GrantCache } from './http/grant-cache.js';
import { verifyToken } from './http/tokens.js';
import { fileLogger, silentLogger, type Logger } from './log.js';
import { adminModule } from './modules/admin.js';
import { coreModule } from './modules/core.js';
import { areaModules } from './modules/index.js';
import { createServices, type Module, type ModuleContext } from './modules/module.js';
import { openStore, type SqlStore } from './store/index.js';
import { readJwtKey } from './state.js';
import { packageVersion } from './version.js';

export interface Daemon {
  readonly ctx: ModuleContext;
  readonly store: SqlStore;
  readonly http: HttpServer;
  /** Every route the daemon serves (tests walk them). */
  readonly routes: Route[];
  /** Listens on config.host:config.port (0 picks a free port) and returns the base URL. */
  listen(): Promise<string>;
  readonly url: string;
  close(): Promise<void>;
}

export interface DaemonOptions {
  clock?: Clock;
  log?: Logger;
  /** Replace or add modules (tests). */
  modules?: Module[];
  bus?: (store: SqlStore) => EventBus;
}

/** The composition root: builds the store, bus, engines and HTTP front from config. */
export async function createDaemon(config: DaemonConfig, options: DaemonOptions = {}): Promise<Daemon> {
  const clock = options.clock ?? systemClock;
  const jwtKey = readJwtKey(config.home);
  if (!jwtKey) throw new AppError('usage', `${config.home} is not initialised`, 'run: foundry-op init');
  const log = options.log ?? (config.logFile ? fileLogger(config.logFile) : silentLogger());
  const store = await openStore(config.db, { now: clock.now() });
  // Redis clients are loaded only in scaled mode.
  let redisBus: RedisBus | null = null;
  let redisLeases: { close(): void } | null = null;
  let bus: EventBus;
  let leases: Leases = localLeases;
  if (options.bus) bus = options.bus(store);
  else if (config.redis) bus = redisBus = new (await import('./bus/redis.js')).RedisBus({ url: config.redis, events: store.events, log });
  else bus = new InProcessBus(store.events);
  if (config.redis) {
    const l = new (await import('./locks/redis.js')).RedisLeases(config.redis);
    leases = l;
    redisLeases = l;
  }
  const metrics = createMetricsRegistry();
  const ctx: ModuleContext = {
    config, store, bus, clock, log, metrics, services: createServices(), commit: makeCommit(store, bus, clock), leases,
  };
  // Scaled mode: playbook actions run from BullMQ on the same Redis, so any daemon may take any step.
  // Embedded mode publishes nothing and the healing module keeps its jobs in the store.
  let jobQueue: BullMqJobQueue | null = null;
  if (config.redis) {
    jobQueue = new (await import('./jobs/bullmq-queue.js')).BullMqJobQueue({
      url: config.redis, clock,
      onError: (err, job) => log.error('job failed', { kind: job.kind, jobId: job.id, orgId: job.orgId, attempts: job.attempts, error: (err as Error).message }),
      onTakeover: (jobId) => log.warn('job taken over: the worker that held it stopped renewing its lock', { jobId }),
    });
    ctx.services.provide('jobs.queue', jobQueue);
  }
  const hardening = await createOutbound(ctx, packageVersion());
  const startedAt = clock.now();
  const grants = new GrantCache(store.tokens);
  const modules: Module[] = options.modules ?? [
    adminModule({
      jwtKey, version: packageVersion(), startedAt, grants,
      jobs: jobQueue ? 'redis (bullmq)' : 'store',
      readiness: redisBus || jobQueue
        ? async () => ({ ...(redisBus ? { redis: redisBus.status() } : {}), ...(jobQueue ? { jobs: jobQueue.status() } : {}) })
        : undefined,
    }),
    coreModule,
    secretsModule(store),
    hardening.module,
    ...areaModules,
  ];

  const router = new Router();
  for (const m of modules) for (const r of m.routes(ctx)) router.add(r);

  const authenticate = async (bearer: string): Promise<Caller> => {
    const { user, token } = await verifyToken(jwtKey, grants, bearer, clock.now());
    return {
      orgId: user.orgId, userId: user.id, userName: user.name, role: user.role, tokenId: token.id, memberId: user.memberId,
      actor: { orgId: user.orgId, name: user.name, userId: user.id, role: user.role },
    };
  };
  const limits = await openRequestLimiter(config.rateLimit, config.redis, metrics);
  const http = createHttpServer({ router, authenticate, log, metrics, bodyLimit: config.bodyLimit, limiter: limits.limiter, tls: config.tls, tracing: hardening.tracing });
  let url = '';
  const started: Module[] = [];

  return {
    ctx, store, http, routes: router.list(),
    get url() {
      return url;
    },
    async listen(): Promise<string> {
      for (const m of modules) {
        if (m.start) await m.start(ctx);
        started.push(m);
      }
      await new Promise<void>((resolve, reject) => {
        http.server.once('error', reject);
        http.server.listen(config.port, config.host, () => resolve());
      });
      const addr = http.server.address() as AddressInfo;
      const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
      url = `${config.tls ? 'https' : 'http'}://${host}:${addr.port}`;
      log.info('daemon listening', { url, store: store.kind, pid: process.pid });
      return url;
    },
    async close(): Promise<void> {
      if (http.server.listening) await http.drain(config.drainMs);
      for (const m of started.reverse()) await m.stop?.().catch((err: Error) => log.error('module stop failed', { module: m.name, error: err.message }));
      // The healing module closed it when it stopped; this covers daemons built without that module.
      await jobQueue?.close();
      await bus.close();
      redisLeases?.close();
      await limits.close();
      await hardening.close();
      await store.close();
      log.info('daemon stopped', {});
      await log.close();
    },
  };
}
