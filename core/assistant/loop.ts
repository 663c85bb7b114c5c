import { LlmError, type Llm, type LlmBlock, type LlmMessage, type LlmUsage } from '../llm.js';
import { maskText, StreamMasker } from '../masking/mask.js';
import { citeIds, collectIds } from './citations.js';
import type { AssistantData } from './data.js';
import { executeToolCall, type ChangePolicy, type ToolCallRecord } from './execute.js';
import { toolInputSchema, type AssistantTool } from './tools.js';

/** An answer and its work: what `ask --json` returns. */
export interface Answer {
  answer: string;
  offline: boolean;
  toolCalls: ToolCallRecord[];
  citedIds: string[];
  usage: LlmUsage;
  model: string | null;
  rounds: number;
  /** Set when the answer stopped early: `aborted`, `round_limit`, `max_tokens`, or a model failure. */
  stopped?: string;
  /** The model failed (after its retries): what was done before still shows in `toolCalls`. */
  failure?: { kind: string; message: string };
}

export interface AnswerEvents {
  /** Masked text, as it becomes safe to show. */
  onText?: (text: string) => void;
  onToolCall?: (call: ToolCallRecord) => void;
  /** The model is rate limited or overloaded and will be asked again after `delayMs`. */
  onRetry?: (info: { attempt: number; delayMs: number; status: number | undefined }) => void;
}

export interface OnlineOptions extends AnswerEvents {
  llm: Llm;
  tools: AssistantTool[];
  data: AssistantData;
  system: string;
  messages: LlmMessage[];
  now: number;
  changes: ChangePolicy;
  confirm?: (question: string) => Promise<boolean>;
  maxRounds?: number;
  maxTokens?: number;
  signal?: AbortSignal;
  /** Whose question it is (passed to the model client, which reports failures to that organisation). */
  orgId?: string;
}

/**
 * The tool-use loop: ask the model, run the tools it calls (guarded and masked), send the results
 * back, until it answers in text or `maxRounds` rounds of tool calls have run.
 */
export async function answerOnline(o: OnlineOptions): Promise<Answer> {
  const maxRounds = o.maxRounds ?? 5;
  const specs = o.tools.map((t) => ({ name: t.name, description: t.description, inputSchema: toolInputSchema(t) }));
  const messages = [...o.messages];
  const toolCalls: ToolCallRecord[] = [];
  const known = new Set<string>();
  const usage: LlmUsage = { inputTokens: 0, outputTokens: 0 };
  let text = '';
  let rounds = 0;
  let model: string | null = o.llm.model;
  let stopped: string | undefined;
  let failure: Answer['failure'];

  for (;;) {
    const masker = new StreamMasker();
    let roundText = '';
    const emit = (s: string): void => {
      if (s) o.onText?.(s);
    };
    let res;
    try {
      res = await o.llm.complete({
        system: o.system,
        messages,
        tools: specs,
        maxTokens: o.maxTokens ?? 1500,
        ...(o.signal ? { signal: o.signal } : {}),
        ...(o.orgId ? { orgId: o.orgId } : {}),
        ...(o.onRetry ? { onRetry: o.onRetry } : {}),
        onText: (d) => {
          roundText += d;
          emit(masker.push(d));
        },
      });
    } catch (err) {
      emit(masker.flush());
      if (err instanceof LlmError && err.kind === 'aborted') {
        stopped = 'aborted';
        text += roundText;
        break;
      }
      // with nothing done yet the caller reports the failure; after tool calls (which may have
      // changed something) the answer keeps them, so nothing done is ever hidden
      if (!(err instanceof LlmError) || (toolCalls.length === 0 && text === '')) throw err;
      stopped = err.kind;
      failure = { kind: err.kind, message: err.message };
      text += roundText;
      break;
    }
    emit(masker.flush());
    usage.inputTokens += res.usage.inputTokens;
    usage.outputTokens += res.usage.outputTokens;
    model = res.model;
    const said = res.content
      .filter((b): b is Extract<LlmBlock, { type: 'text' }> => b.type === 'text')
      .map((b) => b.text)
      .join('');
    text += (text && said ? '\n' : '') + said;
    const uses = res.content.filter((b): b is Extract<LlmBlock, { type: 'tool_use' }> => b.type === 'tool_use');
    if (uses.length === 0 || res.stopReason !== 'tool_use') {
      if (res.stopReason === 'max_tokens') stopped = 'max_tokens';
      break;
    }
    rounds++;
    messages.push({ role: 'assistant', content: res.content });
    const results: LlmBlock[] = [];
    for (const use of uses) {
      if (rounds > maxRounds) {
        results.push({ type: 'tool_result', toolUseId: use.id, content: 'tool call limit reached: answer now with what you have', isError: true });
        continue;
      }
      const done = await executeToolCall(use.name, use.input, {
        offered: o.tools,
        data: o.data,
        now: o.now,
        changes: o.changes,
        ...(o.confirm ? { confirm: o.confirm } : {}),
      });
      toolCalls.push(done.record);
      o.onToolCall?.(done.record);
      collectIds(done.value, known);
      results.push({ type: 'tool_result', toolUseId: use.id, content: done.content, isError: done.isError });
    }
    messages.push({ role: 'user', content: results });
    if (rounds > maxRounds + 1) {
      stopped = 'round_limit';
      break;
    }
    if (o.signal?.aborted) {
      stopped = 'aborted';
      break;
    }
  }
  const answer = maskText(text.trim()).text;
  return {
    answer: answer || (stopped === 'round_limit' ? 'I stopped after too many rounds of tool calls without an answer.' : ''),
    offline: false,
    toolCalls,
    citedIds: citeIds(answer, known),
    usage,
    model,
    rounds,
    ...(stopped ? { stopped } : {}),
    ...(failure ? { failure } : {}),
  };
}
