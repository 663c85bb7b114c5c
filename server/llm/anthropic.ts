import Anthropic from '@anthropic-ai/sdk';
import {
  LlmError,
  MALFORMED_INPUT,
  type Llm,
  type LlmBlock,
  type LlmRequest,
  type LlmResponse,
} from '../../core/llm.js';
import { DEFAULT_CLAUDE_MODEL } from './model.js';

export { DEFAULT_CLAUDE_MODEL };

export interface AnthropicLlmOptions {
  apiKey: string;
  baseURL?: string;
  model?: string;
  /** Attempts in all, for 429, 529 and 5xx before any text has streamed. */
  maxAttempts?: number;
  /** First backoff; doubles each attempt unless the server says how long (retry-after). */
  baseDelayMs?: number;
  maxDelayMs?: number;
  timeoutMs?: number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Told about every attempt that will be retried (for logs and metrics). */
  onRetry?: (info: { attempt: number; delayMs: number; status: number | undefined }) => void;
}

function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new LlmError('aborted', 'the request was cancelled'));
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(t);
      reject(new LlmError('aborted', 'the request was cancelled'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function toApiMessages(req: LlmRequest): Anthropic.MessageParam[] {
  return req.messages.map((m) => ({
    role: m.role,
    content:
      typeof m.content === 'string'
        ? m.content
        : m.content.map((b): Anthropic.ContentBlockParam => {
            if (b.type === 'text') return { type: 'text', text: b.text };
            if (b.type === 'tool_use')
              return { type: 'tool_use', id: b.id, name: b.name, input: (b.input ?? {}) as Record<string, unknown> };
            return { type: 'tool_result', tool_use_id: b.toolUseId, content: b.content, is_error: b.isError ?? false };
          }),
  }));
}

function parseInput(raw: string): unknown {
  if (raw.trim() === '') return {};
  try {
    const v: unknown = JSON.parse(raw);
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v;
  } catch {
    // fall through: reported to the caller as malformed input
  }
  return { [MALFORMED_INPUT]: raw };
}

function fromApiContent(content: Anthropic.ContentBlock[]): LlmBlock[] {
  const out: LlmBlock[] = [];
  for (const b of content) {
    if (b.type === 'text') out.push({ type: 'text', text: b.text });
    else if (b.type === 'tool_use') {
      const input = typeof b.input === 'string' ? parseInput(b.input) : b.input;
      out.push({ type: 'tool_use', id: b.id, name: b.name, input });
    }
  }
  return out;
}

interface StreamState {
  blocks: Map<number, { type: 'text'; text: string } | { type: 'tool_use'; id: string; name: string; json: string }>;
  stopReason: string | null;
  inputTokens: number;
  outputTokens: number;
  model: string;
  sentText: boolean;
}

function classify(err: unknown, attempts: number): LlmError {
  if (err instanceof LlmError) return err;
  if (err instanceof Anthropic.APIUserAbortError) return new LlmError('aborted', 'the request was cancelled', attempts);
  if (err instanceof Anthropic.APIConnectionError)
    return new LlmError('unavailable', 'the Claude API could not be reached', attempts);
  if (err instanceof Anthropic.APIError) {
    const type = (err as { type?: string | null }).type;
    if (err.status === 429 || type === 'rate_limit_error')
      return new LlmError('rate_limited', `Claude is rate limiting requests (gave up after ${attempts} attempts)`, attempts);
    if (err.status === 529 || type === 'overloaded_error')
      return new LlmError('overloaded', `Claude is overloaded right now (gave up after ${attempts} attempts)`, attempts);
    if (err.status === 401 || err.status === 403)
      return new LlmError('auth', 'the Claude API refused the key (check ANTHROPIC_API_KEY)', attempts);
    if (err.status !== undefined && err.status >= 400 && err.status < 500)
      return new LlmError('bad_request', `the Claude API refused the request: ${err.message}`, attempts);
    return new LlmError('unavailable', `the Claude API failed (${err.status ?? 'stream error'})`, attempts);
  }
  return new LlmError('unavailable', `the Claude API failed: ${err instanceof Error ? err.message : String(err)}`, attempts);
}

function retryDelay(err: unknown, attempt: number, base: number, max: number): number | null {
  if (!(err instanceof Anthropic.APIError)) return err instanceof Anthropic.APIConnectionError ? Math.min(max, base * 2 ** attempt) : null;
  if (err instanceof Anthropic.APIUserAbortError) return null;
  const type = (err as { type?: string | null }).type;
  const retryable = err.status === 429 || err.status === 529 || (err.status ?? 0) >= 500 || type === 'overloaded_error' || type === 'rate_limit_error';
  if (!retryable) return null;
  const ms = Number(err.headers?.get('retry-after-ms'));
  if (Number.isFinite(ms) && ms > 0) return Math.min(max, ms);
  const s = Number(err.headers?.get('retry-after'));
  if (Number.isFinite(s) && s > 0) return Math.min(max, s * 1000);
  return Math.min(max, base * 2 ** attempt);
}

/** An Llm over @anthropic-ai/sdk: streams when `onText` is given, retries 429/529 with backoff. */
export function createAnthropicLlm(opts: AnthropicLlmOptions): Llm {
  const model = opts.model ?? DEFAULT_CLAUDE_MODEL;
  const client = new Anthropic({
    apiKey: opts.apiKey,
    ...(opts.baseURL ? { baseURL: opts.baseURL } : {}),
    maxRetries: 0, // retried below, so that a stream that already showed text is never replayed
    timeout: opts.timeoutMs ?? 120_000,
  });
  const maxAttempts = opts.maxAttempts ?? 4;
  const base = opts.baseDelayMs ?? 500;
  const maxDelay = opts.maxDelayMs ?? 20_000;
  const sleep = opts.sleep ?? defaultSleep;

  async function once(req: LlmRequest, state: StreamState): Promise<LlmResponse> {
    const params = {
      model,
      max_tokens: req.maxTokens ?? 1024,
      messages: toApiMessages(req),
      ...(req.system ? { system: req.system } : {}),
      ...(req.toolChoice ? { tool_choice: req.toolChoice } : {}),
      ...(req.tools && req.tools.length > 0
        ? {
            tools: req.tools.map((t) => ({
              name: t.name,
              description: t.description,
              input_schema: t.inputSchema as Anthropic.Tool.InputSchema,
            })),
          }
        : {}),
    };
    const options = { ...(req.signal ? { signal: req.signal } : {}), ...(req.headers ? { headers: req.headers } : {}) };
    if (!req.onText) {
      const msg = await client.messages.create({ ...params, stream: false }, options);
      return {
        content: fromApiContent(msg.content),
        stopReason: msg.stop_reason,
        usage: { inputTokens: msg.usage.input_tokens, outputTokens: msg.usage.output_tokens },
        model: msg.model,
      };
    }
    const stream = await client.messages.create({ ...params, stream: true }, options);
    for await (const ev of stream) {
      switch (ev.type) {
        case 'message_start':
          state.inputTokens = ev.message.usage.input_tokens;
          state.outputTokens = ev.message.usage.output_tokens;
          state.model = ev.message.model;
          break;
        case 'content_block_start':
          if (ev.content_block.type === 'text') state.blocks.set(ev.index, { type: 'text', text: '' });
          else if (ev.content_block.type === 'tool_use')
            state.blocks.set(ev.index, { type: 'tool_use', id: ev.content_block.id, name: ev.content_block.name, json: '' });
          break;
        case 'content_block_delta': {
          const b = state.blocks.get(ev.index);
          if (ev.delta.type === 'text_delta' && b?.type === 'text') {
            b.text += ev.delta.text;
            state.sentText = true;
            req.onText(ev.delta.text);
          } else if (ev.delta.type === 'input_json_delta' && b?.type === 'tool_use') b.json += ev.delta.partial_json;
          break;
        }
        case 'message_delta':
          state.stopReason = ev.delta.stop_reason;
          state.outputTokens = ev.usage.output_tokens;
          if (ev.usage.input_tokens != null) state.inputTokens = ev.usage.input_tokens;
          break;
        default:
          break;
      }
    }
    // The SDK ends the iteration quietly on abort; a cut-off answer must not pass for a whole one.
    if (req.signal?.aborted) throw new LlmError('aborted', 'the request was cancelled');
    const content: LlmBlock[] = [...state.blocks.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([, b]) =>
        b.type === 'text' ? b : { type: 'tool_use' as const, id: b.id, name: b.name, input: parseInput(b.json) },
      );
    return {
      content,
      stopReason: state.stopReason,
      usage: { inputTokens: state.inputTokens, outputTokens: state.outputTokens },
      model: state.model,
    };
  }

  return {
    model,
    async complete(req) {
      for (let attempt = 1; ; attempt++) {
        const state: StreamState = {
          blocks: new Map(),
          stopReason: null,
          inputTokens: 0,
          outputTokens: 0,
          model,
          sentText: false,
        };
        try {
          return await once(req, state);
        } catch (err) {
          if (req.signal?.aborted) throw new LlmError('aborted', 'the request was cancelled', attempt);
          const delay = state.sentText || attempt >= maxAttempts ? null : retryDelay(err, attempt - 1, base, maxDelay);
          if (delay === null) throw classify(err, attempt);
          const info = { attempt, delayMs: delay, status: err instanceof Anthropic.APIError ? err.status : undefined };
          opts.onRetry?.(info);
          req.onRetry?.(info);
          await sleep(delay, req.signal);
        }
      }
    },
  };
}
