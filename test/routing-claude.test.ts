import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeAnthropic, type FakeAnthropic } from '../fixtures/fake-anthropic/index.js';
import { eventually, startDaemon, type TestDaemon } from './helpers.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const answer = (input: unknown) => ({ toolUses: [{ name: 'route_task', input }], stopReason: 'tool_use' as const });

describe('routing asks Claude when the offline classifier is unsure (fake Anthropic API)', () => {
  let fake: FakeAnthropic;
  let d: TestDaemon;
  const route = async (title: string) => {
    const res = await d.api('/v1/route', { method: 'POST', json: { title, dryRun: true } });
    expect(res.status).toBe(200);
    return (await res.json()) as { team: string; method: string; confidence: number; skills: string[]; explanation: string[] };
  };

  beforeAll(async () => {
    fake = await startFakeAnthropic({ apiKey: 'test-key' });
    d = await startDaemon({
      config: {
        anthropic: { apiKey: 'test-key', baseUrl: fake.url, model: 'claude-test' },
        // every classification counts as unsure, so each decision consults the model
        settings: { routing_min_confidence: '0.999', routing_claude_budget_ms: '400' },
      },
    });
    for (const name of ['dba', 'network']) await d.api('/v1/teams', { method: 'POST', json: { name } });
    const items = Array.from({ length: 40 }, (_, i) => (i % 2
      ? { title: `dns lookup failing ${i}`, team: 'network' }
      : { title: `postgres vacuum stuck ${i}`, team: 'dba' }));
    expect((await d.api('/v1/routing/history', { method: 'POST', json: { items } })).status).toBe(201);
    await eventually(async () => ((await (await d.api('/v1/routing/history')).json()) as { learned: number }).learned === 40, 20_000, 'training');
  }, 60_000);
  afterAll(async () => {
    await d?.stop();
    await fake?.close();
  });

  it('sends a strict route_task tool and takes the validated answer', async () => {
    fake.reset();
    fake.enqueue(answer({ team: 'dba', skills: ['postgres'], priority: 'P2', confidence: 0.82, rationale: 'replication belongs to the database team' }));
    const dec = await route('replica lag on the orders cluster');
    expect(dec).toMatchObject({ team: 'dba', method: 'claude', confidence: 0.82, skills: ['postgres'] });
    expect(dec.explanation.join('\n')).toMatch(/Claude \(claude-test\) was asked: dba with 82% confidence — replication belongs to the database team/);
    // The call went out through the outbound layer, carrying the route request's trace on.
    expect(fake.requests[0]!.headers['traceparent']).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
    const sent = fake.requests[0]!.body;
    expect(sent.tools![0]!.name).toBe('route_task');
    expect(sent.tools![0]!.input_schema).toMatchObject({ properties: { team: { enum: ['dba', 'network'] } }, additionalProperties: false });
  });

  it('keeps the offline answer when Claude does not answer within the budget, and says so', async () => {
    fake.reset();
    fake.enqueue(async () => {
      await sleep(1_500);
      return answer({ team: 'network', skills: [], priority: 'P3', confidence: 0.9, rationale: 'late' });
    });
    const dec = await route('postgres vacuum stuck again');
    expect(dec).toMatchObject({ team: 'dba', method: 'classifier' });
    expect(dec.explanation.join('\n')).toMatch(/Claude was asked but Claude did not answer within 400 ms, so the offline answer stands/);
  });

  it('keeps the offline answer on an API error or an answer outside the schema', async () => {
    fake.reset();
    fake.enqueue({ kind: 'error', status: 500, message: 'boom' });
    const failed = await route('dns lookup failing everywhere');
    expect(failed).toMatchObject({ team: 'network', method: 'classifier' });
    expect(failed.explanation.join('\n')).toMatch(/Claude was asked but Claude failed/);

    fake.enqueue(answer({ team: 'sre', skills: [], priority: 'P3', confidence: 0.9, rationale: 'x' }));
    const invented = await route('dns lookup failing everywhere');
    expect(invented.method).toBe('classifier');
    expect(invented.explanation.join('\n')).toMatch(/did not fit the schema|not in the list/);
  });
});
