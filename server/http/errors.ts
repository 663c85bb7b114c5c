import type { ServerResponse } from 'node:http';
import { ZodError } from 'zod';
import { AppError, HTTP_STATUS } from '../../core/errors.js';

export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

/** Formats zod issues as `field.path: message` so a user sees which field is wrong. */
export function describeZod(err: ZodError, prefix = ''): { message: string; details: { path: string; message: string }[] } {
  const details = err.issues.map((i) => ({
    path: [prefix, ...i.path.map((p) => (typeof p === 'number' ? `[${p}]` : String(p)))].filter(Boolean).join('.').replace(/\.\[/g, '['),
    message: i.message,
  }));
  const first = details[0];
  const message = first ? `${first.path || 'body'}: ${first.message}` : 'invalid request';
  return { message: details.length > 1 ? `${message} (and ${details.length - 1} more)` : message, details };
}

/** Turns any thrown value into the CONTRACT's error JSON; unknown errors never leak their text or stack. */
export function toErrorReply(err: unknown, requestId: string): { status: number; body: ErrorBody; headers?: Record<string, string> } {
  if (err instanceof AppError) {
    const body: ErrorBody = { error: { code: err.kind, message: err.message } };
    if (err.hint) (body.error as Record<string, unknown>).hint = err.hint;
    if (err.details !== undefined) body.error.details = err.details;
    const headers: Record<string, string> = {};
    if (err.kind === 'method_not_allowed') headers.allow = ((err.details as { allow?: string[] } | undefined)?.allow ?? []).join(', ');
    if (err.kind === 'rate_limited') {
      const retry = (err.details as { retryAfter?: number } | undefined)?.retryAfter ?? 1;
      headers['retry-after'] = String(Math.max(1, Math.ceil(retry)));
    }
    return { status: HTTP_STATUS[err.kind], body, headers };
  }
  if (err instanceof ZodError) {
    const { message, details } = describeZod(err);
    return { status: 422, body: { error: { code: 'validation', message, details } } };
  }
  return { status: 500, body: { error: { code: 'internal', message: `internal error (request ${requestId})` } } };
}

/** Writes a JSON reply; `end` sends the body (at once unless the caller batches the writes). */
export function sendJson(
  res: ServerResponse, status: number, body: unknown, headers?: Record<string, string>, end: (text: string) => void = (text) => res.end(text),
): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  const h: Record<string, string | number> = { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) };
  if (headers) Object.assign(h, headers);
  res.writeHead(status, h);
  end(text);
}
