import type { Llm } from '../../core/llm.js';
import { createAnthropicLlm, DEFAULT_CLAUDE_MODEL, type AnthropicLlmOptions } from './anthropic.js';

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
  return createAnthropicLlm({
    apiKey,
    ...(baseURL ? { baseURL } : {}),
    model: model || DEFAULT_CLAUDE_MODEL,
    ...extra,
  });
}
