import type { AddressInfo } from 'node:net';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Counter } from 'prom-client';
import { z } from 'zod';
import { isAllowed } from '../../core/auth/permissions.js';
import { Assistant, MAX_QUESTION_CHARS, type AskResult } from '../../core/assistant/engine.js';
import { buildRunbookIndex, type RunbookIndex } from '../../core/assistant/runbooks.js';
import { AppError } from '../../core/errors.js';
import type { Llm } from '../../core/llm.js';
import { maskText } from '../../core/masking/mask.js';
import { route, HANDLED, type RouteRequest } from '../http/route.js';
import { toErrorReply } from '../http/errors.js';
import { lazyAnthropicLlm } from '../llm/config.js';
import { DEFAULT_CLAUDE_MODEL } from '../llm/model.js';
import { ResilientLlm } from '../outbound/llm.js';
import { outboundOf } from '../outbound/module.js';
import { loopbackData } from './assistant-data.js';
import type { Module, ModuleContext } from './module.js';

const askBody = z.object({
  question: z.string().max(MAX_QUESTION_CHARS),
  sessionId: z.string().min(1).max(80).optional(),
  /** Run state-changing tools the role allows without asking (`ask --yes`). */
  yes: z.boolean().optional(),
  /** `chat`: changes are proposed for the user to confirm after the answer. */
  mode: z.enum(['ask', 'chat']).optional(),
});
const sessionBody = z.object({ title: z.string().max(200).optional() });
const confirmBody = z.object({ tool: z.string().min(1).max(80), input: z.record(z.string(), z.unknown()).default({}) });
const listQuery = z.object({ limit: z.coerce.number().int().min(1).max(500).optional() });

/** Runbooks: markdown under FOUNDRY_SETTING_RUNBOOKS (or $FOUNDRY_HOME/runbooks), re-indexed when a file changes. */
class Runbooks {
  private index: RunbookIndex | null = null;
  private stamp = '';
  constructor(private readonly dir: string) {}

  private files(): Array<{ path: string; name: string; mtime: number }> {
    const out: Array<{ path: string; name: string; mtime: number }> = [];
    const walk = (d: string, prefix: string): void => {
      let entries: string[];
      try {
        entries = readdirSync(d);
      } catch {
        return;
      }
      for (const e of entries.sort()) {
        const p = join(d, e);
        const st = statSync(p, { throwIfNoEntry: false });
        if (!st) continue;
        if (st.isDirectory()) walk(p, `${prefix}${e}/`);
        else if (/\.(md|markdown)$/i.test(e)) out.push({ path: p, name: `${prefix}${e}`, mtime: st.mtimeMs });
      }
    };
    walk(this.dir, '');
    return out;
  }

  get(): RunbookIndex | null {
    const files = this.files();
    if (files.length === 0) return null;
    const stamp = files.map((f) => `${f.name}:${f.mtime}`).join('|');
    if (stamp !== this.stamp || !this.index) {
      this.index = buildRunbookIndex(files.map((f) => ({ file: f.name, text: readFileSync(f.path, 'utf8') })));
      this.stamp = stamp;
    }
    return this.index;
  }
}

/** Where this daemon answered the request: the tools call it back there, as the caller. */
function selfUrl(req: RouteRequest<unknown, unknown>['req']): { url: string; tls: boolean } {
  const a = req.socket.address() as AddressInfo;
  const host = a.family === 'IPv6' ? `[${a.address}]` : a.address;
  const tls = Boolean((req.socket as { encrypted?: boolean }).encrypted);
  return { url: `${tls ? 'https' : 'http'}://${host}:${a.port}`, tls };
}

let loopbackTlsFetch: Promise<typeof fetch> | null = null;
/**
 * An HTTPS daemon's certificate need not name the address the tools call back on, and the call
 * never leaves this host's own socket, so that one connection skips the name check.
 */
function tlsFetch(): Promise<typeof fetch> {
  loopbackTlsFetch ??= import('undici').then(({ Agent, fetch: ufetch }) => {
    const dispatcher = new Agent({ connect: { rejectUnauthorized: false } });
    return ((input: string, init?: RequestInit) => ufetch(input, { ...(init as object), dispatcher })) as unknown as typeof fetch;
  });
  return loopbackTlsFetch;
}

function llmFromConfig(ctx: ModuleContext): Llm | null {
  const a = ctx.config.anthropic;
  if (!a.apiKey) return null;
  const claude = lazyAnthropicLlm({
    apiKey: a.apiKey,
    ...(a.baseUrl ? { baseURL: a.baseUrl } : {}),
    model: a.model ?? DEFAULT_CLAUDE_MODEL,
    maxAttempts: Number(ctx.config.settings['assistant_max_attempts']) || 4,
    baseDelayMs: Number(ctx.config.settings['assistant_retry_base_ms']) || 500,
    onRetry: (i) => ctx.log.warn('claude retry', { attempt: i.attempt, delayMs: i.delayMs, status: i.status }),
  });
  // The adapter retries 429/529/5xx itself; the outbound layer adds a deadline over all of that, the circuit
  // breaker, the failure record (GET /v1/outbound) and the traceparent of the question's request.
  return new ResilientLlm(claude, outboundOf(ctx), { target: 'claude', timeoutMs: Number(ctx.config.settings['assistant_timeout_ms']) || 180_000 });
}

const sse = (event: string, data: unknown): string => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

/** The assistant: `ask` (streamed over SSE or one JSON answer), sessions and confirmed changes. */
export const assistantModule: Module = {
  name: 'assistant',
  routes(ctx) {
    const requests = new Counter({
      name: 'assistant_requests_total', help: 'Questions answered by the assistant, by mode and outcome',
      labelNames: ['mode', 'outcome'], registers: [ctx.metrics],
    });
    const tokens = new Counter({
      name: 'assistant_tokens_used', help: 'Claude tokens used by the assistant', labelNames: ['type'], registers: [ctx.metrics],
    });
    const llm = llmFromConfig(ctx);
    const runbooks = new Runbooks(ctx.config.settings['runbooks'] ?? join(ctx.config.home, 'runbooks'));
    const assistantFor = (req: RouteRequest<unknown, unknown>): Assistant => {
      const self = selfUrl(req.req);
      return new Assistant({
        commit: ctx.commit, clock: ctx.clock, repo: ctx.store.assistant, llm,
        can: (role, perm) => isAllowed(role, perm),
        maxRounds: Number(ctx.config.settings['assistant_max_rounds']) || 5,
        dataFor: () =>
          loopbackData({
            baseUrl: self.url,
            authorization: String(req.headers.authorization ?? ''),
            ...(self.tls ? { fetch: ((input: string, init?: RequestInit) => tlsFetch().then((f) => f(input, init))) as typeof fetch } : {}),
            searchRunbooks: (q, limit) => runbooks.get()?.search(q, limit) ?? [],
          }),
        onAnswer: (a) => {
          requests.inc({ mode: a.offline ? 'offline' : 'online', outcome: a.outcome });
          if (a.inputTokens) tokens.inc({ type: 'input' }, a.inputTokens);
          if (a.outputTokens) tokens.inc({ type: 'output' }, a.outputTokens);
        },
      });
    };

    return [
      route({
        method: 'POST', path: '/v1/assistant/ask', perm: ['assistant', 'use'], body: askBody, bodyLimit: 64 * 1024,
        handler: async (req) => {
          const { caller, body, res } = req;
          const changes = body.yes ? 'allow' : body.mode === 'chat' ? 'defer' : 'refuse';
          const streaming = String(req.headers.accept ?? '').includes('text/event-stream');
          const assistant = assistantFor(req);
          if (!streaming) {
            const answer = await assistant.ask({ actor: caller.actor, question: body.question, ...(body.sessionId ? { sessionId: body.sessionId } : {}), changes });
            return { body: answer };
          }
          const ac = new AbortController();
          let finished = false;
          // a comment now and then keeps proxies from closing a stream that waits on a slow tool
          const heartbeat = setInterval(() => {
            if (res.headersSent && !res.writableEnded) res.write(': keep-alive\n\n');
          }, ctx.config.heartbeatMs);
          heartbeat.unref();
          res.on('close', () => {
            clearInterval(heartbeat);
            if (!finished) ac.abort();
          });
          const write = (event: string, data: unknown): void => {
            if (!res.writableEnded && !res.destroyed) res.write(sse(event, data));
          };
          let result: AskResult;
          try {
            result = await assistant.ask({
              actor: caller.actor, question: body.question, ...(body.sessionId ? { sessionId: body.sessionId } : {}), changes,
              signal: ac.signal,
              onSession: (s, offline) => {
                res.writeHead(200, {
                  'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-transform',
                  connection: 'keep-alive', 'x-accel-buffering': 'no', 'x-request-id': req.requestId,
                });
                res.socket?.setNoDelay(true);
                write('session', { sessionId: s.id, offline, model: offline ? null : llm?.model ?? null });
              },
              onText: (text) => write('text', { text }),
              onToolCall: (call) => write('tool', call),
              onRetry: (info) => write('retry', info),
            });
          } catch (err) {
            if (!res.headersSent) throw err; // before the stream started: an ordinary JSON error
            const reply = toErrorReply(err, req.requestId);
            write('error', reply.body);
            finished = true;
            clearInterval(heartbeat);
            res.end();
            return HANDLED;
          }
          finished = true;
          clearInterval(heartbeat);
          write('done', result);
          res.end();
          return HANDLED;
        },
      }),
      route({
        method: 'GET', path: '/v1/assistant/sessions', perm: ['assistant', 'use'], query: listQuery,
        handler: async ({ caller, query }) => ({ body: await ctx.store.assistant.listSessions(caller.orgId, caller.userId, query.limit ?? 20) }),
      }),
      route({
        method: 'POST', path: '/v1/assistant/sessions', perm: ['assistant', 'use'], body: sessionBody,
        handler: async (req) => ({ status: 201, body: await assistantFor(req).createSession(req.caller.actor, req.body.title) }),
      }),
      route({
        method: 'GET', path: '/v1/assistant/sessions/:id', perm: ['assistant', 'use'], query: listQuery,
        handler: async (req) => {
          const a = assistantFor(req);
          const session = await a.session(req.caller.actor, req.params.id!);
          const [messages, messageCount] = await Promise.all([
            a.history(req.caller.actor, session.id, req.query.limit ?? 200),
            ctx.store.assistant.countMessages(req.caller.orgId, session.id),
          ]);
          return { body: { ...session, messageCount, messages } };
        },
      }),
      route({
        method: 'POST', path: '/v1/assistant/sessions/:id/confirm', perm: ['assistant', 'use'], body: confirmBody,
        handler: async (req) => {
          const { call, result } = await assistantFor(req).runConfirmed(req.caller.actor, req.params.id!, req.body.tool, req.body.input);
          if (call.status === 'refused') throw new AppError('forbidden', maskText(call.error ?? 'not allowed').text);
          return { body: { call, result } };
        },
      }),
      route({
        method: 'GET', path: '/v1/assistant/tools', perm: ['assistant', 'use'],
        handler: async (req) => ({
          body: {
            online: llm !== null,
            model: llm?.model ?? null,
            tools: assistantFor(req).toolsFor(req.caller.actor).map((t) => ({ name: t.name, description: t.description, changesState: t.mutates })),
          },
        }),
      }),
    ];
  },
};
