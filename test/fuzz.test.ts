import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RATE_LIMIT } from '../server/http/rate-limit.js';
import { casesFor, rawCases, type FuzzCase } from './fuzz-cases.js';
import { startDaemon, type TestDaemon } from './helpers.js';

const TOTAL = Number(process.env.FOUNDRY_FUZZ_REQUESTS) || 10_000;
const CONCURRENCY = 12;
const TIMEOUT_MS = 15_000;
// A stack frame, a source location or a module path: none may reach a client.
const LEAK = /\n\s+at \S|\bat [\w.<>$]+ \([^)]*:\d+:\d+\)|node_modules|\/[\w-]+\.(?:ts|js):\d+|(?:Type|Reference|Range|Syntax)Error:/;

interface Outcome {
  status: number;
  body: string;
  contentType: string;
  error?: string;
}

const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });

function send(base: URL, c: FuzzCase, token: string | null): Promise<Outcome> {
  return new Promise((resolve) => {
    // With headers as a list (so they may repeat) Node adds no Host of its own.
    const headers: string[] = ['host', base.host];
    for (const [k, v] of c.headers) headers.push(k, v);
    if (token !== null) headers.push('authorization', `Bearer ${token}`);
    const body = c.body === undefined ? undefined : Buffer.isBuffer(c.body) ? c.body : Buffer.from(c.body);
    if (body) headers.push('content-length', String(body.length));
    let req: ReturnType<typeof request>;
    try {
      req = request({ host: base.hostname, port: base.port, method: c.method, path: c.path, headers, agent, timeout: TIMEOUT_MS });
    } catch (err) {
      // The client refused to send it (illegal characters): nothing reached the daemon.
      resolve({ status: 0, body: '', contentType: '', error: `client refused: ${(err as Error).message}` });
      return;
    }
    req.on('response', (res) => {
      const contentType = String(res.headers['content-type'] ?? '');
      if (contentType.startsWith('text/event-stream')) {
        res.destroy();
        resolve({ status: res.statusCode ?? 0, body: '', contentType });
        return;
      }
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), contentType }));
      res.on('error', (err) => resolve({ status: res.statusCode ?? 0, body: '', contentType, error: err.message }));
    });
    req.on('timeout', () => req.destroy(new Error('no answer in time')));
    // A 413 closes the connection while the body is still being written: that is the daemon working.
    req.on('error', (err) => resolve({ status: -1, body: '', contentType: '', error: err.message }));
    req.end(body);
  });
}

function sendRaw(base: URL, text: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(Number(base.port), base.hostname);
    let data = '';
    socket.setTimeout(TIMEOUT_MS, () => socket.destroy());
    socket.on('data', (d) => (data += d.toString('latin1')));
    socket.on('error', () => resolve(data));
    socket.on('close', () => resolve(data));
    socket.end(text, 'latin1');
  });
}

async function pool<T>(items: T[], n: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (next < items.length) await fn(items[next++]!);
  }));
}

describe('fuzzing every endpoint with malformed requests, for every role', () => {
  let d: TestDaemon;
  const roles: Record<string, string | null> = {};

  beforeAll(async () => {
    // Failed authentications are part of the input; the address block would hide the routes behind 429s.
    d = await startDaemon({ demo: true, config: { rateLimit: { ...DEFAULT_RATE_LIMIT, authFail: 1e9 } } });
    roles.admin = d.token;
    for (const role of ['manager', 'operator', 'viewer'] as const) roles[role] = await d.tokenFor(role, `fuzz-${role}`);
    roles.anonymous = null;
    roles.forged = `${d.token.split('.').slice(0, 2).join('.')}.${'A'.repeat(43)}`;
  });
  afterAll(async () => {
    agent.destroy();
    await d?.stop();
  });

  it(`answers ${TOTAL}+ hostile requests without a 5xx, a hang or a stack trace`, async () => {
    const base = new URL(d.url);
    const routes = d.daemon.routes;
    const roleNames = Object.keys(roles);
    expect(routes.length).toBeGreaterThan(10);
    const perRoute = Math.ceil(TOTAL / routes.length);
    const jobs: { route: string; role: string; c: FuzzCase }[] = [];
    routes.forEach((r, i) => {
      casesFor(r, perRoute, 1000 + i).forEach((c, j) => jobs.push({ route: `${r.method} ${r.path}`, role: roleNames[j % roleNames.length]!, c }));
    });
    const failures: string[] = [];
    const byStatus = new Map<number, number>();
    const time = new Map<string, [number, number, number, string]>();
    await pool(jobs, CONCURRENCY, async ({ route, role, c }) => {
      const t0 = performance.now();
      const o = await send(base, c, roles[role]!);
      const k = process.env.FOUNDRY_FUZZ_TIMES === 'route' ? `${route} ${role}` : c.kind.startsWith('wrong type') ? 'wrong type' : c.kind;
      const e = time.get(k) ?? [0, 0, 0, ''];
      const ms = performance.now() - t0;
      time.set(k, [e[0] + 1, e[1] + ms, Math.max(e[2], ms), ms > e[2] ? `${route} ${o.status}` : e[3]]);
      byStatus.set(o.status, (byStatus.get(o.status) ?? 0) + 1);
      const where = `${route} as ${role}, ${c.kind}: ${c.method} ${c.path.slice(0, 120)}`;
      if (o.status >= 500) failures.push(`${where} -> ${o.status} ${o.body.slice(0, 300)}`);
      else if (o.error && !/ECONNRESET|EPIPE|socket hang up|client refused/.test(o.error)) failures.push(`${where} -> ${o.error}`);
      // Only error answers are ours to judge: a 2xx may echo task text that itself reads like a stack trace.
      else if (o.status >= 400 && LEAK.test(o.body)) failures.push(`${where} -> leaks internals: ${o.body.slice(0, 300)}`);
      else if (o.status >= 400 && c.method !== 'HEAD' && o.contentType.startsWith('application/json')) {
        let parsed: { error?: { code?: unknown; message?: unknown } } | null = null;
        try {
          parsed = JSON.parse(o.body) as typeof parsed;
        } catch {
          /* reported below */
        }
        if (typeof parsed?.error?.code !== 'string' || typeof parsed.error.message !== 'string') failures.push(`${where} -> ${o.status} without the error JSON: ${o.body.slice(0, 200)}`);
      }
    });
    const summary = [...byStatus.entries()].sort((a, b) => a[0] - b[0]).map(([s, n]) => `${s}: ${n}`).join(', ');
    console.info(`fuzz: ${jobs.length} requests over ${routes.length} routes x ${roleNames.length} roles; statuses ${summary}`);
    if (process.env.FOUNDRY_FUZZ_TIMES) console.info([...time.entries()].sort((a, b) => b[1][1] - a[1][1]).slice(0, 20).map(([k, [n, sum, max, w]]) => `${k}: n=${n} mean=${(sum / n).toFixed(1)}ms max=${max.toFixed(0)}ms (${w})`).join('\n'));
    expect(jobs.length).toBeGreaterThanOrEqual(TOTAL);
    // The requests reached the routes: refusals of every kind, and some hostile-but-valid input accepted.
    for (const status of [400, 401, 403, 404, 413, 422]) expect(byStatus.get(status) ?? 0, `status ${status}`).toBeGreaterThan(0);
    expect([...byStatus.keys()].some((s) => s >= 200 && s < 300)).toBe(true);
    expect(failures.slice(0, 25), `${failures.length} failures`).toEqual([]);
  }, 240_000);

  it('answers junk below the HTTP layer with 4xx or a closed connection, never a 5xx', async () => {
    const base = new URL(d.url);
    for (const text of rawCases(d.token)) {
      const reply = await sendRaw(base, text);
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(reply)?.[1] ?? 0);
      expect(status < 500, `${JSON.stringify(text.slice(0, 80))} -> ${reply.slice(0, 200)}`).toBe(true);
      expect(LEAK.test(reply), reply.slice(0, 300)).toBe(false);
    }
  });

  it('is healthy afterwards and its audit chain verifies', async () => {
    const health = await d.api('/healthz');
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok' });
    const ready = await d.api('/readyz');
    expect(ready.status).toBe(200);
    const verify = await d.api('/v1/audit/verify');
    expect(verify.status).toBe(200);
    const report = (await verify.json()) as { ok: boolean; entries: number };
    expect(report.ok).toBe(true);
    expect(report.entries).toBeGreaterThan(0);
    expect((await d.api('/v1/tasks')).status).toBe(200);
  });
});
