import { createRequire } from 'node:module';
import type { Dispatcher } from 'undici';
import { AppError, errorKindForStatus } from '../core/errors.js';

export interface ClientOptions {
  baseUrl: string;
  token: string | null;
  /** Per-request timeout in milliseconds. */
  timeoutMs?: number;
  dispatcher?: Dispatcher;
  /** PEM file of the CA that signed an HTTPS daemon's certificate (`--ca`, FOUNDRY_CA). */
  ca?: string | null;
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
    const headers: Record<string, string> = { accept: 'application/json', ...extraHeaders };
    if (this.options.token) headers.authorization = `Bearer ${this.options.token}`;
    let payload: string | undefined;
    if (body !== undefined) {
      payload = JSON.stringify(body);
      headers['content-type'] = 'application/json';
    }
    const timeout = this.options.timeoutMs ?? 30_000;
    const dispatcher = this.options.dispatcher ?? (this.options.ca ? trustCa(this.options.ca) : undefined);
    const url = `${this.options.baseUrl}${path}`;
    let res: { status: number; text: string };
    try {
      res = dispatcher || !url.startsWith('http:') ? await viaUndici(url, method, headers, payload, timeout, dispatcher) : await viaNodeHttp(url, method, headers, payload, timeout);
    } catch (err) {
      throw unreachable(this.options.baseUrl, err);
    }
    let data: unknown = undefined;
    if (res.text) {
      try {
        data = JSON.parse(res.text);
      } catch {
        data = res.text;
      }
    }
    if (res.status >= 400) throw errorFromResponse(res.status, data);
    return data as T;
  }
}

async function viaUndici(url: string, method: string, headers: Record<string, string>, body: string | undefined, timeout: number, dispatcher?: Dispatcher): Promise<{ status: number; text: string }> {
  const { request } = await import('undici');
  const res = await request(url, { method: method as Dispatcher.HttpMethod, headers, body, headersTimeout: timeout, bodyTimeout: timeout, dispatcher });
  return { status: res.statusCode, text: await res.body.text() };
}

/**
 * Plain HTTP (a local daemon, the common case) over node:http, which is part of Node already: loading
 * undici costs more than most commands' whole request. HTTPS and a custom CA go through undici.
 */
async function viaNodeHttp(url: string, method: string, headers: Record<string, string>, body: string | undefined, timeout: number): Promise<{ status: number; text: string }> {
  const { request } = await import('node:http');
  return new Promise((resolve, reject) => {
    const sized = body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) };
    const req = request(url, { method, headers: sized }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
      res.on('close', () => {
        if (!res.complete) reject(Object.assign(new Error('the connection closed before the answer was complete'), { code: 'ECONNRESET' }));
      });
    });
    // Like undici's headers and body timeouts: so long without a byte, and the request fails.
    req.setTimeout(timeout, () => req.destroy(Object.assign(new Error(`no answer within ${timeout} ms`), { code: 'ERR_HTTP_TIMEOUT' })));
    req.on('error', reject);
    req.end(body);
  });
}

let caAgent: { file: string; agent: Dispatcher } | null = null;

/**
 * An undici agent that verifies the daemon against this CA (and still checks the host name). It also
 * becomes the global dispatcher, so the SSE client's fetch trusts the same CA.
 */
export function trustCa(file: string): Dispatcher {
  if (caAgent?.file === file) return caAgent.agent;
  // Loaded only when a CA is given, and synchronously, so it can be installed before any command runs.
  const require = createRequire(import.meta.url);
  const { Agent, setGlobalDispatcher } = require('undici') as typeof import('undici');
  const { readFileSync } = require('node:fs') as typeof import('node:fs');
  let ca: Buffer;
  try {
    ca = readFileSync(file);
  } catch (err) {
    throw new AppError('usage', `--ca: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const agent = new Agent({ connect: { ca, minVersion: 'TLSv1.3' } });
  setGlobalDispatcher(agent);
  caAgent = { file, agent };
  return agent;
}

export function unreachable(baseUrl: string, err: unknown): AppError {
  const code = (err as { code?: string }).code ?? '';
  const tlsCode = [code, (err as { cause?: { code?: string } }).cause?.code ?? ''].find((c) => /CERT|SELF_SIGNED|LEAF_SIGNATURE|ALTNAME|TLS|SSL/.test(c));
  if (tlsCode) {
    return new AppError('unavailable', `the daemon at ${baseUrl} presented a certificate that is not trusted (${tlsCode})`, 'pass --ca FILE (or set FOUNDRY_CA) with the CA that signed it');
  }
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
