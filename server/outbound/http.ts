import { request, type Dispatcher } from 'undici';
import { NonRetryable, type CallOptions, type Outbound } from './outbound.js';

export interface HttpCall extends CallOptions {
  method?: Dispatcher.HttpMethod;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Largest response body kept (default 64 KiB); the rest is read and dropped. */
  maxBody?: number;
}

export interface HttpResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * An HTTP request through the outbound layer. 2xx-4xx answers are returned (a 4xx is not retried: asking
 * again will not help); 429, 5xx, timeouts and network errors are retried and then fail.
 */
export function httpCall(outbound: Outbound, target: string, url: string, init: HttpCall = {}): Promise<HttpResult> {
  const max = init.maxBody ?? 64 * 1024;
  return outbound.call(target, async ({ signal, headers }) => {
    let res: Dispatcher.ResponseData;
    try {
      res = await request(url, { method: init.method ?? 'GET', headers: { ...init.headers, ...headers }, body: init.body, signal });
    } catch (err) {
      const code = (err as { code?: string }).code ?? '';
      // A URL that cannot work will not start working on retry.
      if (code === 'ERR_INVALID_URL' || (err as Error).name === 'InvalidArgumentError') throw new NonRetryable((err as Error).message);
      throw err;
    }
    let body = '';
    for await (const chunk of res.body) if (body.length < max) body += (chunk as Buffer).toString('utf8');
    if (res.statusCode === 429 || res.statusCode >= 500) throw new Error(`HTTP ${res.statusCode}: ${body.slice(0, 200)}`);
    return { status: res.statusCode, headers: res.headers, body: body.slice(0, max) };
  }, init);
}
