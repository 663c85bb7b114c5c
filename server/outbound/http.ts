import type { Dispatcher } from 'undici';
import { request } from './undici.js';
import { NonRetryable, type CallOptions, type Outbound } from './outbound.js';

export interface HttpCall extends CallOptions {
  method?: Dispatcher.HttpMethod;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Largest response body kept, in bytes (default 64 KiB); the rest is dropped and `truncated` set. */
  maxBody?: number;
  /** Statuses that are the answer the caller wants even when they would be retried (a step's expectStatus: [503]). */
  expect?: readonly number[];
  /**
   * Whether sending the request twice does no harm. Default: true for GET, HEAD, PUT, DELETE and OPTIONS
   * (idempotent in HTTP), false otherwise. A request that may not repeat is retried only when it surely
   * never reached the server (connection refused, no such host) or was refused with 429.
   */
  repeatable?: boolean;
}

export interface HttpResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  truncated: boolean;
}

const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);
/** Failures before a single byte of the request could have been read by the server. */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

/** Reads at most `max` bytes of a body and drops the rest. */
async function readCapped(body: Dispatcher.ResponseData['body'], max: number): Promise<{ text: string; truncated: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  let truncated = false;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    const room = max - size;
    if (chunk.length > room) {
      chunks.push(chunk.subarray(0, room));
      truncated = true;
      body.destroy();
      break;
    }
    chunks.push(chunk);
    size += chunk.length;
  }
  return { text: Buffer.concat(chunks).toString('utf8'), truncated };
}

/** The target name of a URL for the circuit breaker and metrics: its host, never its path (webhook paths are secrets). */
export function hostTarget(prefix: string, url: string): string {
  try {
    return `${prefix} ${new URL(url).host}`;
  } catch {
    return `${prefix} (bad url)`;
  }
}

/**
 * An HTTP request through the outbound layer. 2xx-4xx answers are returned (a 4xx is not retried: asking
 * again will not help); 429, 5xx, timeouts and network errors are retried, within what `repeatable`
 * allows, and then fail.
 */
export function httpCall(outbound: Outbound, target: string, url: string, init: HttpCall = {}): Promise<HttpResult> {
  const max = init.maxBody ?? 64 * 1024;
  const method = init.method ?? 'GET';
  const repeatable = init.repeatable ?? IDEMPOTENT.has(method);
  return outbound.call(target, async ({ signal, headers }) => {
    let res: Dispatcher.ResponseData;
    try {
      res = await request(url, { method, headers: { ...init.headers, ...headers }, body: init.body, signal });
    } catch (err) {
      const code = (err as { code?: string }).code ?? '';
      // A URL that cannot work will not start working on retry.
      if (code === 'ERR_INVALID_URL' || (err as Error).name === 'InvalidArgumentError') throw new NonRetryable((err as Error).message);
      if (!repeatable && !NOT_SENT.has(code) && !signal.aborted) throw new NonRetryable(`${(err as Error).message} (not retried: the request may have arrived)`);
      throw err;
    }
    let read: { text: string; truncated: boolean };
    try {
      read = await readCapped(res.body, max);
    } catch (err) {
      if (!repeatable && !signal.aborted) throw new NonRetryable(`${(err as Error).message} (not retried: the request may have arrived)`);
      throw err;
    }
    const status = res.statusCode;
    if ((status === 429 || status >= 500) && !init.expect?.includes(status)) {
      const message = `HTTP ${status}: ${read.text.slice(0, 200)}`;
      if (status !== 429 && !repeatable) throw new NonRetryable(`${message} (not retried: the request may have taken effect)`);
      throw new Error(message);
    }
    return { status, headers: res.headers, body: read.text, truncated: read.truncated };
  }, { ...init, retryTimeouts: init.retryTimeouts ?? repeatable });
}
