import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { Counter, Histogram, type Registry } from 'prom-client';
import { AppError } from '../../core/errors.js';
import { isAllowed } from '../../core/auth/permissions.js';
import type { Logger } from '../log.js';
import { parseJsonBody, readBody } from './body.js';
import { describeZod, sendJson, toErrorReply } from './errors.js';
import { toWire } from './view.js';
import { ReplyBatch } from './reply-batch.js';
import { HANDLED, type Caller, type Route, type RouteRequest } from './route.js';
import type { Router } from './router.js';
import type { RequestLimiter } from './rate-limit.js';
import { createNodeServer, type TlsFiles } from '../tls.js';
import type { Tracing } from '../tracing/tracing.js';

export interface HttpDeps {
  router: Router;
  authenticate(bearer: string): Promise<Caller>;
  log: Logger;
  metrics: Registry;
  bodyLimit: number;
  /** Per-address and per-token budgets (server/http/rate-limit.ts). */
  limiter?: RequestLimiter;
  /** Serve HTTPS (TLS 1.3 minimum) with these PEM files. */
  tls?: TlsFiles | null;
  /** W3C traceparent in and out, spans over OTLP when configured (server/tracing). */
  tracing?: Tracing;
}

export interface HttpServer {
  server: Server;
  /** Stops accepting, waits up to `ms` for in-flight requests, then closes what is left. */
  drain(ms: number): Promise<void>;
}

const PLAIN_PATH = /^\/[\w\-/]*$/;

const ANONYMOUS: Caller = Object.freeze({
  orgId: '', userId: '', userName: 'anonymous', role: 'viewer', tokenId: '', memberId: null,
  actor: { orgId: '', name: 'anonymous', userId: null, role: 'viewer' },
}) as Caller;

/** The daemon's HTTP front: request ids, auth, RBAC, body limits, validation and JSON errors, in one place. */
export function createHttpServer(deps: HttpDeps): HttpServer {
  const requests = new Counter({
    name: 'http_requests_total', help: 'HTTP requests by method, route and status',
    labelNames: ['method', 'route', 'status'], registers: [deps.metrics],
  });
  const latency = new Histogram({
    name: 'http_request_duration_seconds', help: 'HTTP request latency by route',
    labelNames: ['method', 'route'], buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5], registers: [deps.metrics],
  });

  // prom-client hashes a label set on every call; each (method, route, status) is looked up once instead.
  const series = new Map<string, { observe(seconds: number): void }>();
  const seriesOf = (method: string, route: string, status: number): { observe(seconds: number): void } => {
    const key = `${method} ${route} ${status}`;
    let s = series.get(key);
    if (!s) {
      const count = requests.labels(method, route, String(status));
      const time = latency.labels(method, route);
      s = { observe: (seconds) => { count.inc(); time.observe(seconds); } };
      series.set(key, s);
    }
    return s;
  };

  const replies = new ReplyBatch();

  let inFlight = 0;
  let draining = false;
  const idleWaiters: (() => void)[] = [];
  const streams = new Set<ServerResponse>();

  async function handle(req: IncomingMessage, res: ServerResponse, requestId: string): Promise<string> {
    await deps.limiter?.checkIp(req.socket.remoteAddress ?? '');
    // Most requests are a plain path (no query, dots, escapes): that is already what URL parsing would give.
    const raw = req.url ?? '/';
    const url = PLAIN_PATH.test(raw) ? null : new URL(raw, 'http://daemon');
    const pathname = url ? url.pathname : raw;
    const match = deps.router.match(req.method ?? 'GET', pathname);
    if (match.kind === 'not_found') throw new AppError('not_found', `no route for ${req.method} ${pathname}`, 'see docs/api.md');
    if (match.kind === 'method_not_allowed') {
      throw new AppError('method_not_allowed', `${req.method} is not allowed on ${pathname}`, `allowed: ${match.allow.join(', ')}`, { allow: match.allow });
    }
    const r: Route = match.route;
    let caller = ANONYMOUS;
    if (r.auth !== 'none') {
      const header = req.headers.authorization;
      if (!header || Array.isArray(header)) throw new AppError('unauthenticated', 'missing bearer token', 'pass --token or set FOUNDRY_TOKEN');
      const m = /^Bearer\s+(\S+)$/i.exec(header);
      if (!m) throw new AppError('unauthenticated', 'malformed Authorization header', 'use "Authorization: Bearer <token>"');
      caller = await deps.authenticate(m[1]!);
      await deps.limiter?.checkToken(caller.tokenId);
      if (r.perm && !isAllowed(caller.role, r.perm)) {
        throw new AppError('forbidden', `role ${caller.role} may not ${String(r.perm[1])} ${r.perm[0]}`);
      }
    }
    const query: Record<string, string> = {};
    if (url) for (const [k, v] of url.searchParams) query[k] = v;
    let parsedQuery: unknown = query;
    if (r.query) {
      const q = r.query.safeParse(query);
      if (!q.success) throw new AppError('validation', `query ${describeZod(q.error).message}`, undefined, describeZod(q.error, 'query').details);
      parsedQuery = q.data;
    }
    let rawBody: Buffer | null = null;
    let body: unknown = undefined;
    if (r.body || r.rawBody) {
      rawBody = await readBody(req, r.bodyLimit ?? deps.bodyLimit);
      if (r.body) {
        const json = parseJsonBody(rawBody);
        const b = r.body.safeParse(json);
        if (!b.success) {
          const d = describeZod(b.error);
          throw new AppError('validation', json === undefined ? 'request body is required' : d.message, undefined, d.details);
        }
        body = b.data;
      }
    }
    const request: RouteRequest = {
      params: match.params, query: parsedQuery as Record<string, string>, body, rawBody, caller, requestId,
      headers: req.headers, req, res,
    };
    const reply = await r.handler(request);
    if (reply === HANDLED) {
      streams.add(res);
      res.on('close', () => streams.delete(res));
      return r.path;
    }
    const headers = { 'x-request-id': requestId, ...reply.headers };
    // Probes (routes without auth: /healthz, /readyz) are answered at once: load balancers and monitors
    // judge the daemon by their latency, and a batch waits for the rest of its turn's work.
    sendJson(res, reply.status ?? 200, toWire(reply.body), headers, r.auth === 'none' ? undefined : (text) => replies.end(res, text));
    return r.path;
  }

  const server = createNodeServer((req, res) => {
    const started = process.hrtime.bigint();
    replies.started();
    const header = req.headers['x-request-id'];
    const requestId = typeof header === 'string' && /^[\w.-]{1,64}$/.test(header) ? header : randomUUID();
    inFlight++;
    const finish = (routePath: string): void => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      seriesOf(req.method ?? '', routePath, res.statusCode).observe(seconds);
      deps.log.info('request', { requestId, traceId: deps.tracing?.traceIdOf(req), method: req.method, path: req.url, status: res.statusCode, ms: Math.round(seconds * 1e6) / 1e3 });
      if (--inFlight === 0 && draining) for (const w of idleWaiters.splice(0)) w();
    };
    if (draining) {
      sendJson(res, 503, { error: { code: 'unavailable', message: 'daemon is shutting down' } }, { connection: 'close' });
      finish('draining');
      return;
    }
    (deps.tracing ? deps.tracing.aroundRequest(req, res, () => handle(req, res, requestId)) : handle(req, res, requestId)).then(finish, (err: unknown) => {
      const reply = toErrorReply(err, requestId);
      if (reply.status === 401) deps.limiter?.authFailed(req.socket.remoteAddress ?? '').catch(() => {});
      if (reply.status >= 500) deps.log.error('request failed', { requestId, method: req.method, path: req.url, error: (err as Error)?.stack ?? String(err) });
      if (!res.headersSent) {
        // A refused body may still be arriving: answer, then close rather than read it all.
        const headers: Record<string, string> = { 'x-request-id': requestId, ...reply.headers };
        if (reply.status === 413) headers.connection = 'close';
        sendJson(res, reply.status, reply.body, headers);
      } else {
        res.destroy();
      }
      finish('unmatched');
    });
  }, deps.tls);
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = 120_000;

  return {
    server,
    async drain(ms: number): Promise<void> {
      draining = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      for (const res of streams) res.end();
      // Streams were counted out when their handler returned; the rest get up to `ms`.
      const idle = inFlight <= 0 ? Promise.resolve() : new Promise<void>((resolve) => idleWaiters.push(resolve));
      await Promise.race([idle, new Promise((r) => setTimeout(r, ms).unref())]);
      replies.flush();
      server.closeAllConnections();
      await closed;
    },
  };
}
