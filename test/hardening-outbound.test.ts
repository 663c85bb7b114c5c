import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFakeAnthropic, type FakeAnthropic } from '../fixtures/fake-anthropic/index.js';
import type { Notification, Notifier, NotifyResult } from '../core/notify/ports.js';
import { silentLogger } from '../server/log.js';
import { httpCall } from '../server/outbound/http.js';
import { ResilientNotifier } from '../server/outbound/notifier.js';
import { NonRetryable, Outbound } from '../server/outbound/outbound.js';
import { formatTraceparent, parseTraceparent, runInSpan, Tracing } from '../server/tracing/tracing.js';
import { eventually, startDaemon, type TestDaemon } from './helpers.js';

const fakeClock = (start = 1_000_000) => {
  let t = start;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
};

function outbound(clock = fakeClock(), sleeps: number[] = []): Outbound {
  return new Outbound({ clock, log: silentLogger(), breaker: { threshold: 3, cooldownMs: 30_000 }, sleep: async (ms) => void sleeps.push(ms) });
}

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((r) => s.close(() => r(null)));
});
async function listen(handler: (req: IncomingMessage, body: string) => { status: number; body?: string } | null): Promise<string> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const reply = handler(req, body);
      if (!reply) return; // hang: a dead service that accepts and never answers
      res.writeHead(reply.status, { 'content-type': 'application/json' });
      res.end(reply.body ?? '{}');
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('the outbound layer', () => {
  it('retries with growing, jittered backoff and returns the first success', async () => {
    const sleeps: number[] = [];
    const o = outbound(fakeClock(), sleeps);
    let n = 0;
    const v = await o.call('calendar', async () => {
      if (++n < 3) throw new Error('ECONNRESET');
      return 'ok';
    }, { retries: 3, backoffMs: 100 });
    expect(v).toBe('ok');
    expect(n).toBe(3);
    expect(sleeps).toHaveLength(2);
    expect(sleeps[0]).toBeGreaterThanOrEqual(50);
    expect(sleeps[0]).toBeLessThanOrEqual(100);
    expect(sleeps[1]).toBeGreaterThanOrEqual(100);
    expect(sleeps[1]).toBeLessThanOrEqual(200);
  });

  it('gives each attempt a deadline and does not retry what cannot succeed', async () => {
    const o = outbound();
    await expect(o.call('claude', () => new Promise(() => {}), { timeoutMs: 30, retries: 1 })).rejects.toThrow(/timed out after 30 ms/);
    let n = 0;
    await expect(o.call('slack', async () => {
      n++;
      throw new NonRetryable('slack answered 404: no_service');
    })).rejects.toThrow(/404/);
    expect(n).toBe(1);
  });

  it('opens the circuit after repeated failures, fails fast while open, and closes after a good trial', async () => {
    const clock = fakeClock();
    const o = outbound(clock);
    let calls = 0;
    const failing = async (): Promise<string> => {
      calls++;
      throw new Error('connect ECONNREFUSED https://hooks.slack.com/services/T0/B0/SECRETPART');
    };
    for (let i = 0; i < 3; i++) await expect(o.call('slack', failing, { retries: 0 })).rejects.toThrow();
    expect(o.status()[0]).toMatchObject({ target: 'slack', state: 'open', consecutiveFailures: 3, failures: 3 });
    await expect(o.call('slack', failing)).rejects.toThrow(/circuit open/);
    expect(calls).toBe(3);
    clock.advance(30_000);
    expect(o.status()[0]!.state).toBe('half_open');
    expect(await o.call('slack', async () => 'delivered')).toBe('delivered');
    expect(o.status()[0]).toMatchObject({ state: 'closed', consecutiveFailures: 0 });
    // What is recorded never carries a webhook's secret path.
    expect(JSON.stringify([o.status(), o.recentFailures()])).not.toContain('SECRETPART');
    expect(o.recentFailures()[0]).toMatchObject({ target: 'slack', attempts: 1, error: expect.stringContaining('https://hooks.slack.com/…') });
  });

  it('a dead Slack is retried, then recorded as failed, then skipped without waiting', async () => {
    const clock = fakeClock();
    const o = outbound(clock);
    const sent: Notification[] = [];
    const dead: Notifier = {
      async send(_org, n): Promise<NotifyResult> {
        sent.push(n);
        return { ok: false, detail: 'slack unreachable: connect ECONNREFUSED' };
      },
    };
    const notifier = new ResilientNotifier(dead, o);
    const n: Notification = { channel: 'slack', text: 'restart did not help', source: 'healing', subjectId: 'act_1' };
    const first = await notifier.send('org_1', n);
    expect(first.ok).toBe(false);
    expect(sent).toHaveLength(3);
    expect(o.recentFailures()[0]).toMatchObject({ target: 'notify.slack', attempts: 3, subject: 'act_1' });
    await notifier.send('org_1', n);
    await notifier.send('org_1', n);
    expect(sent).toHaveLength(9);
    const skipped = await notifier.send('org_1', n);
    expect(skipped).toMatchObject({ ok: false, detail: expect.stringMatching(/circuit open/) });
    expect(sent).toHaveLength(9);
    // Events still go out: they are not an outbound call.
    const events: Notifier = { send: async () => ({ ok: true, detail: 'event published' }) };
    expect(await new ResilientNotifier(events, o).send('org_1', { ...n, channel: 'event' })).toEqual({ ok: true, detail: 'event published' });
  });

  it('sends the current trace along with an HTTP call, as a child span', async () => {
    const seen: string[] = [];
    const url = await listen((req) => {
      seen.push(String(req.headers.traceparent));
      return { status: 200, body: '{"ok":true}' };
    });
    const tracing = new Tracing(null);
    const o = new Outbound({ clock: fakeClock(), log: silentLogger(), tracing });
    const parent = tracing.startSpan('POST /v1/route', 'server', parseTraceparent('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'));
    const res = await runInSpan(parent, () => httpCall(o, 'http.step', `${url}/hook`, { method: 'POST', body: '{}' }));
    expect(res).toMatchObject({ status: 200, body: '{"ok":true}' });
    const sent = parseTraceparent(seen[0]);
    expect(sent?.traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(sent?.spanId).not.toBe(parent.spanId);
  });

  it('retries a 503 and gives a 4xx back at once', async () => {
    let n = 0;
    const url = await listen((req) => (req.url === '/flaky' ? (++n < 2 ? { status: 503 } : { status: 200 }) : { status: 404 }));
    const o = outbound();
    expect((await httpCall(o, 'x', `${url}/flaky`)).status).toBe(200);
    expect(n).toBe(2);
    expect((await httpCall(o, 'x', `${url}/missing`)).status).toBe(404);
  });
});

describe('traceparent', () => {
  it('parses valid headers and ignores malformed ones', () => {
    expect(parseTraceparent('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01')).toEqual({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', sampled: true });
    for (const bad of ['', 'garbage', '00-00000000000000000000000000000000-b7ad6b7169203331-01', 'ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-extra']) {
      expect(parseTraceparent(bad)).toBeNull();
    }
    expect(formatTraceparent({ traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), sampled: false })).toBe(`00-${'a'.repeat(32)}-${'b'.repeat(16)}-00`);
  });
});

describe('tracing and outbound failures in the daemon', () => {
  let d: TestDaemon | null = null;
  afterEach(async () => {
    await d?.stop();
    d = null;
  });

  it('continues the caller\'s trace, exports spans over OTLP/HTTP, and shows outbound failures', async () => {
    const received: { url: string; body: string; type: string }[] = [];
    const collector = await listen((req, body) => {
      received.push({ url: req.url ?? '', body, type: String(req.headers['content-type']) });
      return { status: 200 };
    });
    d = await startDaemon({ config: { otlpEndpoint: collector } });
    const incoming = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const res = await d.api('/v1/tasks', { headers: { traceparent: incoming } });
    expect(res.status).toBe(200);
    const answered = parseTraceparent(res.headers.get('traceparent') ?? undefined);
    expect(answered?.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    const fresh = parseTraceparent((await d.api('/v1/tasks', { headers: { traceparent: 'nonsense' } })).headers.get('traceparent') ?? undefined);
    expect(fresh?.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(fresh?.traceId).not.toBe('4bf92f3577b34da6a3ce929d0e0e4736');

    // An outbound call that fails is visible: GET /v1/outbound and an outbound.failed event.
    const o = d.daemon.ctx.services.get<Outbound>('outbound')!;
    await expect(httpCall(o, 'notify.slack', 'http://127.0.0.1:1/services/T/B/secretpath', { retries: 1, backoffMs: 1, orgId: d.init.orgId, subject: 'act_x' })).rejects.toThrow();
    const view = (await (await d.api('/v1/outbound')).json()) as { targets: { target: string; failures: number }[]; recentFailures: { error: string }[] };
    expect(view.targets).toContainEqual(expect.objectContaining({ target: 'notify.slack', failures: 1 }));
    expect(JSON.stringify(view)).not.toContain('secretpath');
    await eventually(async () => {
      const events = (await (await d!.api('/v1/events/recent?types=outbound.failed')).json()) as { data: { target: string } }[];
      return events.some((e) => e.data.target === 'notify.slack');
    }, 10_000, 'the outbound.failed event');

    await d.stop();
    d = null;
    const traces = received.filter((r) => r.url === '/v1/traces');
    expect(traces.length).toBeGreaterThan(0);
    expect(traces[0]!.type).toContain('application/json');
    const spans = traces.flatMap((t) => (JSON.parse(t.body) as { resourceSpans: { scopeSpans: { spans: { traceId: string; parentSpanId?: string; name: string }[] }[] }[] })
      .resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans)));
    expect(spans).toContainEqual(expect.objectContaining({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', parentSpanId: '00f067aa0ba902b7', name: 'GET /v1/tasks' }));
    expect(spans.some((s) => s.name === 'notify.slack')).toBe(true);
  }, 60_000);
});

describe('Claude through the outbound layer', () => {
  it('keeps LlmErrors for callers, and fails fast with unavailable once the circuit is open', async () => {
    const { ResilientLlm } = await import('../server/outbound/llm.js');
    const { LlmError } = await import('../core/llm.js');
    let calls = 0;
    const down = { model: 'claude-x', complete: async () => { calls++; throw new LlmError('overloaded', 'Anthropic is overloaded (529)', 3); } };
    const llm = new ResilientLlm(down, outbound());
    for (let i = 0; i < 3; i++) await expect(llm.complete({ system: '', messages: [] } as never)).rejects.toMatchObject({ kind: 'overloaded' });
    await expect(llm.complete({ system: '', messages: [] } as never)).rejects.toMatchObject({ kind: 'unavailable', message: expect.stringMatching(/circuit open/) });
    expect(calls).toBe(3);
    expect(llm.model).toBe('claude-x');
  });
});

describe('Claude: a caller cancelling is not the target failing, a missed deadline is', () => {
  it('releases a cancelled call without a failure, and counts a routing budget that ran out', async () => {
    const { ResilientLlm } = await import('../server/outbound/llm.js');
    const { LlmError } = await import('../core/llm.js');
    const hang = { model: 'claude-x', complete: (req: { signal?: AbortSignal }) => new Promise<never>((_, reject) => req.signal!.addEventListener('abort', () => reject(new LlmError('aborted', 'the request was cancelled')))) };
    const o = outbound();
    const user = new ResilientLlm(hang as never, o, { target: 'claude' });
    const stop = new AbortController();
    const asked = user.complete({ messages: [], signal: stop.signal });
    stop.abort();
    await expect(asked).rejects.toMatchObject({ kind: 'aborted' });
    expect(o.status()).toEqual([expect.objectContaining({ target: 'claude', failures: 0, state: 'closed' })]);
    expect(o.recentFailures()).toEqual([]);

    const routing = new ResilientLlm(hang as never, o, { target: 'claude.routing', callerDeadline: true });
    for (let i = 0; i < 3; i++) {
      const budget = new AbortController();
      const p = routing.complete({ messages: [], signal: budget.signal, orgId: 'org_1' });
      budget.abort();
      await expect(p).rejects.toMatchObject({ kind: 'aborted' });
    }
    expect(o.recentFailures()[0]).toMatchObject({ target: 'claude.routing', error: 'no answer within the caller\'s deadline' });
    // Three missed budgets open the circuit: the next decision does not wait for Claude at all.
    await expect(routing.complete({ messages: [], signal: new AbortController().signal })).rejects.toMatchObject({ kind: 'unavailable', message: expect.stringMatching(/circuit open/) });
  });

  it('does not hold a refused request (400) against Claude', async () => {
    const { ResilientLlm } = await import('../server/outbound/llm.js');
    const { LlmError } = await import('../core/llm.js');
    const o = outbound();
    const llm = new ResilientLlm({ model: 'm', complete: async () => { throw new LlmError('bad_request', 'the Claude API refused the request: too long'); } }, o);
    for (let i = 0; i < 4; i++) await expect(llm.complete({ messages: [] })).rejects.toMatchObject({ kind: 'bad_request' });
    expect(o.status()[0]).toMatchObject({ failures: 0, state: 'closed', calls: 4 });
  });
});

describe('playbook http steps and Claude in the daemon go through the outbound layer', () => {
  let d: TestDaemon;
  let fake: FakeAnthropic;
  const received: { url: string; traceparent: string | undefined }[] = [];
  let receiver = '';
  let receiverServer: Server;
  beforeAll(async () => {
    receiver = await listen((req) => {
      received.push({ url: req.url ?? '', traceparent: req.headers.traceparent as string | undefined });
      return { status: 200, body: '{"restarted":true}' };
    });
    receiverServer = servers.pop()!; // lives for the whole describe, not one test
    fake = await startFakeAnthropic({ apiKey: 'test-key' });
    d = await startDaemon({
      config: {
        anthropic: { apiKey: 'test-key', baseUrl: fake.url, model: 'claude-test' },
        settings: { assistant_max_attempts: '2', assistant_retry_base_ms: '1' },
      },
    });
  }, 60_000);
  afterAll(async () => {
    await d?.stop();
    await fake?.close();
    await new Promise((r) => receiverServer.close(() => r(null)));
  });

  const runPlaybook = async (name: string, step: Record<string, unknown>) => {
    const source = JSON.stringify({ name, cooldown: 0, steps: [{ id: 'call', type: 'http', timeout: '2s', ...step }] });
    expect((await d.api('/v1/healing/playbooks', { method: 'POST', json: { source } })).status).toBe(201);
    const started = (await (await d.api(`/v1/healing/playbooks/${name}/run`, { method: 'POST', json: {} })).json()) as { id: string };
    return eventually(async () => {
      const a = (await (await d.api(`/v1/healing/actions/${started.id}`)).json()) as { id: string; status: string; steps: { status: string; error: string | null; output: Record<string, unknown> }[] };
      return ['succeeded', 'failed', 'rolled_back'].includes(a.status) ? a : null;
    }, 20_000, `action ${started.id} to finish`);
  };

  it('retries a dead target, fails the step, and shows the failure (GET /v1/outbound, outbound.failed)', async () => {
    const action = await runPlaybook('poke-dead', { method: 'POST', url: 'http://127.0.0.1:1/hooks/T0/SECRETPART', body: '{"service":"api"}' });
    expect(action.status).toBe('failed');
    expect(action.steps[0]).toMatchObject({ status: 'failed', error: expect.stringMatching(/^http 127\.0\.0\.1:1 failed after 3 attempts: .*ECONNREFUSED/) });
    const view = (await (await d.api('/v1/outbound')).json()) as { targets: { target: string; failures: number }[]; recentFailures: { target: string; attempts: number; subject: string | null }[] };
    expect(view.targets).toContainEqual(expect.objectContaining({ target: 'http 127.0.0.1:1', failures: 1 }));
    expect(view.recentFailures).toContainEqual(expect.objectContaining({ target: 'http 127.0.0.1:1', attempts: 3, subject: action.id }));
    expect(JSON.stringify(view)).not.toContain('SECRETPART');
    const event = await eventually(async () => {
      const events = (await (await d.api('/v1/events/recent?types=outbound.failed')).json()) as { subject: string; data: { target: string; attempts: number } }[];
      return events.find((e) => e.subject === action.id);
    }, 10_000, 'the outbound.failed event');
    expect(event.data).toMatchObject({ target: 'http 127.0.0.1:1', attempts: 3 });
  });

  it('sends a traceparent to the target of an http step', async () => {
    const action = await runPlaybook('poke-live', { url: `${receiver}/restart` });
    expect(action.status).toBe('succeeded');
    expect(action.steps[0]!.output).toMatchObject({ status: 200, body: '{"restarted":true}' });
    const hit = received.find((r) => r.url === '/restart');
    expect(parseTraceparent(hit?.traceparent)).toMatchObject({ traceId: expect.stringMatching(/^[0-9a-f]{32}$/) });
  });

  it('continues the asker\'s trace to Claude', async () => {
    fake.reset();
    fake.enqueue({ text: 'All quiet.' });
    const incoming = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const res = await d.api('/v1/assistant/ask', { method: 'POST', json: { question: 'anything on fire?' }, headers: { traceparent: incoming } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { answer: string }).answer).toBe('All quiet.');
    const sent = parseTraceparent(fake.requests[0]!.headers['traceparent']);
    expect(sent?.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(sent?.spanId).not.toBe('00f067aa0ba902b7');
  });

  it('retries a failing Claude, then records it as failed for the asker\'s organisation', async () => {
    fake.reset();
    fake.enqueue({ kind: 'error', status: 500, message: 'boom' }, { kind: 'error', status: 500, message: 'boom' });
    const res = await d.api('/v1/assistant/ask', { method: 'POST', json: { question: 'what is open?' } });
    expect(res.status).toBe(200);
    expect(fake.requests).toHaveLength(2);
    const view = (await (await d.api('/v1/outbound')).json()) as { targets: { target: string; failures: number }[] };
    expect(view.targets).toContainEqual(expect.objectContaining({ target: 'claude', failures: 1 }));
    await eventually(async () => {
      const events = (await (await d.api('/v1/events/recent?types=outbound.failed')).json()) as { data: { target: string } }[];
      return events.some((e) => e.data.target === 'claude');
    }, 10_000, 'the outbound.failed event for claude');
  });
});

describe('member calendars go through the outbound layer', () => {
  it('fetches an ICS calendar with a traceparent, and records a dead calendar host without its private path', async () => {
    const { CalendarCache } = await import('../server/routing/calendars.js');
    const now = Date.parse('2026-11-25T12:00:00Z');
    const ics = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'BEGIN:VEVENT', 'SUMMARY:Offsite', 'DTSTART:20261125T110000Z', 'DTEND:20261125T150000Z', 'END:VEVENT', 'END:VCALENDAR'].join('\r\n');
    const seen: string[] = [];
    const url = await listen((req) => {
      seen.push(String(req.headers.traceparent));
      return { status: 200, body: ics };
    });
    const o = new Outbound({ clock: fakeClock(now), log: silentLogger(), tracing: new Tracing(null), sleep: async () => undefined });
    const errors: string[] = [];
    const cache = new CalendarCache({ baseDir: '/nonexistent', outbound: o, onError: (u, m) => errors.push(`${u} ${m}`) });
    const member = (calendarUrl: string) => ({ id: 'm1', orgId: 'o', teamId: null, name: 'ana', email: null, skills: {}, timezone: 'UTC', workingHours: null, capacity: 2, calendarUrl, onCall: false, active: true, createdAt: 0 });
    const ana = member(`${url}/private/abc.ics`);
    await cache.warm([ana], now);
    expect(cache.busy(ana, now)).toEqual([[Date.parse('2026-11-25T11:00:00Z'), Date.parse('2026-11-25T15:00:00Z')]]);
    expect(parseTraceparent(seen[0])).not.toBeNull();

    const bob = member('http://127.0.0.1:1/calendar/ical/SECRETPART/basic.ics');
    await cache.warm([bob], now);
    expect(cache.busy(bob, now)).toEqual([]);
    expect(o.recentFailures()[0]).toMatchObject({ target: 'calendar 127.0.0.1:1', attempts: 3 });
    expect(errors).toHaveLength(1);
    expect(JSON.stringify([errors, o.recentFailures(), o.status()])).not.toContain('SECRETPART');
  });
});
