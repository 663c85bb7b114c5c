import type Anthropic from '@anthropic-ai/sdk';

/**
 * The default model: the Sonnet tier of the newest generation in the installed SDK's `Model`
 * union (node_modules/@anthropic-ai/sdk/resources/messages/messages.d.ts), which balances speed
 * and tool use for an operations assistant. test/assistant-llm.test.ts checks it is still listed
 * there and not deprecated. Override with FOUNDRY_CLAUDE_MODEL.
 */
export const DEFAULT_CLAUDE_MODEL: Anthropic.Model = 'claude-sonnet-5-5';
