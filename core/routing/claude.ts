/**
 * Asking Claude to route a task the offline classifier is unsure about: one tool call with a strict
 * schema (team, skills, priority, confidence, rationale), under a time budget. Any failure — timeout,
 * API error, no tool call, an answer outside the schema — comes back as `{ok: false, reason}` so the
 * offline answer stands.
 */
import { z } from 'zod';
import { PRIORITIES } from '../model.js';
import type { Llm, LlmBlock } from '../llm.js';
import type { ClaudeOutcome } from './decide.js';

export const ROUTE_TOOL = 'route_task';

const MAX_PROMPT_TEXT = 4_000;

export interface ClaudeTeam {
  name: string;
  description?: string | null;
}

export interface ClaudeTask {
  title: string;
  description: string;
  priority: string;
  /** The task's organisation, passed to the model client (which reports failures to it). */
  orgId?: string;
}

export function routeToolSchema(teams: readonly ClaudeTeam[]): Record<string, unknown> {
  return {
    type: 'object',
    properties: {
      team: { type: 'string', enum: teams.map((t) => t.name), description: 'the team that should own the task' },
      skills: { type: 'array', items: { type: 'string' }, description: 'skills the assignee needs (may be empty)' },
      priority: { type: 'string', enum: [...PRIORITIES], description: 'P1 most urgent … P4 least' },
      confidence: { type: 'number', minimum: 0, maximum: 1, description: 'probability that the team is right' },
      rationale: { type: 'string', description: 'one short sentence' },
    },
    required: ['team', 'skills', 'priority', 'confidence', 'rationale'],
    additionalProperties: false,
  };
}

const answerSchema = z.strictObject({
  team: z.string().min(1),
  skills: z.array(z.string().min(1).max(100)).max(20),
  priority: z.enum(PRIORITIES),
  confidence: z.number().min(0).max(1),
  rationale: z.string().max(1000),
});

/** Why the offline classifier wants a second opinion, for the prompt. */
export interface OfflineHint {
  team: string;
  probability: number;
}

export async function askClaude(
  llm: Llm,
  task: ClaudeTask,
  teams: readonly ClaudeTeam[],
  budgetMs: number,
  hints: readonly OfflineHint[] = [],
): Promise<ClaudeOutcome> {
  if (teams.length === 0) return { ok: false, reason: 'there are no teams to choose from' };
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, budgetMs);
  const teamList = teams.map((t) => `- ${t.name}${t.description ? `: ${t.description}` : ''}`).join('\n');
  const hintText = hints.length ? `\nAn offline classifier guessed: ${hints.map((h) => `${h.team} (${Math.round(h.probability * 100)}%)`).join(', ')}.` : '';
  try {
    const res = await llm.complete({
      system:
        'You route operations tasks to the team that should own them. Call the route_task tool exactly once. ' +
        'Choose the team only from the list. Be honest about confidence.',
      messages: [{
        role: 'user',
        content: `Teams:\n${teamList}\n\nTask (priority ${task.priority}):\nTitle: ${task.title.slice(0, 500)}\n` +
          `Description: ${task.description.slice(0, MAX_PROMPT_TEXT)}${hintText}`,
      }],
      tools: [{ name: ROUTE_TOOL, description: 'Record the routing decision for the task.', inputSchema: routeToolSchema(teams) }],
      maxTokens: 400,
      signal: controller.signal,
      ...(task.orgId ? { orgId: task.orgId } : {}),
    });
    const call = res.content.find((b): b is Extract<LlmBlock, { type: 'tool_use' }> => b.type === 'tool_use' && b.name === ROUTE_TOOL);
    if (!call) return { ok: false, reason: 'Claude answered without calling route_task' };
    const parsed = answerSchema.safeParse(call.input);
    if (!parsed.success) {
      const i = parsed.error.issues[0]!;
      return { ok: false, reason: `Claude's answer did not fit the schema (${i.path.join('.') || 'input'}: ${i.message})` };
    }
    const a = parsed.data;
    if (!teams.some((t) => t.name === a.team)) return { ok: false, reason: `Claude named team ${a.team}, which is not in the list` };
    return { ok: true, team: a.team, skills: a.skills, priority: a.priority, confidence: a.confidence, rationale: a.rationale, model: res.model };
  } catch (e) {
    if (timedOut) return { ok: false, reason: `Claude did not answer within ${budgetMs} ms` };
    return { ok: false, reason: `Claude failed: ${(e as Error).message}` };
  } finally {
    clearTimeout(timer);
  }
}
