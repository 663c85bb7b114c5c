import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ZodType } from 'zod';
import type { Permission } from '../../core/auth/permissions.js';
import type { Actor, Role } from '../../core/model.js';

/** Who is calling, as established from the bearer token. */
export interface Caller {
  orgId: string;
  userId: string;
  userName: string;
  role: Role;
  tokenId: string;
  memberId: string | null;
  actor: Actor;
}

export interface RouteRequest<B = unknown, Q = Record<string, string>> {
  params: Record<string, string>;
  query: Q;
  body: B;
  /** The raw request body, for routes that check signatures (set when `rawBody` is true). */
  rawBody: Buffer | null;
  /** Present on every route except those with `auth: 'none'`. */
  caller: Caller;
  requestId: string;
  headers: IncomingMessage['headers'];
  req: IncomingMessage;
  res: ServerResponse;
}

export interface Reply {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** A handler returns a reply, or HANDLED when it wrote the response itself (SSE, streams). */
export const HANDLED = Symbol('handled');

export interface Route<B = any, Q = any> {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** `/v1/tasks/:id`; params are matched per path segment. */
  path: string;
  /** The permission the caller's role needs; `auth: 'none'` routes (health, signed webhooks) skip it. */
  perm?: Permission;
  auth?: 'token' | 'none';
  body?: ZodType<B>;
  query?: ZodType<Q>;
  rawBody?: boolean;
  /** Overrides the daemon's body limit for this route (bytes). */
  bodyLimit?: number;
  handler(req: RouteRequest<B, Q>): Promise<Reply | typeof HANDLED>;
}

/** Identity helper that keeps a route's body and query types tied to its schemas. */
export function route<B = undefined, Q = Record<string, string>>(r: Route<B, Q>): Route<B, Q> {
  return r;
}
