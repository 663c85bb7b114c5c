// The daemon's event stream (GET /v1/events) over the eventsource client. EventSource only hands
// out named events to listeners registered per name, and event names here are open-ended, so a
// small subclass sees every message as it is dispatched. Resuming is by Last-Event-ID: the library
// sends it on its own reconnects, and we send it when we open a fresh connection after a failure.
import { EventSource, type FetchLikeResponse } from 'eventsource';
import type { ConnectionState } from '../model.js';

export interface RawEvent {
  readonly id: string;
  readonly type: string;
  readonly data: string;
}

export interface EventStreamOptions {
  readonly url: string;
  readonly token: string | null;
  /** Resume after this event id. */
  readonly afterId?: string;
  readonly onEvent: (e: RawEvent) => void;
  readonly onState: (s: ConnectionState) => void;
  /** Wait before reopening a connection the server refused or closed for good; doubles up to maxRetryMs. */
  readonly retryMs?: number;
  readonly maxRetryMs?: number;
}

class AllEventsSource extends EventSource {
  onAny: ((e: MessageEvent) => void) | null = null;
  override dispatchEvent(event: Event): boolean {
    if (event instanceof MessageEvent && event.type !== 'error' && event.type !== 'open') this.onAny?.(event);
    return super.dispatchEvent(event);
  }
}

/** Opens the stream and keeps it open until the returned function is called. */
export function openEventStream(opts: EventStreamOptions): () => void {
  let lastId = opts.afterId ?? '';
  let source: AllEventsSource | null = null;
  let timer: NodeJS.Timeout | null = null;
  let closed = false;
  const base = opts.retryMs ?? 1000;
  let wait = base;

  const fetchWithAuth = (url: string | URL, init: { headers?: Record<string, string>; signal?: AbortSignal }): Promise<FetchLikeResponse> => {
    const headers: Record<string, string> = { ...(init.headers ?? {}) };
    if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
    if (lastId && !headers['Last-Event-ID']) headers['Last-Event-ID'] = lastId;
    return fetch(url, { ...init, headers } as RequestInit) as unknown as Promise<FetchLikeResponse>;
  };

  const connect = (): void => {
    if (closed) return;
    const es = new AllEventsSource(opts.url, { fetch: fetchWithAuth });
    source = es;
    es.onAny = (e) => {
      if (e.lastEventId) lastId = e.lastEventId;
      opts.onEvent({ id: e.lastEventId, type: e.type, data: typeof e.data === 'string' ? e.data : String(e.data) });
    };
    es.onopen = () => {
      wait = base;
      opts.onState('live');
    };
    es.onerror = () => {
      if (closed || source !== es) return;
      opts.onState('reconnecting');
      if (es.readyState === es.CLOSED) {
        // Refused (e.g. the daemon restarting answered 503): the library gives up, we do not.
        source = null;
        timer = setTimeout(connect, wait);
        wait = Math.min(wait * 2, opts.maxRetryMs ?? 15_000);
      }
    };
  };

  opts.onState('connecting');
  connect();
  return () => {
    closed = true;
    if (timer) clearTimeout(timer);
    source?.close();
    source = null;
  };
}
