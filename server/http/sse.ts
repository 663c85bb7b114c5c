import type { ServerResponse } from 'node:http';
import type { BusEvent } from '../../core/model.js';
import type { EventBus } from '../../core/ports.js';
import { toWire } from './view.js';

export interface SseOptions {
  heartbeatMs: number;
  /** Unsent bytes a client may fall behind by before it is disconnected. */
  maxBuffer: number;
}

// Each event is formatted once, whatever the number of clients.
const frames = new WeakMap<BusEvent, string>();
export function frameOf(event: BusEvent): string {
  let frame = frames.get(event);
  if (frame === undefined) {
    const data = JSON.stringify({
      id: event.id, type: event.type, at: new Date(event.at).toISOString(), org: event.orgId,
      actor: event.actor, subject: event.subject, data: toWire(event.data),
    });
    frame = `id: ${event.id}\nevent: ${event.type}\ndata: ${data}\n\n`;
    frames.set(event, frame);
  }
  return frame;
}

interface Client {
  res: ServerResponse;
  /** Frames waiting for the next flush: the shared strings of frameOf, never copied per client. */
  pending: string[];
  closed: boolean;
  maxBuffer: number;
}

/**
 * Writes to every client are batched: events queue per client and one timer flushes all of them a few
 * milliseconds later, so a burst costs one write per client rather than one per event and client.
 */
const FLUSH_MS = 10;
const PING = ': ping\n\n';
const dirty = new Set<Client>();
let timer: NodeJS.Timeout | null = null;

/** Whether two clients wait for the very same frames (the same string objects, so this is cheap). */
function sameFrames(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function flushAll(): void {
  timer = null;
  // Clients with the same filter wait for the same frames: join and encode them once per flush.
  let lastFrames: string[] = [];
  let lastBytes: Buffer | null = null;
  for (const c of dirty) {
    if (c.closed || c.pending.length === 0) continue;
    // Data from earlier flushes still unsent means the client is not reading: let it go.
    if (c.res.writableLength > c.maxBuffer) {
      c.closed = true;
      c.pending = [];
      c.res.destroy();
      continue;
    }
    const frames = c.pending;
    c.pending = [];
    if (lastBytes === null || !sameFrames(frames, lastFrames)) {
      lastFrames = frames;
      lastBytes = Buffer.from(frames.join(''), 'utf8');
    }
    c.res.write(lastBytes);
  }
  dirty.clear();
}

function push(c: Client, frame: string): void {
  if (c.closed) return;
  c.pending.push(frame);
  dirty.add(c);
  if (!timer) timer = setTimeout(flushAll, FLUSH_MS);
}

/**
 * Streams an org's events to one client; a client that cannot keep up is cut off rather than slowing
 * the others or growing the daemon's memory.
 */
export async function streamEvents(
  res: ServerResponse,
  bus: EventBus,
  orgId: string,
  afterId: number | undefined,
  types: string[] | undefined,
  opts: SseOptions,
): Promise<void> {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  res.socket?.setNoDelay(true);
  res.write('retry: 2000\n: connected\n\n');

  const client: Client = { res, pending: [], closed: false, maxBuffer: opts.maxBuffer };
  const subscription = await bus.subscribe(orgId, { afterId, types }, (event) => push(client, frameOf(event)));
  const heartbeat = setInterval(() => push(client, PING), opts.heartbeatMs);
  heartbeat.unref();
  const close = (): void => {
    client.closed = true;
    dirty.delete(client);
    clearInterval(heartbeat);
    subscription.close();
  };
  res.on('close', close);
  if (res.destroyed) close();
}
