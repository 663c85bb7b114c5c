import type { Command } from 'commander';
import { errorFromResponse, unreachable } from '../cli/client.js';
import type { CliContext } from '../cli/context.js';
import { AppError, EXIT_CODE, type ErrorKind } from '../core/errors.js';

/** One tool call as the daemon reports it. */
export interface ToolCallView {
  name: string;
  input: unknown;
  status: 'ok' | 'error' | 'refused' | 'declined' | 'needs_confirmation';
  error?: string;
}

/** What `ask --json` prints: the answer and its work. */
export interface AnswerView {
  answer: string;
  offline: boolean;
  toolCalls: ToolCallView[];
  citedIds: string[];
  usage: { inputTokens: number; outputTokens: number };
  model: string | null;
  rounds: number;
  sessionId: string;
  messageId: string;
  stopped?: string;
  error?: { kind: string; message: string };
}

export interface AskRequest {
  question: string;
  sessionId?: string;
  yes?: boolean;
  mode?: 'ask' | 'chat';
}

export interface StreamHandlers {
  onSession?(s: { sessionId: string; offline: boolean; model: string | null }): void;
  onText?(text: string): void;
  onTool?(call: ToolCallView): void;
  onRetry?(info: { attempt: number; delayMs: number; status: number | null }): void;
}

/**
 * POSTs a question and follows the answer as it streams (SSE). Resolves with the final answer, or
 * null when `signal` stopped it (the daemon then keeps what was said so far).
 */
export async function streamAsk(ctx: CliContext, req: AskRequest, h: StreamHandlers, signal?: AbortSignal): Promise<AnswerView | null> {
  const headers: Record<string, string> = { accept: 'text/event-stream', 'content-type': 'application/json' };
  if (ctx.token) headers.authorization = `Bearer ${ctx.token}`;
  let res: StreamResponse;
  try {
    res = await post(`${ctx.serverUrl}/v1/assistant/ask`, headers, JSON.stringify(req), signal);
  } catch (err) {
    if (signal?.aborted) return null;
    throw unreachable(ctx.serverUrl, err);
  }
  if (res.statusCode >= 400 || !String(res.headers['content-type'] ?? '').includes('text/event-stream')) {
    const text = await res.body.text();
    let data: unknown = text;
    try {
      data = JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    if (res.statusCode >= 400) throw errorFromResponse(res.statusCode, data);
    return data as AnswerView;
  }
  let buffer = '';
  let done: AnswerView | null = null;
  const handle = (frame: string): void => {
    const event = /^event: (.*)$/m.exec(frame)?.[1];
    const raw = frame.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n');
    if (!event || !raw) return;
    const data = JSON.parse(raw);
    if (event === 'session') h.onSession?.(data);
    else if (event === 'text') h.onText?.(data.text);
    else if (event === 'tool') h.onTool?.(data);
    else if (event === 'retry') h.onRetry?.(data);
    else if (event === 'done') done = data;
    else if (event === 'error') {
      const e = data?.error ?? {};
      throw new AppError((e.code as ErrorKind) in EXIT_CODE ? (e.code as ErrorKind) : 'bug', e.message ?? 'the assistant failed', e.hint);
    }
  };
  try {
    const decoder = new TextDecoder();
    for await (const chunk of res.body) {
      buffer += typeof chunk === 'string' ? chunk : decoder.decode(chunk as Uint8Array, { stream: true });
      let at: number;
      while ((at = buffer.indexOf('\n\n')) >= 0) {
        handle(buffer.slice(0, at));
        buffer = buffer.slice(at + 2);
      }
    }
  } catch (err) {
    if (signal?.aborted) return null;
    throw err;
  }
  if (!done && !signal?.aborted) throw new AppError('unavailable', 'the answer stream ended early', 'try again');
  return done;
}

interface StreamResponse {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  body: AsyncIterable<Uint8Array | string> & { text(): Promise<string> };
}

/**
 * The question goes out over Node's built-in fetch, which starts far quicker than loading undici (the
 * first token is what a person waits for); with a custom CA (`--ca`), undici's request carries it.
 */
async function post(url: string, headers: Record<string, string>, body: string, signal?: AbortSignal): Promise<StreamResponse> {
  if (url.startsWith('http:')) {
    const r = await fetch(url, { method: 'POST', headers, body, signal });
    const stream = r.body;
    return {
      statusCode: r.status,
      headers: { 'content-type': r.headers.get('content-type') ?? undefined },
      body: Object.assign(stream ?? (async function* () {})(), { text: () => r.text() }) as StreamResponse['body'],
    };
  }
  const { request } = await import('undici');
  const r = await request(url, { method: 'POST', headers, body, headersTimeout: 300_000, bodyTimeout: 300_000, ...(signal ? { signal } : {}) });
  return { statusCode: r.statusCode, headers: r.headers, body: r.body as unknown as StreamResponse['body'] };
}

/** One stderr line while the daemon waits to ask Claude again. */
export function retryNote(info: { attempt: number; delayMs: number; status: number | null }): string {
  const why = info.status === 429 ? 'rate limited' : info.status === 529 ? 'overloaded' : 'unavailable';
  return `Claude is ${why}; trying again in ${Math.max(1, Math.round(info.delayMs / 1000))}s (attempt ${info.attempt + 1})…`;
}

/** The work behind an answer, as footer lines: offline mark, tools called, ids cited, changes not made. */
export function footer(ctx: CliContext, a: AnswerView): string[] {
  const lines: string[] = [];
  const tools = a.toolCalls.map((c) => (c.status === 'ok' ? c.name : `${c.name} (${c.status.replace('_', ' ')})`));
  const parts = [a.offline ? 'offline answer' : null, tools.length ? `tools: ${tools.join(', ')}` : null, a.citedIds.length ? `cites: ${a.citedIds.join(', ')}` : null];
  const meta = parts.filter(Boolean).join(' · ');
  if (meta) lines.push(ctx.out.paint(meta, 'gray'));
  for (const c of a.toolCalls) if (c.status === 'refused' && c.error) lines.push(ctx.out.paint(`  ${c.error}`, 'yellow'));
  if (a.stopped === 'round_limit') lines.push(ctx.out.paint('  (stopped after the maximum rounds of tool calls)', 'yellow'));
  return lines;
}

export interface AskOptions {
  session?: string;
}

/** `foundry-op ask "question"`: one answer, streamed as it comes; --json prints the answer and its work. */
export async function runAsk(ctx: CliContext, words: string[], opts: AskOptions): Promise<void> {
  const question = words.join(' ').trim();
  if (!question) throw new AppError('usage', 'the question is empty', 'e.g. foundry-op ask "who is overloaded?"');
  const json = ctx.out.json;
  const stdout = ctx.io.stdout;
  let wrote = false;
  const answer = await streamAsk(
    ctx,
    { question, mode: 'ask', ...(ctx.options.yes ? { yes: true } : {}), ...(opts.session ? { sessionId: opts.session } : {}) },
    {
      onText: (t) => {
        if (json) return;
        stdout.write(t);
        wrote = true;
      },
      onRetry: (info) => ctx.out.info(ctx.out.paint(retryNote(info), 'gray')),
    },
  );
  if (!answer) return;
  if (json) {
    ctx.out.data(answer);
  } else {
    if (!wrote && !answer.error) stdout.write(answer.answer);
    if (wrote || (!answer.error && answer.answer)) stdout.write('\n');
    for (const l of footer(ctx, answer)) stdout.write(`${l}\n`);
  }
  if (answer.error) {
    ctx.io.stderr.write(`error: ${answer.error.message}\n`);
    process.exitCode = 1;
  }
}

export function register(program: Command, ctx: CliContext): void {
  program
    .command('ask')
    .description('ask the assistant one question; the answer streams as it comes (offline answers without ANTHROPIC_API_KEY)')
    .argument('<question...>', 'the question (quote it)')
    .option('--session <id>', 'ask within an existing chat session')
    .addHelpText('after', '\nState-changing tools run only with --yes (and when your role allows them).')
    .action((words: string[], opts: AskOptions) => runAsk(ctx, words, opts));
}
