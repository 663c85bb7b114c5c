import type { Dispatcher } from 'undici';
import { AppError, errorKindForStatus } from '../core/errors.js';

export interface ClientOptions {
  baseUrl: string;
  token: string | null;
  /** Per-request timeout in milliseconds. */
  timeoutMs?: number;
  dispatcher?: Dispatcher;
}

const UNREACHABLE_HINT = 'start it with: foundry-op daemon start';

/** The daemon's HTTP API over undici: JSON in and out, errors turned into AppErrors with their kind. */
export class ApiClient {
  constructor(readonly options: ClientOptions) {}

  get<T = unknown>(path: string, query?: Record<string, string | number | boolean | undefined>): Promise<T> {
    return this.request<T>('GET', withQuery(path, query));
  }
  post<T = unknown>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('POST', path, body ?? {});
  }
  put<T = unknown>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('PUT', path, body ?? {});
  }
  patch<T = unknown>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('PATCH', path, body ?? {});
  }
  delete<T = unknown>(path: string): Promise<T> {
    return this.request<T>('DELETE', path);
  }

  async request<T>(method: string, path: string, body?: unknown, extraHeaders: Record<string, string> = {}): Promise<T> {
    const { request } = await import('undici');
    const headers: Record<string, string> = { accept: 'application/json', ...extraHeaders };
    if (this.options.token) headers.authorization = `Bearer ${this.options.token}`;
    let payload: string | undefined;
    if (body !== undefined) {
      payload = JSON.stringify(body);
      headers['content-type'] = 'application/json';
    }
    const timeout = this.options.timeoutMs ?? 30_000;
    let res;
    try {
      res = await request(`${this.options.baseUrl}${path}`, {
        method: method as Dispatcher.HttpMethod, headers, body: payload, headersTimeout: timeout, bodyTimeout: timeout,
        dispatcher: this.options.dispatcher,
      });
    } catch (err) {
      throw unreachable(this.options.baseUrl, err);
    }
    const text = await res.body.text();
    let data: unknown = undefined;
    if (text) {
      try {
        data = JSON.parse(text);
      } catch {
        data = text;
      }
    }
    if (res.statusCode >= 400) throw errorFromResponse(res.statusCode, data);
    return data as T;
  }
}

export function unreachable(baseUrl: string, err: unknown): AppError {
  const code = (err as { code?: string }).code ?? '';
  const timeout = code.includes('TIMEOUT');
  return new AppError('unavailable', timeout ? `daemon at ${baseUrl} did not answer in time` : `no daemon answers at ${baseUrl}`, UNREACHABLE_HINT);
}

export function errorFromResponse(status: number, data: unknown): AppError {
  const e = (data as { error?: { code?: string; message?: string; hint?: string; details?: unknown } } | undefined)?.error;
  const kind = errorKindForStatus(status);
  return new AppError(kind, e?.message ?? `daemon answered ${status}`, e?.hint, e?.details);
}

function withQuery(path: string, query?: Record<string, string | number | boolean | undefined>): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') params.set(k, String(v));
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}
