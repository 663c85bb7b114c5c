import { AppError, errorKindForStatus } from '../core/errors.js';

export interface StreamedEvent {
  id: number;
  type: string;
  at: string;
  org: string;
  actor: string;
  subject: string | null;
  data: unknown;
}

export interface EventStreamOptions {
  baseUrl: string;
  token: string | null;
  types?: string[];
  since?: number;
  onEvent(event: StreamedEvent): void;
  onState?(state: 'live' | 'reconnecting'): void;
}

export interface EventStream {
  close(): void;
  /** Settles when the stream ends for good (closed, or refused by the daemon). */
  done: Promise<void>;
}

/**
 * Follows GET /v1/events with the eventsource package: it reconnects by itself and resumes from the
 * last id it saw (Last-Event-ID), so nothing is missed or repeated while the daemon is still retaining it.
 */
export async function followEvents(opts: EventStreamOptions): Promise<EventStream> {
  const { EventSource } = await import('eventsource');
  const params = new URLSearchParams();
  if (opts.types && opts.types.length > 0) params.set('types', opts.types.join(','));
  if (opts.since !== undefined) params.set('since', String(opts.since));
  const url = `${opts.baseUrl}/v1/events${params.size > 0 ? `?${params}` : ''}`;
  const es = new EventSource(url, {
    fetch: (input, init) =>
      fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}) } }),
  });
  let lastId = opts.since ?? 0;
  let settle!: (err?: unknown) => void;
  const done = new Promise<void>((resolve, reject) => {
    settle = (err) => (err ? reject(err) : resolve());
  });
  let everOpened = false;

  // EventSource dispatches each named event under its own type; to follow every type we take them all here.
  const dispatch = es.dispatchEvent.bind(es);
  es.dispatchEvent = (event: Event): boolean => {
    if (event.type === 'open') {
      everOpened = true;
      opts.onState?.('live');
    } else if (event.type === 'error') {
      const e = event as Event & { code?: number; message?: string };
      if (es.readyState === es.CLOSED) {
        const status = e.code ?? 0;
        if (status >= 400) {
          settle(new AppError(errorKindForStatus(status), `the daemon refused the event stream (${status})`, status === 401 ? 'check --token' : undefined));
        } else if (!everOpened) {
          settle(new AppError('unavailable', `no daemon answers at ${opts.baseUrl}`, 'start it with: foundry-op daemon start'));
        } else {
          settle();
        }
      } else {
        opts.onState?.('reconnecting');
      }
    } else if ('data' in event) {
      const message = event as unknown as { lastEventId: string; data: string };
      const id = Number(message.lastEventId);
      if (Number.isFinite(id) && id > lastId) {
        lastId = id;
        try {
          opts.onEvent(JSON.parse(message.data) as StreamedEvent);
        } catch {
          // a frame that is not our JSON (should not happen) is skipped rather than ending the stream
        }
      }
    }
    return dispatch(event);
  };

  return {
    close: () => {
      es.close();
      settle();
    },
    done,
  };
}
