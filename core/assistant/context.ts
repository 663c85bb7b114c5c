import type { LlmMessage } from '../llm.js';

/** One stored turn of a session. */
export interface Turn {
  role: 'user' | 'assistant';
  text: string;
}

export interface ContextOptions {
  /** Tokens the verbatim history may take (4 characters a token). */
  budgetTokens?: number;
  /** Tokens the summary of older turns may take. */
  summaryTokens?: number;
}

export interface BuiltContext {
  messages: LlmMessage[];
  /** One line per older exchange that no longer fits verbatim, or null. */
  summary: string | null;
  /** Exchanges left out entirely, oldest first. */
  dropped: number;
}

export const estimateTokens = (s: string): number => Math.ceil(s.length / 4);

const firstSentence = (s: string, max: number): string => {
  const flat = s.replace(/\s+/g, ' ').trim();
  const m = /^(.+?[.!?])(\s|$)/.exec(flat);
  const cut = m?.[1] ?? flat;
  return cut.length > max ? `${cut.slice(0, max - 1)}…` : cut;
};

/**
 * Bounds what a long session sends to the model: the newest exchanges verbatim within
 * `budgetTokens`, older ones as a one-line summary each within `summaryTokens`, the rest dropped.
 * The new question is appended last.
 */
export function buildContext(history: Turn[], question: string, opts: ContextOptions = {}): BuiltContext {
  const budget = opts.budgetTokens ?? 6000;
  const summaryBudget = opts.summaryTokens ?? 600;
  // whole exchanges only, so the roles keep alternating; an unanswered question is skipped
  const pairs: Array<[Turn, Turn]> = [];
  for (let i = 0; i + 1 < history.length; i++) {
    const a = history[i]!;
    const b = history[i + 1]!;
    if (a.role === 'user' && b.role === 'assistant') {
      pairs.push([a, b]);
      i++;
    }
  }
  let used = estimateTokens(question);
  let keepFrom = pairs.length;
  while (keepFrom > 0) {
    const [q, a] = pairs[keepFrom - 1]!;
    const cost = estimateTokens(q.text) + estimateTokens(a.text);
    if (used + cost > budget) break;
    used += cost;
    keepFrom--;
  }
  const lines: string[] = [];
  let summaryUsed = 0;
  let summarisedFrom = keepFrom;
  while (summarisedFrom > 0) {
    const [q, a] = pairs[summarisedFrom - 1]!;
    const line = `- asked "${firstSentence(q.text, 120)}" → ${firstSentence(a.text, 160)}`;
    if (summaryUsed + estimateTokens(line) > summaryBudget) break;
    summaryUsed += estimateTokens(line);
    lines.unshift(line);
    summarisedFrom--;
  }
  const messages: LlmMessage[] = [];
  for (const [q, a] of pairs.slice(keepFrom)) {
    messages.push({ role: 'user', content: q.text }, { role: 'assistant', content: a.text });
  }
  messages.push({ role: 'user', content: question });
  return { messages, summary: lines.length > 0 ? lines.join('\n') : null, dropped: summarisedFrom };
}

export interface SystemPromptInput {
  now: number;
  userName: string;
  role: string;
  orgName?: string;
  toolNames: string[];
  summary: string | null;
  changes: 'refuse' | 'defer' | 'confirm' | 'allow';
}

/** The standing instructions: what the assistant is, what it may do, how to show its work. */
export function systemPrompt(i: SystemPromptInput): string {
  const parts = [
    `You are the operations assistant of foundry-op${i.orgName ? ` for ${i.orgName}` : ''}. Now: ${new Date(i.now).toISOString()}.`,
    `You are talking to ${i.userName} (role ${i.role}). Answer from the tools' data, briefly and concretely; when the data does not say, say so.`,
    'Name the ids (tsk_…, evt_…, vio_…, act_…, iss_…) of the records your claims rest on.',
    'Values shown as [EMAIL], [PHONE], [CARD], [SECRET] and the like are masked on purpose: never try to guess, reconstruct or ask for them.',
    i.changes === 'refuse'
      ? 'Tools that change state will be refused in this mode: tell the user what you would do and that they can run again with --yes.'
      : 'Tools that change state run only after the user confirms; call them only when the user asked for that change.',
    `You can only use these tools: ${i.toolNames.join(', ') || 'none'}. Do not claim to have done anything you have no tool for or were refused.`,
  ];
  if (i.summary) parts.push(`Earlier in this session (summarised):\n${i.summary}`);
  return parts.join('\n');
}
