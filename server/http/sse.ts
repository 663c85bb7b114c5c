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
 * Writes are batched and paced. A write costs the daemon a system call and the client a read whatever
 * its size, and with many clients those calls are most of what an event costs. So clients with frames
 * to send wait in arrival order, and a ticker writes to at most BATCH of them every TICK_MS, each
 * getting everything queued for it meanwhile: with up to BATCH clients each is written every TICK_MS;
 * with 1,000, every 4 ticks, and the writes of a round are spread over it instead of holding the event
 * loop in one burst (1,000 writes take ~10 ms, which requests and the last clients would wait for).
 * A quiet stream is not delayed: when nothing was waiting, an event is written to everyone as soon as
 * the current turn of the event loop ends (with whatever else that turn published).
 */
const TICK_MS = 5;
const BATCH = 250;
const PING = ': ping\n\n';
/** Clients with frames to send, longest waiting first. */
const waiting = new Set<Client>();
let ticker: NodeJS.Timeout | null = null;
let writeSoon = false;

function push(c: Client, frame: string): void {
  if (c.closed) return;
  c.pending.push(frame);
  waiting.add(c); // a client already waiting keeps its place
  if (ticker === null && !writeSoon) {
    writeSoon = true;
    setImmediate(writeEveryone);
  }
}

function writeEveryone(): void {
  writeSoon = false;
  write(waiting.size);
  ticker = setInterval(onTick, TICK_MS);
  ticker.unref();
}

function onTick(): void {
  if (waiting.size > 0) return write(BATCH);
  // Nothing waited for a whole tick: the next event is written at once.
  clearInterval(ticker!);
  ticker = null;
}

/** Whether two clients wait for the very same frames (the same string objects, so this is cheap). */
function sameFrames(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Writes to the `max` clients that have waited longest. */
function write(max: number): void {
  // Clients written in the same round with the same filter wait for the same frames: join and encode
  // them once.
  let lastFrames: string[] = [];
  let lastBytes: Buffer | null = null;
  let n = 0;
  for (const c of waiting) {
    if (n++ === max) break;
    waiting.delete(c);
    // Data from earlier writes still unsent means the client is not reading: let it go.
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
  // The stream ends when the connection does, so it needs no chunked framing: without it each flush
  // is one plain write to the socket instead of a corked write of four buffers (size, CRLF, data, CRLF).
  res.removeHeader('transfer-encoding');
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
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
    waiting.delete(client);
    clearInterval(heartbeat);
    subscription.close();
  };
  res.on('close', close);
  if (res.destroyed) close();
}
