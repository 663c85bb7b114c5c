import { MALFORMED_INPUT } from '../llm.js';
import { maskDeep } from '../masking/mask.js';
import type { AssistantData } from './data.js';
import type { AssistantTool } from './tools.js';

/**
 * How changes are handled: refused (`ask` without --yes), left for the user to confirm after the
 * answer (the chat REPL over HTTP), asked about on the spot (`confirm`), or run (`--yes`).
 */
export type ChangePolicy = 'refuse' | 'defer' | 'confirm' | 'allow';

export type ToolCallStatus = 'ok' | 'error' | 'refused' | 'declined' | 'needs_confirmation';

/** One tool call as shown to the user and returned by `ask --json`. */
export interface ToolCallRecord {
  name: string;
  input: unknown;
  status: ToolCallStatus;
  /** Why it did not run or failed, in plain words. */
  error?: string;
}

export interface ExecuteOptions {
  offered: AssistantTool[];
  data: AssistantData;
  now: number;
  changes: ChangePolicy;
  confirm?: (question: string) => Promise<boolean>;
  /** Longest tool result sent to the model; longer ones are cut and say so. */
  maxResultChars?: number;
}

export interface ExecutedCall {
  record: ToolCallRecord;
  /** The tool result sent back to the model: masked JSON, or an error sentence. */
  content: string;
  isError: boolean;
  /** The masked result value (for citations and offline answers). */
  value: unknown;
}

function describeZodIssues(err: { issues: Array<{ path: PropertyKey[]; message: string }> }): string {
  return err.issues
    .map((i) => `${i.path.map((p, n) => (typeof p === 'number' ? `[${p}]` : `${n > 0 ? '.' : ''}${String(p)}`)).join('') || 'input'}: ${i.message}`)
    .join('; ');
}

const refuse = (name: string, input: unknown, status: ToolCallStatus, error: string): ExecutedCall => ({
  record: { name, input, status, error },
  content: error,
  isError: true,
  value: null,
});

/** Runs one tool call the model asked for, with every guard: role, input, confirmation, masking. */
export async function executeToolCall(name: string, rawInput: unknown, o: ExecuteOptions): Promise<ExecutedCall> {
  const { value: input } = maskDeep(rawInput);
  const tool = o.offered.find((t) => t.name === name);
  if (!tool) return refuse(name, input, 'refused', `${name} is not available here: your role does not allow it or its data is not there`);
  if (typeof rawInput === 'object' && rawInput !== null && MALFORMED_INPUT in rawInput)
    return refuse(name, input, 'error', `the input for ${name} was not valid JSON; call it again with a JSON object`);
  const parsed = tool.input.safeParse(rawInput ?? {});
  if (!parsed.success)
    return refuse(name, input, 'error', `invalid input for ${name}: ${describeZodIssues(parsed.error)}`);
  if (tool.mutates) {
    const what = tool.describe?.(parsed.data) ?? name;
    if (o.changes === 'refuse')
      return refuse(name, input, 'refused', `not done: ${what} changes state and needs confirmation (run again with --yes, or use chat)`);
    if (o.changes === 'defer') {
      const error = `not done yet: the user will be asked to confirm to ${what}; say so, and do not claim it is done`;
      return { record: { name, input: maskDeep(parsed.data).value, status: 'needs_confirmation', error }, content: error, isError: false, value: null };
    }
    if (o.changes === 'confirm') {
      const yes = o.confirm ? await o.confirm(`The assistant wants to ${what}. Go ahead?`) : false;
      if (!yes) return refuse(name, input, 'declined', `not done: the user declined to ${what}`);
    }
  }
  let result: unknown;
  try {
    result = await tool.run(parsed.data, o.data, o.now);
  } catch (err) {
    const msg = maskDeep(err instanceof Error ? err.message : String(err)).value;
    return refuse(name, input, 'error', `${name} failed: ${msg}`);
  }
  const masked = maskDeep(result ?? null).value;
  let content = JSON.stringify(masked);
  const max = o.maxResultChars ?? 12_000;
  if (content.length > max) content = `${content.slice(0, max)}… (cut: ${content.length - max} more characters; ask for fewer items)`;
  const failed = typeof masked === 'object' && masked !== null && 'error' in masked && Object.keys(masked).length === 1;
  return {
    record: failed ? { name, input, status: 'error', error: String((masked as { error: unknown }).error) } : { name, input, status: 'ok' },
    content,
    isError: failed,
    value: masked,
  };
}
