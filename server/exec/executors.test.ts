import { afterAll, beforeAll, describe, it, expect } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { silentLogger } from '../log.js';
import { Outbound } from '../outbound/outbound.js';
import { parseTraceparent, Tracing } from '../tracing/tracing.js';
import { createStepExecutors, type MetricLatest } from './executors.js';

let server: Server;
let base = '';
const seen: Array<{ method: string; url: string; body: string; type: string | undefined; traceparent: string | undefined }> = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, body, type: req.headers['content-type'], traceparent: req.headers.traceparent });
      if (req.url === '/hang') return; // never answers
      if (req.url === '/down') return res.writeHead(503).end('maintenance');
      if (req.url === '/big') return res.end('y'.repeat(100_000));
      res.writeHead(req.url === '/missing' ? 404 : 200).end('done');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }));

const meta = { orgId: 'org_1', actionId: 'act_1', stepId: 's' };
const notifier = { send: async () => ({ ok: true, detail: 'sent' }) };
const clock = { now: () => Date.now() };
/** The daemon's outbound layer, waiting no real time between attempts. */
const newOutbound = (): Outbound => new Outbound({ clock, log: silentLogger(), tracing: new Tracing(null), sleep: async () => undefined });
const outbound = newOutbound();

describe('http steps', () => {
  const ex = createStepExecutors({ clock, notifier, outbound });
  const http = (over: object) => ex.http({ type: 'http', method: 'GET', url: `${base}/ok`, headers: {}, expectStatus: null, timeout: 2000, maxOutput: 1000, ...over }, meta);

  it('succeed on 2xx and send a JSON body as JSON', async () => {
    const r = await http({ method: 'POST', url: `${base}/restart`, body: '{"service":"api"}' });
    expect(r).toMatchObject({ ok: true, output: { status: 200, body: 'done' } });
    expect(seen.at(-1)).toMatchObject({ method: 'POST', url: '/restart', body: '{"service":"api"}', type: 'application/json' });
  });

  it('fail on a status that was not expected, and pass on one that was', async () => {
    expect(await http({ url: `${base}/missing` })).toMatchObject({ ok: false, error: 'status 404, expected 2xx' });
    expect(await http({ url: `${base}/missing`, expectStatus: [404] })).toMatchObject({ ok: true });
  });

  it('give up at the timeout of each attempt, after retrying a GET', async () => {
    const before = seen.length;
    const r = await http({ url: `${base}/hang`, timeout: 200 });
    expect(r.ok).toBe(false);
    expect(r.error).toMatch(/no answer within 200ms \(3 attempts\)/);
    expect(seen.length - before).toBe(3);
  });

  it('send a traceparent with every request', async () => {
    await http({ url: `${base}/ok` });
    expect(parseTraceparent(seen.at(-1)!.traceparent)).toMatchObject({ traceId: expect.stringMatching(/^[0-9a-f]{32}$/) });
  });

  it('keep at most maxOutput bytes of the answer', async () => {
    const r = await http({ url: `${base}/big`, maxOutput: 10 });
    expect(r.output).toMatchObject({ body: 'yyyyyyyyyy', truncated: true });
  });
});

describe('http steps through the outbound layer', () => {
  const step = (over: object) => ({ type: 'http' as const, method: 'GET', url: `${base}/ok`, headers: {}, expectStatus: null, timeout: 2000, maxOutput: 1000, ...over });

  it('retry a dead target, then record it as failed for the action', async () => {
    const o = newOutbound();
    const ex = createStepExecutors({ clock, notifier, outbound: o });
    const r = await ex.http(step({ method: 'POST', url: 'http://127.0.0.1:1/restart', body: '{}' }), meta);
    // Connection refused: nothing arrived, so even a POST is tried again.
    expect(r).toMatchObject({ ok: false, error: expect.stringMatching(/failed after 3 attempts: .*ECONNREFUSED/) });
    expect(o.recentFailures()).toEqual([expect.objectContaining({ target: 'http 127.0.0.1:1', attempts: 3, subject: 'act_1' })]);
    expect(o.status()).toEqual([expect.objectContaining({ target: 'http 127.0.0.1:1', failures: 1, state: 'closed' })]);
  });

  it('retry a 503 for GET and for a step marked idempotent, but not for a plain POST', async () => {
    const count = (path: string) => seen.filter((s) => s.url === path).length;
    const ex = createStepExecutors({ clock, notifier, outbound: newOutbound() });
    const get = await ex.http(step({ url: `${base}/down` }), meta);
    expect(get).toMatchObject({ ok: false, error: expect.stringMatching(/after 3 attempts: HTTP 503/) });
    expect(count('/down')).toBe(3);
    const post = await ex.http(step({ method: 'POST', url: `${base}/down`, body: 'x' }), meta);
    expect(post).toMatchObject({ ok: false, error: expect.stringMatching(/HTTP 503: maintenance \(not retried: the request may have taken effect\)/) });
    expect(count('/down')).toBe(4);
    await ex.http(step({ method: 'POST', url: `${base}/down`, body: 'x' }), { ...meta, idempotent: true });
    expect(count('/down')).toBe(7);
  });

  it('take an expected 503 as the answer', async () => {
    const ex = createStepExecutors({ clock, notifier, outbound: newOutbound() });
    expect(await ex.http(step({ url: `${base}/down`, expectStatus: [503] }), meta)).toMatchObject({ ok: true, output: { status: 503, body: 'maintenance' } });
  });

  it('stop calling a host whose circuit is open, without waiting', async () => {
    const o = new Outbound({ clock, log: silentLogger(), sleep: async () => undefined, breaker: { threshold: 2, cooldownMs: 60_000 } });
    const ex = createStepExecutors({ clock, notifier, outbound: o });
    for (let i = 0; i < 2; i++) await ex.http(step({ url: 'http://127.0.0.1:1/x', timeout: 500 }), meta);
    const r = await ex.http(step({ url: 'http://127.0.0.1:1/x' }), meta);
    expect(r.error).toMatch(/http 127.0.0.1:1 is failing \(circuit open after 2 failures/);
    // Another host has its own circuit.
    expect((await ex.http(step({ url: `${base}/ok` }), meta)).ok).toBe(true);
  });
});

describe('verify steps', () => {
  it('poll until a fresh value satisfies the condition', async () => {
    const values = [0.9, 0.7, 0.3];
    const latest: MetricLatest = async () => ({ value: values.shift() ?? 0.3, at: Date.now() });
    const ex = createStepExecutors({ clock, notifier, outbound, metricLatest: () => latest, sleep: async () => undefined });
    const r = await ex.verify({ type: 'verify', metric: 'api_latency_p99', labels: {}, condition: { op: 'lt', value: 0.5 }, within: 60_000, interval: 1000 }, meta);
    expect(r).toMatchObject({ ok: true, output: { value: 0.3 } });
  });

  it('fail with the last value seen when the condition never holds in time', async () => {
    let now = 0;
    const ex = createStepExecutors({
      clock: { now: () => now }, notifier, metricLatest: () => async () => ({ value: 0.9, at: now }), sleep: async (ms) => void (now += ms),
    });
    const r = await ex.verify({ type: 'verify', metric: 'api_latency_p99', labels: {}, condition: { op: 'lt', value: 0.5 }, within: 5_000, interval: 1000 }, meta);
    expect(r.ok).toBe(false);
    expect(r.error).toBe('api_latency_p99 = 0.9, wanted lt 0.5 (not within 5s)');
  });

  it('read a health check from the monitor results when it cannot probe itself', async () => {
    const asked: Array<[string, Record<string, string>]> = [];
    const ex = createStepExecutors({ clock, notifier, outbound, metricLatest: () => async (_o, name, labels) => (asked.push([name, labels]), { value: 1, at: Date.now() }) });
    const r = await ex.verify({ type: 'verify', check: 'api-http', labels: {}, within: 1000, interval: 100 }, meta);
    expect(r.ok).toBe(true);
    expect(asked).toEqual([['health_check_up', { check: 'api-http' }]]);
  });
});

describe('exec steps', () => {
  const ex = createStepExecutors({ clock, notifier, outbound });
  it('count only the declared exit codes as success', async () => {
    const step = { type: 'exec' as const, argv: [process.execPath, '-e', 'process.exit(3)'], env: {}, timeout: 10_000, maxOutput: 1000, okExitCodes: [0] };
    expect(await ex.exec(step, meta)).toMatchObject({ ok: false, error: 'exit code 3' });
    expect(await ex.exec({ ...step, okExitCodes: [0, 3] }, meta)).toMatchObject({ ok: true });
  });
});
