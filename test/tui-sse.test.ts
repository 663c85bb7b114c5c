// The dashboard's connection to a daemon: the event stream resumes after a drop without losing
// events, and panels whose endpoints do not exist say so instead of failing.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, it, expect } from 'vitest';
import { openEventStream, type RawEvent } from '../tui/hooks/event-stream.js';
import { createHttpSource } from '../tui/hooks/http-source.js';
import { ApiClient } from '../cli/client.js';
import { PanelUnavailable } from '../tui/source.js';
import type { ConnectionState, EventVM } from '../tui/model.js';

let server: Server | null = null;
const stops: (() => void)[] = [];

afterEach(async () => {
  for (const s of stops.splice(0)) s();
  await new Promise<void>((res) => (server ? server.close(() => res()) : res()));
  server = null;
});

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  server = createServer(handler);
  await new Promise<void>((res) => server!.listen(0, '127.0.0.1', () => res()));
  return `http://127.0.0.1:${(server!.address() as AddressInfo).port}`;
}

function sse(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  res.write('retry: 50\n: hello\n\n');
}

const frame = (id: number, type: string) => `id: ${id}\nevent: ${type}\ndata: ${JSON.stringify({ id, type, at: '2026-01-01T00:00:00.000Z', actor: 'system', subject: `s${id}`, data: { title: `event ${id}` } })}\n\n`;

async function until(check: () => boolean, deadlineMs = 5000): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met before the deadline');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('the event stream', () => {
  it('sees every event type, shows reconnecting on a drop and resumes from the last id', async () => {
    const seenLastIds: (string | undefined)[] = [];
    let connections = 0;
    const url = await serve((req, res) => {
      connections += 1;
      seenLastIds.push(req.headers['last-event-id'] as string | undefined);
      expect(req.headers.authorization).toBe('Bearer t0k');
      sse(res);
      if (connections === 1) {
        res.write(frame(1, 'task.created') + frame(2, 'issue.detected'));
        setTimeout(() => res.destroy(), 30);
      } else {
        res.write(frame(3, 'action.awaiting_approval'));
      }
    });
    const events: RawEvent[] = [];
    const states: ConnectionState[] = [];
    stops.push(openEventStream({ url: `${url}/v1/events`, token: 't0k', onEvent: (e) => events.push(e), onState: (s) => states.push(s), retryMs: 20 }));
    await until(() => events.length === 3);
    expect(events.map((e) => [e.id, e.type])).toEqual([['1', 'task.created'], ['2', 'issue.detected'], ['3', 'action.awaiting_approval']]);
    expect(seenLastIds).toEqual([undefined, '2']);
    expect(states).toEqual(['connecting', 'live', 'reconnecting', 'live']);
  });

  it('keeps trying after the daemon refuses the stream, resuming where it was', async () => {
    let calls = 0;
    const lastIds: (string | undefined)[] = [];
    const url = await serve((req, res) => {
      calls += 1;
      lastIds.push(req.headers['last-event-id'] as string | undefined);
      if (calls === 1) {
        res.writeHead(503).end();
        return;
      }
      sse(res);
      res.write(frame(8, 'violation.detected'));
    });
    const events: RawEvent[] = [];
    const states: ConnectionState[] = [];
    stops.push(openEventStream({ url, token: null, afterId: '7', onEvent: (e) => events.push(e), onState: (s) => states.push(s), retryMs: 20 }));
    await until(() => events.length === 1);
    expect(lastIds).toEqual(['7', '7']);
    expect(states).toContain('reconnecting');
    expect(states[states.length - 1]).toBe('live');
  });
});

describe('the HTTP source', () => {
  it('streams an assistant answer piece by piece', async () => {
    let asked: unknown;
    const url = await serve((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        asked = JSON.parse(body);
        expect(req.headers.accept).toBe('text/event-stream');
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write('event: session\ndata: {"sessionId":"ses_9","offline":true}\n\n');
        res.write('event: text\ndata: {"text":"ben is "}\n\nevent: text\ndata: {"text":"overloaded"}\n\n');
        res.end('event: done\ndata: {"answer":"ben is overloaded","sessionId":"ses_9"}\n\n');
      });
    });
    const source = createHttpSource({ client: new ApiClient({ baseUrl: url, token: 'x' }), baseUrl: url, token: 'x' });
    const pieces: string[] = [];
    const reply = await source.ask('who is overloaded?', null, (t) => pieces.push(t));
    expect(asked).toEqual({ question: 'who is overloaded?', mode: 'ask' });
    expect(pieces).toEqual(['ben is ', 'overloaded']);
    expect(reply).toEqual({ sessionId: 'ses_9', answer: 'ben is overloaded' });
  });

  it('maps panels it can read and calls the others not available', async () => {
    const url = await serve((req, res) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      const json = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (path === '/v1/status') return json(200, { org: { id: 'org_1', name: 'acme' }, user: { id: 'usr_1', name: 'ana', role: 'manager' } });
      if (path === '/v1/tasks') {
        return json(200, [{ id: 'tsk_1', title: 'DB down', priority: 'P1', status: 'open', team: 'dba', assignee: null, createdAt: '2026-01-01T10:00:00.000Z' }]);
      }
      if (path === '/v1/events/recent') return json(200, [{ id: 4, type: 'task.created', at: '2026-01-01T10:00:00.000Z', actor: 'ana', subject: 'tsk_1', data: { title: 'DB down' } }]);
      if (path === '/v1/events') {
        sse(res);
        res.write(frame(5, 'task.routed'));
        return;
      }
      return json(404, { error: { code: 'not_found', message: `no route for GET ${path}` } });
    });
    const source = createHttpSource({ client: new ApiClient({ baseUrl: url, token: 'x' }), baseUrl: url, token: 'x' });
    expect(await source.describe()).toEqual({ org: 'acme', url, user: 'ana', role: 'manager' });
    expect(await source.load('tasks')).toEqual([
      { id: 'tsk_1', title: 'DB down', priority: 'P1', status: 'open', team: 'dba', assignee: null, createdAt: Date.parse('2026-01-01T10:00:00.000Z') },
    ]);
    await expect(source.load('workload')).rejects.toBeInstanceOf(PanelUnavailable);
    await expect(source.load('compliance')).rejects.toBeInstanceOf(PanelUnavailable);

    const events: EventVM[] = [];
    stops.push(source.subscribe({ onEvent: (e) => events.push(e), onState: () => undefined }));
    await until(() => events.length === 2);
    expect(events.map((e) => `${e.id} ${e.type} ${e.summary}`)).toEqual(['4 task.created DB down', '5 task.routed event 5']);
  });

  it('reloads the task list after an event with a new request, not one sent before the event', async () => {
    const tasks = [{ id: 'tsk_1', title: 'old task', priority: 'P2', status: 'open', createdAt: '2026-01-01T10:00:00.000Z' }];
    let taskReads = 0;
    let stream: ServerResponse | null = null;
    const url = await serve((req, res) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      const json = (body: unknown) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (path === '/v1/tasks') {
        taskReads++;
        // Answered a little later with the list as it was when asked: a request in flight.
        const asOf = JSON.stringify(tasks);
        setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end(asOf), 100);
        return;
      }
      if (path === '/v1/events/recent') return json([]);
      if (path === '/v1/events') {
        sse(res);
        stream = res;
        return;
      }
      return json({});
    });
    const source = createHttpSource({ client: new ApiClient({ baseUrl: url, token: 'x' }), baseUrl: url, token: 'x' });
    const events: EventVM[] = [];
    stops.push(source.subscribe({ onEvent: (e) => events.push(e), onState: () => undefined }));
    await until(() => stream !== null);

    // Another panel's reload is reading the task list when a task is created and its event arrives.
    const decisions = source.load('decisions');
    await until(() => taskReads === 1);
    tasks.unshift({ id: 'tsk_2', title: 'new task', priority: 'P1', status: 'open', createdAt: '2026-01-01T11:00:00.000Z' });
    stream!.write(frame(7, 'task.created'));
    await until(() => events.length === 1);

    const reloaded = await source.load('tasks');
    expect(reloaded.map((t) => t.title)).toEqual(['new task', 'old task']);
    expect(taskReads).toBe(2);
    await decisions;
  });
});

