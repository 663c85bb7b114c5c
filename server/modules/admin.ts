import { verifyChain } from '../../core/audit/chain.js';
import { AppError, conflict, notFound } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import type { Token, User } from '../../core/model.js';
import type { Subscription } from '../../core/ports.js';
import type { GrantCache } from '../http/grant-cache.js';
import { HANDLED, route, type Route } from '../http/route.js';
import * as s from '../http/schemas/core.js';
import { streamEvents } from '../http/sse.js';
import { signToken } from '../http/tokens.js';
import type { Module, ModuleContext } from './module.js';

const DAY = 86_400_000;

export interface AdminOptions {
  jwtKey: Uint8Array;
  version: string;
  startedAt: number;
  /** Where playbook actions queue: 'store' (embedded) or 'redis (bullmq)' (scaled). */
  jobs?: string;
  /** Extra readiness checks (e.g. Redis in scaled mode). */
  readiness?: () => Promise<Record<string, string>>;
  /** Grants the authenticator keeps: forgotten when a token is revoked or a user removed, here or on another daemon. */
  grants?: GrantCache;
}

const REVOCATIONS = ['token.revoked', 'user.removed'];

/** Users and tokens, the audit trail, the event stream, health and status. */
export function adminModule(opts: AdminOptions): Module {
  const subscriptions: Subscription[] = [];
  return {
    name: 'admin',
    routes(ctx: ModuleContext): Route[] {
      const { store, commit, clock, config, bus } = ctx;

      return [
        route({
          method: 'GET', path: '/healthz', auth: 'none',
          handler: async () => ({ body: { status: 'ok', version: opts.version, uptimeSeconds: Math.round((clock.now() - opts.startedAt) / 1000) } }),
        }),
        route({
          method: 'GET', path: '/readyz', perm: ['events', 'read'],
          handler: async () => {
            const checks: Record<string, string> = {};
            let ready = true;
            try {
              await store.ping();
              checks.store = 'ok';
            } catch (err) {
              checks.store = `failing: ${(err as Error).message}`;
              ready = false;
            }
            if (opts.readiness) {
              for (const [k, v] of Object.entries(await opts.readiness())) {
                checks[k] = v;
                if (v !== 'ok' && !v.startsWith('degraded')) ready = false;
              }
            }
            return { status: ready ? 200 : 503, body: { status: ready ? 'ready' : 'not_ready', checks } };
          },
        }),
        route({
          method: 'GET', path: '/metrics', perm: ['events', 'read'],
          handler: async ({ res }) => {
            const text = await ctx.metrics.metrics();
            res.writeHead(200, { 'content-type': ctx.metrics.contentType });
            res.end(text);
            return HANDLED;
          },
        }),
        route({
          method: 'GET', path: '/v1/status', perm: ['events', 'read'],
          handler: async ({ caller }) => {
            const org = await store.orgs.get(caller.orgId);
            return {
              body: {
                version: opts.version, startedAt: opts.startedAt, pid: process.pid, store: store.kind,
                redis: config.redis !== null, jobs: opts.jobs ?? 'store', org: org ? { id: org.id, name: org.name } : null,
                user: { id: caller.userId, name: caller.userName, role: caller.role },
                flags: {
                  ENABLE_AI_ROUTING: config.flags.aiRouting,
                  ENABLE_AUTO_HEALING: config.flags.autoHealing,
                  ENABLE_COMPLIANCE_AUTOMATION: config.flags.complianceAutomation,
                },
                claude: config.anthropic.apiKey ? 'configured' : 'offline',
              },
            };
          },
        }),
        route({
          method: 'GET', path: '/v1/users', perm: ['users', 'read'],
          handler: async ({ caller }) => {
            const users = await store.users.list(caller.orgId);
            const withTokens = await Promise.all(users.map(async (u) => ({ ...u, tokens: await store.tokens.listForUser(caller.orgId, u.id) })));
            return { body: withTokens };
          },
        }),
        route({
          method: 'POST', path: '/v1/users', perm: ['users', 'write'], body: s.userBody,
          handler: async ({ caller, body }) => {
            const now = clock.now();
            const user: User = { id: newId('usr', now), orgId: caller.orgId, name: body.name, role: body.role, memberId: null, createdAt: now };
            const token: Token = {
              id: newId('tok', now), orgId: caller.orgId, userId: user.id, createdAt: now,
              expiresAt: now + (body.expiresInDays ?? 365) * DAY, revokedAt: null,
            };
            const jwt = await signToken(opts.jwtKey, { tokenId: token.id, orgId: user.orgId, userId: user.id, role: user.role, expiresAt: token.expiresAt }, now);
            await commit(caller.actor, async (tx) => {
              if (await tx.users.findByName(caller.orgId, user.name)) throw conflict(`user ${user.name} already exists`);
              const member = await tx.members.find(caller.orgId, user.name);
              if (member) user.memberId = member.id;
              await tx.users.insert(user);
              await tx.tokens.insert(token);
              return {
                value: undefined,
                audit: { action: 'user.create', subject: user.id, summary: `added user ${user.name} with role ${user.role} and token ${token.id}` },
                events: [{ type: 'user.created', subject: user.id, data: { id: user.id, name: user.name, role: user.role } }],
              };
            });
            return { status: 201, body: { id: user.id, name: user.name, role: user.role, tokenId: token.id, expiresAt: token.expiresAt, token: jwt } };
          },
        }),
        route({
          method: 'DELETE', path: '/v1/users/:name', perm: ['users', 'write'],
          handler: async ({ caller, params }) => {
            const removed = await commit(caller.actor, async (tx) => {
              const user = (await tx.users.findByName(caller.orgId, params.name!)) ?? (await tx.users.get(caller.orgId, params.name!));
              if (!user) throw notFound('user', params.name!);
              if (user.id === caller.userId) throw new AppError('conflict', 'you cannot remove yourself', 'ask another admin');
              await tx.users.remove(caller.orgId, user.id);
              tx.onCommit(() => opts.grants?.forgetUser(user.id));
              return {
                value: user,
                audit: { action: 'user.remove', subject: user.id, summary: `removed user ${user.name} and revoked their tokens` },
                events: [{ type: 'user.removed', subject: user.id, data: { id: user.id, name: user.name } }],
              };
            });
            return { body: { id: removed.id, name: removed.name, removed: true } };
          },
        }),
        route({
          method: 'POST', path: '/v1/tokens/:id/revoke', perm: ['users', 'write'],
          handler: async ({ caller, params }) => {
            const token = await commit(caller.actor, async (tx) => {
              const t = await tx.tokens.get(caller.orgId, params.id!);
              if (!t) throw notFound('token', params.id!);
              if (t.revokedAt !== null) throw conflict(`token ${t.id} is already revoked`);
              const at = clock.now();
              await tx.tokens.revoke(caller.orgId, t.id, at);
              tx.onCommit(() => opts.grants?.forgetToken(t.id));
              return {
                value: { ...t, revokedAt: at },
                audit: { action: 'token.revoke', subject: t.id, summary: `revoked token ${t.id}` },
                events: [{ type: 'token.revoked', subject: t.id, data: { id: t.id, userId: t.userId } }],
              };
            });
            return { body: token };
          },
        }),
        route({
          method: 'GET', path: '/v1/events', perm: ['events', 'read'], query: s.eventsQuery,
          handler: async ({ caller, query, headers, res }) => {
            const types = query.types ? query.types.split(',').map((t) => t.trim()).filter(Boolean) : undefined;
            const lastEventId = headers['last-event-id'];
            let afterId: number | undefined = query.since;
            if (typeof lastEventId === 'string' && /^\d+$/.test(lastEventId)) afterId = Number(lastEventId);
            await streamEvents(res, bus, caller.orgId, afterId, types, { heartbeatMs: config.heartbeatMs, maxBuffer: config.sseMaxBuffer });
            return HANDLED;
          },
        }),
        route({
          method: 'GET', path: '/v1/events/recent', perm: ['events', 'read'], query: s.eventsQuery,
          handler: async ({ caller, query }) => {
            const types = query.types ? query.types.split(',').map((t) => t.trim()).filter(Boolean) : undefined;
            return { body: await store.events.list(caller.orgId, { afterId: query.since, types, limit: query.limit ?? 100 }) };
          },
        }),
        route({
          method: 'GET', path: '/v1/audit', perm: ['audit', 'read'], query: s.auditQuery,
          handler: async ({ caller, query }) => ({ body: await store.audit.list(caller.orgId, query.limit ?? 50, query.before) }),
        }),
        route({
          method: 'GET', path: '/v1/audit/verify', perm: ['audit', 'read'],
          handler: async ({ caller }) => {
            const report = verifyChain(await store.audit.chain(caller.orgId));
            return { body: report };
          },
        }),
      ];
    },
    async start(ctx: ModuleContext): Promise<void> {
      const grants = opts.grants;
      if (!grants) return;
      // Revocations made on other daemons (this daemon's own were forgotten as they committed).
      for (const org of await ctx.store.orgs.list()) {
        subscriptions.push(await ctx.bus.subscribe(org.id, { types: REVOCATIONS }, (event) => {
          if (!event.subject) return;
          if (event.type === 'token.revoked') grants.forgetToken(event.subject);
          else grants.forgetUser(event.subject);
        }));
      }
    },
    async stop(): Promise<void> {
      for (const sub of subscriptions.splice(0)) sub.close();
    },
  };
}
