import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startDaemon, type TestDaemon } from './helpers.js';

interface Frame { id?: string; event?: string; data?: string; comment?: string }

/** A minimal SSE reader over fetch, so the test sees exactly what the daemon sends. */
async function openStream(d: TestDaemon, query = '', headers: Record<string, string> = {}) {
  const abort = new AbortController();
  const res = await fetch(`${d.url}/v1/events${query}`, { headers: { authorization: `Bearer ${d.token}`, ...headers }, signal: abort.signal });
  const frames: Frame[] = [];
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buf = '';
  const pump = (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += decoder.decode(value, { stream: true });
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const f: Frame = {};
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) f.comment = line.slice(1).trim();
            else if (line.startsWith('id: ')) f.id = line.slice(4);
            else if (line.startsWith('event: ')) f.event = line.slice(7);
            else if (line.startsWith('data: ')) f.data = line.slice(6);
          }
          frames.push(f);
        }
      }
    } catch {
      // aborted
    }
  })();
  return { res, frames, events: () => frames.filter((f) => f.event), close: () => { abort.abort(); return pump; } };
}

/** Many light streams over node:http: the ids of the events each receives, and how each response is framed. */
function openMany(d: TestDaemon, n: number, query: (i: number) => string) {
  const ids: number[][] = Array.from({ length: n }, () => []);
  const framing: string[] = [];
  const requests = Array.from({ length: n }, (_, i) => new Promise<void>((resolve, reject) => {
    const req = request(`${d.url}/v1/events${query(i)}`, { headers: { authorization: `Bearer ${d.token}` } }, (res) => {
      framing.push(`${res.headers['transfer-encoding'] ?? 'none'} ${res.headers['content-length'] ?? 'none'}`);
      res.setEncoding('utf8');
      let buf = '';
      res.on('data', (chunk: string) => {
        buf += chunk;
        let end;
        while ((end = buf.indexOf('\n\n')) >= 0) {
          const id = /^id: (\d+)$/m.exec(buf.slice(0, end));
          if (id) ids[i]!.push(Number(id[1]));
          buf = buf.slice(end + 2);
        }
      });
      res.on('error', () => undefined);
      resolve();
    });
    req.on('error', reject);
    req.end();
  }));
  return { ids, framing, ready: Promise.all(requests) };
}

describe('GET /v1/events', () => {
  let d: TestDaemon;
  beforeAll(async () => {
    d = await startDaemon({ config: { heartbeatMs: 100 } });
  });
  afterAll(async () => d.stop());

  const createTask = (title: string) => d.api('/v1/tasks', { method: 'POST', json: { title } });

  it('streams each change as an event with id, type and JSON data', async () => {
    const s = await openStream(d);
    expect(s.res.headers.get('content-type')).toMatch(/text\/event-stream/);
    await createTask('stream me');
    const [e] = await eventually(() => s.events().length >= 1 && s.events(), 5000, 'an event');
    expect(e!.event).toBe('task.created');
    const data = JSON.parse(e!.data!);
    expect(data).toMatchObject({ type: 'task.created', actor: 'admin', data: { title: 'stream me' } });
    expect(Number(e!.id)).toBe(data.id);
    await s.close();
  });

  it('sends comment heartbeats', async () => {
    const s = await openStream(d);
    await eventually(() => s.frames.some((f) => f.comment === 'ping'), 3000, 'a heartbeat');
    await s.close();
  });

  it('filters by ?types=', async () => {
    const s = await openStream(d, '?types=task.acknowledged');
    const created = (await (await createTask('ack me')).json()) as { id: string };
    await d.api(`/v1/tasks/${created.id}/ack`, { method: 'POST' });
    await eventually(() => s.events().length >= 1, 5000, 'the ack event');
    expect(s.events().map((e) => e.event)).toEqual(['task.acknowledged']);
    await s.close();
  });

  it('resumes after Last-Event-ID with nothing missed and nothing repeated', async () => {
    const first = await openStream(d);
    for (let i = 0; i < 3; i++) await createTask(`before ${i}`);
    await eventually(() => first.events().length >= 3, 5000, 'three events');
    const lastSeen = first.events()[2]!.id!;
    await first.close();
    for (let i = 0; i < 4; i++) await createTask(`while away ${i}`);
    const second = await openStream(d, '', { 'last-event-id': lastSeen });
    await createTask('after reconnect');
    await eventually(() => second.events().length >= 5, 5000, 'the missed events and the new one');
    const titles = second.events().map((e) => JSON.parse(e.data!).data.title);
    expect(titles).toEqual(['while away 0', 'while away 1', 'while away 2', 'while away 3', 'after reconnect']);
    const ids = second.events().map((e) => Number(e.id));
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    await second.close();
  });

  it('cuts off a client that stops reading, without delaying the others', async () => {
    const slow = await startDaemon({ config: { sseMaxBuffer: 16 * 1024 } });
    try {
      // The stalled client never reads its socket.
      const stalled = await fetch(`${slow.url}/v1/events`, { headers: { authorization: `Bearer ${slow.token}` } });
      const stalledReader = stalled.body!.getReader();
      const healthy = await openStream(slow);
      // Enough data to fill the kernel's socket buffers of the stalled connection several times over.
      const big = 'x'.repeat(200_000);
      for (let i = 0; i < 80; i++) await slow.api('/v1/tasks', { method: 'POST', json: { title: `burst ${i}`, description: big } });
      await eventually(() => healthy.events().length >= 80, 20_000, 'all events at the healthy client');
      // The stalled one was disconnected: reading what is buffered ends rather than hanging.
      const drained = (async () => {
        for (;;) {
          const { done } = await stalledReader.read();
          if (done) return 'closed';
        }
      })().catch(() => 'closed');
      expect(await Promise.race([drained, new Promise((r) => setTimeout(() => r('still open'), 5000))])).toBe('closed');
      await healthy.close();
    } finally {
      await slow.stop();
    }
  });

  it('gives every one of many clients every event once and in id order, whatever its filter', async () => {
    const many = await startDaemon({ config: { heartbeatMs: 60_000 } });
    try {
      // More clients than one round of writes serves, half of them filtered.
      const n = 400;
      const streams = openMany(many, n, (i) => (i % 2 === 0 ? '' : '?types=task.created'));
      await streams.ready;
      // Served as a stream that ends with the connection: neither chunked nor of a known length.
      expect(new Set(streams.framing)).toEqual(new Set(['none none']));
      // A few events of another type first, then a burst, so that frames queue while rounds of writes run.
      const first = (await (await many.api('/v1/tasks', { method: 'POST', json: { title: 'to ack' } })).json()) as { id: string };
      await many.api(`/v1/tasks/${first.id}/ack`, { method: 'POST' });
      await Promise.all(Array.from({ length: 20 }, async (_, w) => {
        for (let k = 0; k < 3; k++) await many.api('/v1/tasks', { method: 'POST', json: { title: `many ${w}.${k}` } });
      }));
      const stored = (await (await many.api('/v1/events/recent?limit=1000')).json()) as { id: number; type: string }[];
      const taskEvents = stored.filter((e) => e.type === 'task.created').map((e) => e.id).slice(-61);
      const since = taskEvents[0]!;
      const everything = stored.filter((e) => e.id >= since).map((e) => e.id);
      expect(everything.length).toBeGreaterThan(taskEvents.length);
      const expected = (i: number) => (i % 2 === 0 ? everything : taskEvents);
      await eventually(() => streams.ids.every((got, i) => got.filter((id) => id >= since).length >= expected(i).length), 20_000, 'every event at every client');
      for (const [i, got] of streams.ids.entries()) expect(got.filter((id) => id >= since)).toEqual(expected(i));
    } finally {
      await many.stop();
    }
  }, 60_000);

  it('refuses the stream without a token', async () => {
    const res = await fetch(`${d.url}/v1/events`);
    expect(res.status).toBe(401);
  });
});
