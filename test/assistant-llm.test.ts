import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LlmError, MALFORMED_INPUT, llmText } from '../core/llm.js';
import { SDK_API_VERSION, startFakeAnthropic, type FakeAnthropic } from '../fixtures/fake-anthropic/index.js';
import { createAnthropicLlm, DEFAULT_CLAUDE_MODEL } from '../server/llm/anthropic.js';
import { llmFromEnv } from '../server/llm/config.js';

const KEY = 'sk-ant-test-key';
const noSleep = async (): Promise<void> => {};

const sdkDir = dirname(createRequire(import.meta.url).resolve('@anthropic-ai/sdk'));

describe('the installed SDK, as the fake must accept it', () => {
  it('speaks the API version the fake accepts and sends the key as a Bearer token', () => {
    const client = readFileSync(join(sdkDir, 'client.js'), 'utf8');
    expect(client).toContain(`'anthropic-version': '${SDK_API_VERSION}'`);
    expect(client).toContain('Authorization: `Bearer ${this.apiKey}`');
  });

  it('lists the default model among its known models and does not deprecate it', () => {
    const types = readFileSync(join(sdkDir, 'resources/messages/messages.d.ts'), 'utf8');
    const union = /export type Model = ([^;]+);/.exec(types)?.[1] ?? '';
    expect(union).toContain(`'${DEFAULT_CLAUDE_MODEL}'`);
    const deprecated = readFileSync(join(sdkDir, 'internal/data/deprecated-models.js'), 'utf8');
    expect(deprecated).not.toContain(`'${DEFAULT_CLAUDE_MODEL}'`);
  });
});

describe('the Anthropic client against the fake Messages API', () => {
  let fake: FakeAnthropic;
  beforeAll(async () => {
    fake = await startFakeAnthropic({ apiKey: KEY });
  });
  afterAll(async () => {
    await fake.close();
  });
  beforeEach(() => fake.reset());

  const llm = (extra: Partial<Parameters<typeof createAnthropicLlm>[0]> = {}) =>
    createAnthropicLlm({ apiKey: KEY, baseURL: fake.url, sleep: noSleep, ...extra });

  it('answers a non-streamed request and reports usage', async () => {
    fake.enqueue({ text: 'hello there', usage: { inputTokens: 12, outputTokens: 3 } });
    const res = await llm().complete({ messages: [{ role: 'user', content: 'hi' }], system: 'be brief' });
    expect(llmText(res)).toBe('hello there');
    expect(res.usage).toEqual({ inputTokens: 12, outputTokens: 3 });
    expect(res.stopReason).toBe('end_turn');
    const req = fake.requests[0]!;
    expect(req.headers['authorization']).toBe(`Bearer ${KEY}`);
    expect(req.headers['anthropic-version']).toBe(SDK_API_VERSION);
    expect(req.body.model).toBe(DEFAULT_CLAUDE_MODEL);
    expect(req.body.system).toBe('be brief');
    expect(req.body.stream).toBeFalsy();
  });

  it('streams text deltas in order and assembles the same answer', async () => {
    fake.enqueue({ text: 'one two three', usage: { inputTokens: 5, outputTokens: 7 } });
    const seen: string[] = [];
    const res = await llm().complete({ messages: [{ role: 'user', content: 'count' }], onText: (t) => seen.push(t) });
    expect(seen).toEqual(['one ', 'two ', 'three']);
    expect(llmText(res)).toBe('one two three');
    expect(res.usage).toEqual({ inputTokens: 5, outputTokens: 7 });
    expect(fake.requests[0]!.body.stream).toBe(true);
  });

  it('streams a tool call as input_json_delta and sends the tool result back', async () => {
    fake.enqueue({ text: 'Let me look.', toolUses: [{ id: 'toolu_1', name: 'list_tasks', input: { status: 'open', limit: 5 } }] });
    fake.enqueue((req) => {
      const last = req.body.messages.at(-1)!;
      const block = Array.isArray(last.content) ? last.content[0] : undefined;
      return { text: `got ${String(block?.content)}` };
    });
    const client = llm();
    const tools = [{ name: 'list_tasks', description: 'tasks', inputSchema: { type: 'object', properties: {} } }];
    const first = await client.complete({ messages: [{ role: 'user', content: 'open tasks?' }], tools, onText: () => {} });
    expect(first.stopReason).toBe('tool_use');
    const use = first.content.find((b) => b.type === 'tool_use');
    expect(use).toEqual({ type: 'tool_use', id: 'toolu_1', name: 'list_tasks', input: { status: 'open', limit: 5 } });
    const second = await client.complete({
      messages: [
        { role: 'user', content: 'open tasks?' },
        { role: 'assistant', content: first.content },
        { role: 'user', content: [{ type: 'tool_result', toolUseId: 'toolu_1', content: '3 tasks' }] },
      ],
      tools,
      onText: () => {},
    });
    expect(llmText(second)).toBe('got 3 tasks');
    expect(fake.requests[1]!.body.tools?.[0]?.name).toBe('list_tasks');
  });

  it('passes tool_choice through, so a caller can require one tool', async () => {
    fake.enqueue({ toolUses: [{ name: 'classify', input: { team: 'dba' } }] });
    const res = await llm().complete({
      messages: [{ role: 'user', content: 'x' }],
      tools: [{ name: 'classify', description: 'c', inputSchema: { type: 'object', properties: {} } }],
      toolChoice: { type: 'tool', name: 'classify' },
    });
    expect(fake.requests[0]!.body['tool_choice']).toEqual({ type: 'tool', name: 'classify' });
    expect(res.content[0]).toMatchObject({ type: 'tool_use', name: 'classify', input: { team: 'dba' } });
  });

  it('hands malformed tool input on as such instead of throwing', async () => {
    fake.enqueue({ toolUses: [{ id: 'toolu_x', name: 'list_tasks', input: null, rawInputJson: '{"status": "op' }] });
    const res = await llm().complete({ messages: [{ role: 'user', content: 'x' }], onText: () => {} });
    const use = res.content.find((b) => b.type === 'tool_use');
    expect(use && use.type === 'tool_use' && (use.input as Record<string, unknown>)[MALFORMED_INPUT]).toBe('{"status": "op');
  });

  it('retries 429 and 529 honouring retry-after, then succeeds', async () => {
    fake.enqueue(
      { kind: 'error', status: 429, retryAfter: 2 },
      { kind: 'error', status: 529, retryAfterMs: 7 },
      { text: 'finally' },
    );
    const delays: number[] = [];
    const res = await llm({ onRetry: (i) => delays.push(i.delayMs) }).complete({
      messages: [{ role: 'user', content: 'x' }],
      onText: () => {},
    });
    expect(llmText(res)).toBe('finally');
    expect(delays).toEqual([2000, 7]);
    expect(fake.requests).toHaveLength(3);
  });

  it('gives up after the last attempt with a plain message', async () => {
    fake.setFallback({ kind: 'error', status: 529 });
    try {
      await expect(llm({ maxAttempts: 3 }).complete({ messages: [{ role: 'user', content: 'x' }] })).rejects.toMatchObject({
        kind: 'overloaded',
        attempts: 3,
        message: 'Claude is overloaded right now (gave up after 3 attempts)',
      });
      expect(fake.requests).toHaveLength(3);
    } finally {
      fake.setFallback({ text: 'ok' });
    }
  });

  it('does not replay a stream that already showed text when it fails midway', async () => {
    fake.enqueue({ text: 'a b c d', failAfterChunks: 2 }, { text: 'never' });
    const seen: string[] = [];
    await expect(llm().complete({ messages: [{ role: 'user', content: 'x' }], onText: (t) => seen.push(t) })).rejects.toBeInstanceOf(LlmError);
    expect(seen).toEqual(['a ', 'b ']);
    expect(fake.requests).toHaveLength(1);
  });

  it('stops a stream when aborted', async () => {
    fake.enqueue({ text: 'w '.repeat(200), delayMs: 5 });
    const ac = new AbortController();
    const seen: string[] = [];
    const p = llm().complete({
      messages: [{ role: 'user', content: 'x' }],
      signal: ac.signal,
      onText: (t) => {
        seen.push(t);
        if (seen.length === 3) ac.abort();
      },
    });
    await expect(p).rejects.toMatchObject({ kind: 'aborted' });
    expect(seen.length).toBeLessThan(10);
  });

  it('reports a refused key as an auth failure without retrying', async () => {
    const bad = createAnthropicLlm({ apiKey: 'wrong', baseURL: fake.url, sleep: noSleep });
    await expect(bad.complete({ messages: [{ role: 'user', content: 'x' }] })).rejects.toMatchObject({ kind: 'auth' });
    expect(fake.requests).toHaveLength(1);
  });

  it('is refused by the fake when the conversation breaks the tool_result rule', async () => {
    await expect(
      llm().complete({
        messages: [{ role: 'user', content: [{ type: 'tool_result', toolUseId: 'toolu_none', content: 'x' }] }],
      }),
    ).rejects.toMatchObject({ kind: 'bad_request' });
  });

  it('also accepts the key as x-api-key and refuses an unknown API version', async () => {
    const body = JSON.stringify({ model: 'm', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] });
    const ok = await fetch(`${fake.url}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': KEY, 'anthropic-version': SDK_API_VERSION, 'content-type': 'application/json' },
      body,
    });
    expect(ok.status).toBe(200);
    const old = await fetch(`${fake.url}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': KEY, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
      body,
    });
    expect(old.status).toBe(400);
  });

  it('is configured from the environment, and is offline without a key', async () => {
    expect(llmFromEnv({})).toBeNull();
    const fromEnv = llmFromEnv({ ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: fake.url, FOUNDRY_CLAUDE_MODEL: 'claude-haiku-5-5' });
    expect(fromEnv?.model).toBe('claude-haiku-5-5');
    fake.enqueue({ text: 'env ok' });
    expect(llmText(await fromEnv!.complete({ messages: [{ role: 'user', content: 'x' }] }))).toBe('env ok');
    expect(fake.requests[0]!.body.model).toBe('claude-haiku-5-5');
  });
});
