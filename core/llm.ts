/**
 * The port every engine uses to talk to a language model (the assistant, and routing's
 * low-confidence classification). The Anthropic implementation lives in server/llm/; tests pass
 * a scripted fake. Nothing here does I/O.
 *
 * Example (classification):
 *   const res = await llm.complete({ system: 'Answer with one team name.', messages: [{ role: 'user', content: task.title }], maxTokens: 20 });
 *   const team = llmText(res).trim();
 */

export type LlmBlock =
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id: string; name: string; input: unknown }
  | { type: 'tool_result'; toolUseId: string; content: string; isError?: boolean };

export interface LlmMessage {
  role: 'user' | 'assistant';
  content: string | LlmBlock[];
}

/** A tool offered to the model; `inputSchema` is a JSON Schema object (`type: "object"`). */
export interface LlmToolSpec {
  name: string;
  description: string;
  inputSchema: Record<string, unknown>;
}

export interface LlmRequest {
  system?: string;
  messages: LlmMessage[];
  tools?: LlmToolSpec[];
  maxTokens?: number;
  /** Whether the model must call a tool: any of them, or one by name (e.g. a classification tool). */
  toolChoice?: { type: 'auto' } | { type: 'any' } | { type: 'tool'; name: string };
  /** Aborts the request (and a stream in progress). */
  signal?: AbortSignal;
  /** Called with each piece of text as it streams in; without it the call may not stream. */
  onText?: (delta: string) => void;
  /** The organisation the call is made for: a call that fails is reported to it (an `outbound.failed` event). */
  orgId?: string;
  /** Transport headers the adapter sends along (the outbound layer's W3C `traceparent`). */
  headers?: Record<string, string>;
  /** Told before each wait between attempts (429/529), so a person can be told why nothing comes. */
  onRetry?: (info: { attempt: number; delayMs: number; status: number | undefined }) => void;
}

export interface LlmUsage {
  inputTokens: number;
  outputTokens: number;
}

export interface LlmResponse {
  content: LlmBlock[];
  stopReason: string | null;
  usage: LlmUsage;
  model: string;
}

export interface Llm {
  readonly model: string;
  complete(req: LlmRequest): Promise<LlmResponse>;
}

/** Why a model call failed, in words a user can act on. `retryable` failures were already retried. */
export type LlmErrorKind = 'rate_limited' | 'overloaded' | 'auth' | 'bad_request' | 'unavailable' | 'aborted';

export class LlmError extends Error {
  constructor(
    readonly kind: LlmErrorKind,
    message: string,
    readonly attempts = 1,
  ) {
    super(message);
    this.name = 'LlmError';
  }
}

/**
 * When the model sends tool input that is not a JSON object, adapters pass it on as
 * `{ [MALFORMED_INPUT]: raw }` so the caller can answer the model with a clear tool error.
 */
export const MALFORMED_INPUT = '__malformedInput';

/** The text blocks of a response joined. */
export function llmText(res: LlmResponse): string {
  return res.content
    .filter((b): b is { type: 'text'; text: string } => b.type === 'text')
    .map((b) => b.text)
    .join('');
}
