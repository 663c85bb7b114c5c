import type { Llm } from '../../core/llm.js';
import type { AnthropicLlmOptions } from './anthropic.js';
import { DEFAULT_CLAUDE_MODEL } from './model.js';

export { DEFAULT_CLAUDE_MODEL };

/**
 * The model client from the environment (CONTRACT.md): ANTHROPIC_API_KEY turns Claude on,
 * ANTHROPIC_BASE_URL and FOUNDRY_CLAUDE_MODEL are honoured. No key: null, i.e. offline.
 */
export function llmFromEnv(
  env: Record<string, string | undefined>,
  extra: Omit<AnthropicLlmOptions, 'apiKey' | 'baseURL' | 'model'> = {},
): Llm | null {
  const apiKey = env['ANTHROPIC_API_KEY']?.trim();
  if (!apiKey) return null;
  const baseURL = env['ANTHROPIC_BASE_URL']?.trim();
  const model = env['FOUNDRY_CLAUDE_MODEL']?.trim();
  return lazyAnthropicLlm({
    apiKey,
    ...(baseURL ? { baseURL } : {}),
    model: model || DEFAULT_CLAUDE_MODEL,
    ...extra,
  });
}

/**
 * The Anthropic client, loaded on the first call: the SDK (and what it pulls in) costs start-up
 * time that a daemon or a CLI run without questions for Claude should not pay.
 */
export function lazyAnthropicLlm(opts: AnthropicLlmOptions): Llm {
  let real: Promise<Llm> | null = null;
  return {
    model: opts.model ?? DEFAULT_CLAUDE_MODEL,
    complete(req) {
      real ??= import('./anthropic.js').then((m) => m.createAnthropicLlm(opts));
      return real.then((llm) => llm.complete(req));
    },
  };
}
