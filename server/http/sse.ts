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

/**
 * Streams an org's events to one client. Writes are coalesced per tick so a burst costs one write per
 * client; a client that cannot keep up is cut off rather than slowing the others or growing memory.
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

  let pending = '';
  let scheduled = false;
  let closed = false;
  const flush = (): void => {
    scheduled = false;
    if (closed || pending === '') return;
    // Data from earlier flushes still unsent means the client is not reading: let it go.
    if (res.writableLength > opts.maxBuffer) {
      closed = true;
      pending = '';
      res.destroy();
      return;
    }
    const chunk = pending;
    pending = '';
    res.write(chunk);
  };
  const push = (text: string): void => {
    if (closed) return;
    pending += text;
    if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  };

  const subscription = await bus.subscribe(orgId, { afterId, types }, (event) => push(frameOf(event)));
  const heartbeat = setInterval(() => push(': ping\n\n'), opts.heartbeatMs);
  heartbeat.unref();
  const close = (): void => {
    closed = true;
    clearInterval(heartbeat);
    subscription.close();
  };
  res.on('close', close);
  if (res.destroyed) close();
}
