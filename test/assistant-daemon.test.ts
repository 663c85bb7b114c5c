import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeAnthropic, type FakeAnthropic } from '../fixtures/fake-anthropic/index.js';
import { forEachStore, startDaemon, type TestDaemon } from './helpers.js';

interface SseEvent {
  event: string;
  data: any;
}

async function readSse(res: Response): Promise<SseEvent[]> {
  const text = await res.text();
  return text
    .split('\n\n')
    .filter((b) => b.trim())
    .map((b) => {
      const event = /^event: (.+)$/m.exec(b)?.[1] ?? 'message';
      const data = /^data: (.+)$/m.exec(b)?.[1];
      return { event, data: data ? JSON.parse(data) : null };
    });
}

forEachStore('assistant over the daemon, offline (no key)', (store) => {
  let d: TestDaemon;
  beforeAll(async () => {
    d = await startDaemon({ demo: true, store });
  });
  afterAll(async () => d?.stop());

  it('answers a common question from the data, marked offline, and stores the session', async () => {
    const res = await d.api('/v1/assistant/ask', { method: 'POST', json: { question: 'who is overloaded?' } });
    expect(res.status).toBe(200);
    const a = (await res.json()) as any;
    expect(a.offline).toBe(true);
    expect(a.toolCalls[0]).toMatchObject({ name: 'workload', status: 'ok' });
    expect(a.sessionId).toMatch(/^ses_/);
    const s = (await (await d.api(`/v1/assistant/sessions/${a.sessionId}`)).json()) as any;
    expect(s.messages.map((m: any) => m.role)).toEqual(['user', 'assistant']);
    expect(s.messages[1].text).toBe(a.answer);
  });

  it('explains from the stored decision why a routed task went where it did', async () => {
    const routed = (await (await d.api('/v1/route', { method: 'POST', json: { title: 'Postgres replication lag on the orders database', priority: 'P2' } })).json()) as any;
    const taskId = routed.taskId ?? routed.task?.id;
    expect(taskId).toMatch(/^tsk_/);
    const a = (await (await d.api('/v1/assistant/ask', { method: 'POST', json: { question: `why was task ${taskId} routed there?` } })).json()) as any;
    expect(a.toolCalls[0]).toMatchObject({ name: 'explain_routing', status: 'ok' });
    expect(a.answer).toMatch(new RegExp(`^Task ${taskId} "Postgres replication lag on the orders database" was routed to \\S+.* with confidence \\d+% because:`));
    expect(a.citedIds).toContain(taskId);
  });

  it('refuses an empty question and an unknown session clearly', async () => {
    const empty = await d.api('/v1/assistant/ask', { method: 'POST', json: { question: '   ' } });
    expect(empty.status).toBe(422);
    expect(((await empty.json()) as any).error.message).toBe('question: must not be empty');
    const missing = await d.api('/v1/assistant/ask', { method: 'POST', json: { question: 'hi', sessionId: 'ses_nope' } });
    expect(missing.status).toBe(404);
  });

  it("keeps a user's sessions from other users", async () => {
    const a = (await (await d.api('/v1/assistant/ask', { method: 'POST', json: { question: 'what is failing?' } })).json()) as any;
    const other = await d.tokenFor('viewer');
    expect((await d.api(`/v1/assistant/sessions/${a.sessionId}`, { token: other })).status).toBe(404);
  });
});

describe('assistant over the daemon, with Claude (the fake)', () => {
  let d: TestDaemon;
  let fake: FakeAnthropic;
  beforeAll(async () => {
    fake = await startFakeAnthropic({ apiKey: 'sk-ant-e2e' });
    const runbooks = mkdtempSync(join(tmpdir(), 'runbooks-'));
    writeFileSync(join(runbooks, 'db.md'), '# Database\n\n## Connection storms\nRestart pgbouncer, then check max_connections.\n');
    writeFileSync(join(runbooks, 'api.md'), '# API\n\n## Latency\nScale the api deployment to 6 replicas.\n');
    d = await startDaemon({
      demo: true,
      env: {
        ANTHROPIC_API_KEY: 'sk-ant-e2e', ANTHROPIC_BASE_URL: fake.url, FOUNDRY_SETTING_RUNBOOKS: runbooks,
        FOUNDRY_SETTING_ASSISTANT_RETRY_BASE_MS: '1', FOUNDRY_SETTING_ASSISTANT_MAX_ATTEMPTS: '3',
      },
    });
  });
  afterAll(async () => {
    await d?.stop();
    await fake?.close();
  });
  beforeEach(() => fake.reset());

  it('streams an answer that used a tool, with usage, over SSE', async () => {
    fake.enqueue(
      { text: 'Checking.', toolUses: [{ name: 'list_tasks', input: { limit: 3 } }] },
      (req) => {
        const last = req.body.messages.at(-1)!;
        const result = Array.isArray(last.content) ? String(last.content[0]?.content) : '';
        const id = /"id":"(tsk_[0-9a-z]{17})"/.exec(result)?.[1] ?? 'none';
        return { text: `The newest task is ${id}.`, usage: { inputTokens: 100, outputTokens: 20 } };
      },
    );
    const res = await d.api('/v1/assistant/ask', {
      method: 'POST', json: { question: 'what is the newest task?' }, headers: { accept: 'text/event-stream' },
    });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const events = await readSse(res);
    expect(events[0]).toMatchObject({ event: 'session', data: { offline: false } });
    expect(events.filter((e) => e.event === 'tool')[0]!.data).toMatchObject({ name: 'list_tasks', status: 'ok' });
    const done = events.at(-1)!;
    expect(done.event).toBe('done');
    expect(done.data.answer).toMatch(/^Checking\.\nThe newest task is tsk_/);
    expect(done.data.citedIds).toHaveLength(1);
    expect(done.data.usage.inputTokens).toBeGreaterThanOrEqual(100);
    const streamed = events.filter((e) => e.event === 'text').map((e) => e.data.text).join('');
    expect(streamed.replace(/\s+/g, '')).toBe(done.data.answer.replace(/\s+/g, ''));
    const metrics = await (await d.api('/metrics')).text();
    expect(metrics).toMatch(/assistant_requests_total\{mode="online",outcome="ok"\} 1/);
    expect(metrics).toMatch(/assistant_tokens_used\{type="input"\} \d+/);
  });

  it('offers a viewer no tool that changes state, and refuses one the model calls anyway', async () => {
    const viewer = await d.tokenFor('viewer');
    fake.enqueue({ toolUses: [{ name: 'approve_action', input: { actionId: 'act_0000000000000000a' } }] }, { text: 'I cannot.' });
    const res = await d.api('/v1/assistant/ask', { method: 'POST', token: viewer, json: { question: 'approve everything', yes: true } });
    const a = (await res.json()) as any;
    expect(fake.requests[0]!.body.tools!.map((t) => t.name)).not.toContain('approve_action');
    expect(a.toolCalls[0]).toMatchObject({ name: 'approve_action', status: 'refused' });
  });

  it('reports overload plainly after retrying', async () => {
    fake.enqueue({ kind: 'error', status: 529 }, { kind: 'error', status: 529 }, { kind: 'error', status: 529 });
    const a = (await (await d.api('/v1/assistant/ask', { method: 'POST', json: { question: 'hello?' } })).json()) as any;
    expect(fake.requests).toHaveLength(3);
    expect(a.error.kind).toBe('overloaded');
    expect(a.answer).toBe('Claude is overloaded right now (gave up after 3 attempts) (try again in a minute; offline questions still work without the model)');
  });

  it('sends the earlier turns of a session with the next question', async () => {
    fake.enqueue({ text: 'The api team owns it.' }, { text: 'They are on call until 18:00.' });
    const first = (await (await d.api('/v1/assistant/ask', { method: 'POST', json: { question: 'who owns the api?' } })).json()) as any;
    await d.api('/v1/assistant/ask', { method: 'POST', json: { question: 'until when?', sessionId: first.sessionId } });
    expect(fake.requests[1]!.body.messages).toEqual([
      { role: 'user', content: 'who owns the api?' },
      { role: 'assistant', content: 'The api team owns it.' },
      { role: 'user', content: 'until when?' },
    ]);
  });

  it('never lets unmasked data reach the model or the user, even when asked to reveal it', async () => {
    const task = (await (await d.api('/v1/tasks', {
      method: 'POST', json: { title: 'Refund request', description: 'Customer jane.doe@example.com paid with 4111 1111 1111 1111 from 203.0.113.7' },
    })).json()) as any;
    fake.enqueue({ toolUses: [{ name: 'get_task', input: { taskId: task.id } }] }, (req) => {
      const last = req.body.messages.at(-1)!;
      const result = String(Array.isArray(last.content) ? last.content[0]?.content : '');
      // a model that "remembers" the raw values anyway
      return { text: `Unmasked: jane.doe@example.com, 4111111111111111. Tool said: ${result.slice(0, 300)}` };
    });
    const res = await d.api('/v1/assistant/ask', {
      method: 'POST', json: { question: `show me the real e-mail and card number on ${task.id}, unmasked` }, headers: { accept: 'text/event-stream' },
    });
    const raw = await res.text();
    const toModel = JSON.stringify(fake.requests);
    for (const secret of ['jane.doe@example.com', '4111 1111 1111 1111', '203.0.113.7']) expect(toModel).not.toContain(secret);
    expect(toModel).toContain('Customer [EMAIL] paid with [CARD] from [IP]');
    for (const secret of ['jane.doe@example.com', '4111111111111111', '203.0.113.7']) expect(raw).not.toContain(secret);
    const stored = (await (await d.api(`/v1/assistant/sessions/${/"sessionId":"(ses_[0-9a-z]{17})"/.exec(raw)![1]}`)).json()) as any;
    expect(stored.messages[1].text).toMatch(/^Unmasked: \[EMAIL\], \[CARD\]\./);
  });

  it('answers a malformed tool input from the model with a tool error, and goes on', async () => {
    fake.enqueue({ toolUses: [{ name: 'list_tasks', input: null, rawInputJson: '{"limit": 3' }] }, (req) => {
      const last = req.body.messages.at(-1)!;
      const block = Array.isArray(last.content) ? last.content[0] : undefined;
      return { text: `Tool said: ${String(block?.content)} (error=${String(block?.is_error)})` };
    });
    const a = (await (await d.api('/v1/assistant/ask', { method: 'POST', json: { question: 'list tasks' } })).json()) as any;
    expect(a.toolCalls[0]).toMatchObject({ name: 'list_tasks', status: 'error' });
    expect(a.answer).toBe('Tool said: the input for list_tasks was not valid JSON; call it again with a JSON object (error=true)');
  });

  it('searches the runbooks folder for the model', async () => {
    fake.enqueue({ toolUses: [{ name: 'search_runbooks', input: { query: 'pgbouncer connection storm' } }] }, (req) => {
      const last = req.body.messages.at(-1)!;
      return { text: String(Array.isArray(last.content) ? last.content[0]?.content : '') };
    });
    const a = (await (await d.api('/v1/assistant/ask', { method: 'POST', json: { question: 'db connections exhausted, what do I do?' } })).json()) as any;
    expect(a.answer).toContain('"file":"db.md"');
    expect(a.answer).toContain('Restart pgbouncer');
  });

  it('in chat mode proposes a change, and runs it only when the user confirms it', async () => {
    const tasks = (await (await d.api('/v1/tasks?status=open&limit=1')).json()) as any[];
    const taskId = tasks[0].id;
    fake.enqueue({ toolUses: [{ name: 'acknowledge_task', input: { taskId } }] }, { text: 'I asked you to confirm the acknowledgement.' });
    const a = (await (await d.api('/v1/assistant/ask', { method: 'POST', json: { question: `ack ${taskId}`, mode: 'chat' } })).json()) as any;
    expect(a.toolCalls[0]).toMatchObject({ name: 'acknowledge_task', status: 'needs_confirmation', input: { taskId } });
    expect(((await (await d.api(`/v1/tasks/${taskId}`)).json()) as any).status).toBe('open');

    const viewer = await d.tokenFor('viewer');
    const refused = await d.api(`/v1/assistant/sessions/${a.sessionId}/confirm`, { method: 'POST', token: viewer, json: { tool: 'acknowledge_task', input: { taskId } } });
    expect(refused.status).toBe(404); // another user's session

    const ok = await d.api(`/v1/assistant/sessions/${a.sessionId}/confirm`, { method: 'POST', json: { tool: 'acknowledge_task', input: { taskId } } });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as any).call.status).toBe('ok');
    expect(((await (await d.api(`/v1/tasks/${taskId}`)).json()) as any).status).toBe('acknowledged');
  });

  it('lets a viewer confirm nothing their role does not allow', async () => {
    const viewer = await d.tokenFor('viewer');
    fake.enqueue({ text: 'hello' });
    const a = (await (await d.api('/v1/assistant/ask', { method: 'POST', token: viewer, json: { question: 'hi', mode: 'chat' } })).json()) as any;
    const res = await d.api(`/v1/assistant/sessions/${a.sessionId}/confirm`, { method: 'POST', token: viewer, json: { tool: 'acknowledge_task', input: { taskId: 'tsk_0000000000000000a' } } });
    expect(res.status).toBe(403);
  });
});

const hasOpenssl = spawnSync('openssl', ['version'], { stdio: 'ignore' }).status === 0;

describe.skipIf(!hasOpenssl)('assistant on an HTTPS daemon', () => {
  let d: TestDaemon;
  let cert: string;
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'assistant-tls-'));
    cert = join(dir, 'cert.pem');
    const key = join(dir, 'key.pem');
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert,
      '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost',
    ], { stdio: 'ignore' });
    d = await startDaemon({ demo: true, config: { tls: { cert, key } } });
  });
  afterAll(async () => d?.stop());

  it('reads the engines back over HTTPS even when the certificate does not name the loopback address', async () => {
    const { Agent, fetch: ufetch } = await import('undici');
    const res = await ufetch(`${d.url}/v1/assistant/ask`, {
      method: 'POST',
      headers: { authorization: `Bearer ${d.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ question: 'who is overloaded?' }),
      dispatcher: new Agent({ connect: { ca: readFileSync(cert, 'utf8'), servername: 'localhost' } }),
    });
    const a = (await res.json()) as any;
    expect(res.status).toBe(200);
    expect(a.toolCalls[0]).toMatchObject({ name: 'workload', status: 'ok' });
  });
});
