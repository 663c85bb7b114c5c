import { spawn } from 'node:child_process';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeAnthropic, type FakeAnthropic } from '../fixtures/fake-anthropic/index.js';
import { BIN, eventually, runCli, startDaemon, type TestDaemon } from './helpers.js';

describe('foundry-op ask and chat, offline', () => {
  let d: TestDaemon;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    d = await startDaemon({ demo: true });
    env = { FOUNDRY_URL: d.url, FOUNDRY_TOKEN: d.token };
  });
  afterAll(async () => d?.stop());

  it('answers a common question, marked offline, with the tools it used', async () => {
    const r = await runCli(['ask', 'who is overloaded?'], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/offline answer · tools: workload/);
  });

  it('--json prints one document with the answer and its work', async () => {
    const r = await runCli(['ask', '--json', 'what is failing now?'], { env });
    expect(r.code).toBe(0);
    const a = JSON.parse(r.stdout);
    expect(a).toMatchObject({ offline: true, usage: { inputTokens: 0, outputTokens: 0 } });
    expect(a.toolCalls[0].name).toBe('list_issues');
    expect(Array.isArray(a.citedIds)).toBe(true);
  });

  it('lists what offline mode can answer for anything else', async () => {
    const r = await runCli(['ask', 'write a haiku'], { env });
    expect(r.stdout).toContain('Offline mode (no ANTHROPIC_API_KEY) answers these questions');
  });

  it('refuses an empty question with a usage error', async () => {
    const r = await runCli(['ask', '  '], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error: the question is empty');
  });

  it('chat keeps a session, answers /session and /help, and resumes with --session', async () => {
    const r = await runCli(['chat'], { env, input: 'who is overloaded?\n/session\n/help\n/exit\n' });
    expect(r.code).toBe(0);
    const id = /(ses_[0-9a-z]{17})\t2 messages/.exec(r.stdout)?.[1];
    expect(id).toBeDefined();
    expect(r.stdout).toContain('/new');
    const again = await runCli(['chat', '--session', id!], { env, input: 'what needs my approval?\n/session\n' });
    expect(again.code).toBe(0);
    expect(again.stderr).toContain(`resuming session ${id}`);
    expect(again.stdout).toContain(`${id}\t4 messages`);
  });

  it('chat --list shows your sessions, newest first', async () => {
    await runCli(['ask', 'what is failing now?'], { env });
    const r = await runCli(['chat', '--list', '--json'], { env });
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout);
    expect(rows[0]).toMatchObject({ id: expect.stringMatching(/^ses_/), title: 'what is failing now?' });
  });

  it('chat --session with an unknown id says so', async () => {
    const r = await runCli(['chat', '--session', 'ses_doesnotexist00000'], { env });
    expect(r.code).toBe(5);
    expect(r.stderr).toContain('session ses_doesnotexist00000 not found');
  });
});

describe('foundry-op ask with Claude (the fake)', () => {
  let d: TestDaemon;
  let fake: FakeAnthropic;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    fake = await startFakeAnthropic({ apiKey: 'sk-ant-cli' });
    d = await startDaemon({
      demo: true,
      env: { ANTHROPIC_API_KEY: 'sk-ant-cli', ANTHROPIC_BASE_URL: fake.url, FOUNDRY_SETTING_ASSISTANT_RETRY_BASE_MS: '1' },
    });
    env = { FOUNDRY_URL: d.url, FOUNDRY_TOKEN: d.token };
  });
  afterAll(async () => {
    await d?.stop();
    await fake?.close();
  });
  beforeEach(() => fake.reset());

  it('streams the answer and masks what must not be shown', async () => {
    fake.enqueue({ text: 'Mail the owner at jane.doe@example.com about it.' });
    const r = await runCli(['ask', 'who owns the api?'], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Mail the owner at [EMAIL] about it.');
    expect(r.stdout).not.toContain('jane.doe');
  });

  it('does not run a change without --yes, and says how', async () => {
    fake.enqueue({ toolUses: [{ name: 'acknowledge_task', input: { taskId: 'tsk_0000000000000000a' } }] }, { text: 'I need your go-ahead.' });
    const r = await runCli(['ask', '--json', 'ack that task'], { env });
    const a = JSON.parse(r.stdout);
    expect(a.toolCalls[0]).toMatchObject({ name: 'acknowledge_task', status: 'refused' });
    expect(a.toolCalls[0].error).toContain('--yes');
  });

  it('reports a rate limit plainly after retries, exit 1', async () => {
    fake.setFallback({ kind: 'error', status: 429, retryAfterMs: 1 });
    try {
      const r = await runCli(['ask', 'anything'], { env });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('error: Claude is rate limiting requests (gave up after 4 attempts)');
      expect(r.stderr).toContain('Claude is rate limited; trying again in 1s (attempt 2)…');
    } finally {
      fake.setFallback({ text: 'ok' });
    }
  });

  it('chat: Ctrl-C stops the answer being streamed, not the REPL, and the partial answer is kept', async () => {
    fake.enqueue({ text: 'word '.repeat(400), delayMs: 20 });
    const child = spawn(process.execPath, [BIN, 'chat'], { env: { ...process.env, ...env, NO_COLOR: '1' }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const exited = new Promise<number>((r) => child.on('close', (code) => r(code ?? 1)));
    child.stdin.write('tell me everything\n');
    await eventually(() => stdout.includes('word word'), 20_000, 'streamed text');
    child.kill('SIGINT');
    await eventually(() => stdout.includes('(stopped)'), 10_000, 'stopped mark');
    child.stdin.end('/exit\n');
    expect(await exited).toBe(0);
    expect(stdout.match(/word/g)!.length).toBeLessThan(400);
    const sessionId = /session (ses_[0-9a-z]{17})/.exec(stderr)?.[1];
    expect(sessionId).toBeDefined();
    const last = await eventually(async () => {
      const s = (await (await d.api(`/v1/assistant/sessions/${sessionId}`)).json()) as any;
      return s.messages?.length === 2 ? s.messages[1] : null;
    }, 10_000, 'stored answer');
    expect(last.stopped).toBe('aborted');
  });
});
