import { describe, expect, it } from 'vitest';
import { LlmError, MALFORMED_INPUT, type Llm, type LlmBlock, type LlmRequest, type LlmResponse } from '../llm.js';
import { demoData, IDS, NOW } from './demo-data.js';
import { answerOnline, type OnlineOptions } from './loop.js';
import { offeredTools, TOOL_CATALOG, type Perm } from './tools.js';

type Step = { text?: string; uses?: Array<{ name: string; input: unknown }> } | ((req: LlmRequest) => LlmResponse) | Error;

/** An in-memory model that answers from a script and remembers what it was sent. */
function scripted(steps: Step[]): Llm & { requests: LlmRequest[] } {
  const requests: LlmRequest[] = [];
  let n = 0;
  return {
    model: 'scripted',
    requests,
    async complete(req) {
      requests.push(structuredClone({ ...req, onText: undefined, signal: undefined }));
      const step = steps[n++] ?? { text: 'done' };
      if (step instanceof Error) throw step;
      if (typeof step === 'function') return step(req);
      const content: LlmBlock[] = [];
      if (step.text) {
        for (const w of step.text.match(/\S+\s*/g) ?? []) req.onText?.(w);
        content.push({ type: 'text', text: step.text });
      }
      (step.uses ?? []).forEach((u, i) => content.push({ type: 'tool_use', id: `tu_${n}_${i}`, name: u.name, input: u.input }));
      return { content, stopReason: step.uses?.length ? 'tool_use' : 'end_turn', usage: { inputTokens: 10, outputTokens: 5 }, model: 'scripted' };
    },
  };
}

const all = (): boolean => true;
const viewer = (p: Perm): boolean => p[1] === 'read' || p[0] === 'assistant';

function run(llm: Llm, extra: Partial<OnlineOptions> = {}) {
  const data = extra.data ?? demoData();
  return answerOnline({
    llm,
    data,
    tools: offeredTools(TOOL_CATALOG, data, all),
    system: 'sys',
    messages: [{ role: 'user', content: 'q' }],
    now: NOW,
    changes: 'refuse',
    ...extra,
  });
}

const lastToolResult = (llm: { requests: LlmRequest[] }): Extract<LlmBlock, { type: 'tool_result' }> => {
  const msg = llm.requests.at(-1)!.messages.at(-1)!;
  return (msg.content as LlmBlock[])[0] as Extract<LlmBlock, { type: 'tool_result' }>;
};

describe('the tool-use loop', () => {
  it('runs the tools the model calls, sends the results back, and shows its work', async () => {
    const llm = scripted([{ uses: [{ name: 'compliance_status', input: {} }] }, { text: `One open violation: ${IDS.violation}.` }]);
    const a = await run(llm);
    expect(a.answer).toBe(`One open violation: ${IDS.violation}.`);
    expect(a.toolCalls).toEqual([{ name: 'compliance_status', input: {}, status: 'ok' }]);
    expect(a.citedIds).toEqual([IDS.violation]);
    expect(a.usage).toEqual({ inputTokens: 20, outputTokens: 10 });
    expect(a.rounds).toBe(1);
    expect(lastToolResult(llm).content).toContain('"score":87.5');
  });

  it('offers only the tools of the caller\'s role', async () => {
    const data = demoData();
    const llm = scripted([{ text: 'hi' }]);
    await run(llm, { data, tools: offeredTools(TOOL_CATALOG, data, viewer) });
    const names = llm.requests[0]!.tools!.map((t) => t.name);
    expect(names).toContain('workload');
    expect(names).not.toContain('approve_action');
  });

  it('refuses a tool the role was not offered, even when the model calls it', async () => {
    const data = demoData();
    let approved = false;
    data.approveAction = async () => {
      approved = true;
      return {};
    };
    const llm = scripted([{ uses: [{ name: 'approve_action', input: { actionId: IDS.action } }] }, { text: 'I could not approve it.' }]);
    const a = await run(llm, { data, tools: offeredTools(TOOL_CATALOG, data, viewer), changes: 'allow' });
    expect(approved).toBe(false);
    expect(a.toolCalls[0]).toMatchObject({ name: 'approve_action', status: 'refused' });
    expect(lastToolResult(llm).isError).toBe(true);
  });

  it('does not change state without confirmation, and asks when it may', async () => {
    const steps = (): Step[] => [{ uses: [{ name: 'approve_action', input: { actionId: IDS.action } }] }, { text: 'ok' }];
    const refused = await run(scripted(steps()), { changes: 'refuse' });
    expect(refused.toolCalls[0]).toMatchObject({ status: 'refused', error: expect.stringContaining('--yes') });

    const questions: string[] = [];
    const declined = await run(scripted(steps()), {
      changes: 'confirm',
      confirm: async (q) => (questions.push(q), false),
    });
    expect(questions).toEqual([`The assistant wants to approve action ${IDS.action}. Go ahead?`]);
    expect(declined.toolCalls[0]!.status).toBe('declined');

    const confirmed = await run(scripted(steps()), { changes: 'confirm', confirm: async () => true });
    expect(confirmed.toolCalls[0]!.status).toBe('ok');
  });

  it('answers malformed tool input and a failing tool with a clear tool error, and goes on', async () => {
    const data = demoData({
      listIssues: async () => {
        throw new Error('store down for ops@example.com');
      },
    });
    const llm = scripted([
      { uses: [{ name: 'list_tasks', input: { [MALFORMED_INPUT]: '{"lim' } }] },
      { uses: [{ name: 'list_tasks', input: { limit: 'many' } }] },
      { uses: [{ name: 'list_issues', input: {} }] },
      { text: 'The issue store failed.' },
    ]);
    const a = await run(llm, { data });
    expect(a.toolCalls.map((c) => c.status)).toEqual(['error', 'error', 'error']);
    expect(a.toolCalls[0]!.error).toContain('not valid JSON');
    expect(a.toolCalls[1]!.error).toContain('limit:');
    expect(a.toolCalls[2]!.error).toBe('list_issues failed: store down for [EMAIL]');
    expect(a.answer).toBe('The issue store failed.');
  });

  it('caps the rounds of tool calls', async () => {
    const forever: Step = () => ({
      content: [{ type: 'tool_use', id: `tu_${Math.random()}`, name: 'list_tasks', input: {} }],
      stopReason: 'tool_use',
      usage: { inputTokens: 1, outputTokens: 1 },
      model: 'scripted',
    });
    const llm = scripted(Array.from({ length: 20 }, () => forever));
    const a = await run(llm, { maxRounds: 3 });
    expect(a.toolCalls).toHaveLength(3);
    expect(a.stopped).toBe('round_limit');
    expect(llm.requests.length).toBeLessThanOrEqual(5);
  });

  it('masks tool results before the model sees them, and the answer as it streams', async () => {
    const llm = scripted([
      { uses: [{ name: 'workload', input: {} }] },
      { text: 'Priya is at priya.shah@example.com, card 4111 1111 1111 1111.' },
    ]);
    const shown: string[] = [];
    const a = await run(llm, { onText: (t) => shown.push(t) });
    expect(lastToolResult(llm).content).toContain('"email":"[EMAIL]"');
    expect(JSON.stringify(llm.requests)).not.toContain('priya.shah@example.com');
    expect(shown.join('')).toBe('Priya is at [EMAIL], card [CARD].');
    expect(a.answer).toBe('Priya is at [EMAIL], card [CARD].');
  });

  it('does not cite an id the tools never returned', async () => {
    const llm = scripted([{ uses: [{ name: 'list_issues', input: {} }] }, { text: 'See tsk_0000000000000000x and the issue.' }]);
    const a = await run(llm);
    expect(a.citedIds).toEqual([IDS.issue]);
  });

  it('stops quietly when the user interrupts, keeping what was said', async () => {
    const llm = scripted([new LlmError('aborted', 'cancelled')]);
    const a = await run(llm);
    expect(a.stopped).toBe('aborted');
  });

  it('keeps the tool calls already made when the model fails later', async () => {
    const llm = scripted([
      { uses: [{ name: 'approve_action', input: { actionId: IDS.action } }] },
      new LlmError('overloaded', 'Claude is overloaded right now (gave up after 4 attempts)', 4),
    ]);
    const a = await run(llm, { changes: 'allow' });
    expect(a.toolCalls).toEqual([{ name: 'approve_action', input: { actionId: IDS.action }, status: 'ok' }]);
    expect(a.stopped).toBe('overloaded');
    expect(a.failure).toEqual({ kind: 'overloaded', message: 'Claude is overloaded right now (gave up after 4 attempts)' });
  });

  it('lets model failures through for the caller to report', async () => {
    const llm = scripted([new LlmError('overloaded', 'Claude is overloaded right now (gave up after 4 attempts)', 4)]);
    await expect(run(llm)).rejects.toMatchObject({ kind: 'overloaded' });
  });
});
