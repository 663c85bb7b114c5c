import { describe, it, expect } from 'vitest';
import type { Member, Team } from '../model.js';
import type { Llm, LlmRequest, LlmResponse } from '../llm.js';
import type { Classification } from './classifier.js';
import { decide, type DecideInput } from './decide.js';
import { askClaude } from './claude.js';
import { compileRules, parseRule, type RoutableTask } from './rules.js';
import type { Candidate } from './members.js';

const NOW = Date.UTC(2026, 10, 25, 15, 0);
const team = (id: string, name: string): Team => ({ id, orgId: 'o', name, description: null, timezone: 'UTC', workingHours: null, holidays: [], createdAt: 0 });
const teams = [team('t1', 'dba'), team('t2', 'network')];
const member = (id: string, teamId: string, over: Partial<Member> = {}): Member => ({
  id, orgId: 'o', teamId, name: id, email: null, skills: {}, timezone: 'UTC', workingHours: null, capacity: 3,
  calendarUrl: null, onCall: false, active: true, createdAt: 0, ...over,
});
const roster: Record<string, Candidate[]> = {
  t1: [{ member: member('ana', 't1', { skills: { postgres: 4 } }), activeTasks: 1, busy: [], lastAssignedAt: null }, { member: member('ben', 't1'), activeTasks: 0, busy: [], lastAssignedAt: null }],
  t2: [{ member: member('cy', 't2'), activeTasks: 0, busy: [], lastAssignedAt: null }, { member: member('dee', 't2'), activeTasks: 0, busy: [], lastAssignedAt: null }],
};
const task: RoutableTask = { title: 'Postgres replica lag', description: 'db-3 behind', priority: 'P3', tags: {} };
const rule = (json: object, id: string) => ({ ...parseRule(json), id, orgId: 'o', createdAt: 0, updatedAt: 0, createdBy: 't' });

function classification(top: string, p: number): Classification {
  const other = top === 'dba' ? 'network' : 'dba';
  return {
    ranked: [{ team: top, probability: p }, { team: other, probability: 1 - p }],
    confidence: p,
    evidence: [{ id: 'h1', team: top, similarity: 0.8, text: 'old task' }],
    skills: [],
    historySize: 100,
  };
}

function input(over: Partial<DecideInput> = {}): DecideInput {
  return { task, now: NOW, rules: [], classification: null, teams, candidates: (id) => roster[id] ?? [], ...over };
}

describe('decide', () => {
  it('a rule naming a team decides it with confidence 1, and its skills pick the member', () => {
    const rules = compileRules([rule({ name: 'db', conditions: { field: 'title', op: 'matches', value: 'postgres', flags: 'i' }, actions: { team: 'dba', skills: ['postgres'], stop: true } }, 'r1')]);
    const d = decide(input({ rules, classification: classification('network', 0.9) }));
    expect(d).toMatchObject({ team: 'dba', teamId: 't1', assignee: 'ana', confidence: 1, method: 'rules', skills: ['postgres'] });
    expect(d.factors.map((f) => f.kind)).toEqual(['rule', 'member']);
    expect(d.factors[1]!.text).toMatch(/^ana: available now; most room \(2 of 3\); has postgres/);
  });

  it('without a matching rule the classifier decides, with its calibrated confidence and evidence', () => {
    const d = decide(input({ classification: classification('network', 0.83) }));
    expect(d).toMatchObject({ team: 'network', confidence: 0.83, method: 'classifier' });
    expect(d.factors[0]!.text).toBe('history of 100 tasks says network with 83% confidence (then dba 17%); nearest past tasks: h1 (network, 0.80)');
  });

  it('keeps the five nearest past tasks as evidence, however many voted', () => {
    const c = classification('network', 0.83);
    c.evidence = Array.from({ length: 10 }, (_, i) => ({ id: `h${i}`, team: 'network', similarity: 0.9 - i / 100, text: `old task ${i}` }));
    const d = decide(input({ classification: c }));
    expect((d.factors[0]!.data as { evidence: { id: string }[] }).evidence.map((e) => e.id)).toEqual(['h0', 'h1', 'h2', 'h3', 'h4']);
  });

  it('with no history yet, decides by load and says so', () => {
    const d = decide(input());
    expect(d.method).toBe('load');
    expect(d.team).toBe('network'); // 6 open slots against 5
    expect(d.factors.map((f) => f.text)).toContain('no routing history yet: the team is chosen by rules and load');
  });

  it('with no teams at all, decides nothing and says so', () => {
    const d = decide(input({ teams: [] }));
    expect(d).toMatchObject({ team: null, assignee: null, method: 'none', confidence: 0 });
  });

  it('ignores a rule assignee who is not in the decided team and chooses within the team', () => {
    const rules = compileRules([
      rule({ name: 'team', priority: 1, conditions: { all: [] }, actions: { team: 'dba' } }, 'r1'),
      rule({ name: 'who', priority: 2, conditions: { all: [] }, actions: { assignee: 'cy' } }, 'r2'),
    ]);
    const d = decide(input({ rules }));
    expect(d.team).toBe('dba');
    expect(d.assignee).toBe('ben');
    expect(d.factors.map((f) => f.text)).toContain('a rule assigns cy, who is not in team dba; chose within the team instead');
  });

  it('a rule priority makes the task urgent for member choice', () => {
    const rules = compileRules([rule({ name: 'p1', conditions: { all: [] }, actions: { priority: 'P1' } }, 'r1')]);
    expect(decide(input({ rules, classification: classification('dba', 0.9) })).priority).toBe('P1');
  });

  it('takes Claude’s answer when the classifier is unsure', () => {
    const d = decide(input({
      classification: classification('network', 0.4),
      claude: { ok: true, team: 'dba', skills: ['postgres'], priority: 'P2', confidence: 0.9, rationale: 'replication is a database matter', model: 'claude-x' },
    }));
    expect(d).toMatchObject({ team: 'dba', method: 'claude', confidence: 0.9, skills: ['postgres'] });
  });

  it('keeps the offline answer when Claude fails, and says so', () => {
    const d = decide(input({ classification: classification('network', 0.4), claude: { ok: false, reason: 'Claude did not answer within 50 ms' } }));
    expect(d).toMatchObject({ team: 'network', method: 'classifier', confidence: 0.4 });
    expect(d.factors[1]!.text).toBe('confidence below 60%; Claude was asked but Claude did not answer within 50 ms, so the offline answer stands');
  });

  it('does not consult Claude’s answer when the classifier is sure', () => {
    const d = decide(input({ classification: classification('network', 0.9), claude: { ok: true, team: 'dba', skills: [], confidence: 0.9, rationale: '', model: 'm' } }));
    expect(d.team).toBe('network');
  });

  it('honours a team given with the task', () => {
    const d = decide(input({ given: { team: teams[0]! }, classification: classification('network', 0.99) }));
    expect(d).toMatchObject({ team: 'dba', method: 'given', confidence: 1 });
  });
});

function fakeLlm(reply: (req: LlmRequest) => Promise<LlmResponse>): Llm {
  return { model: 'fake', complete: reply };
}
const toolReply = (input: unknown): LlmResponse => ({
  content: [{ type: 'tool_use', id: 't', name: 'route_task', input }], stopReason: 'tool_use', usage: { inputTokens: 1, outputTokens: 1 }, model: 'fake-model',
});

describe('askClaude', () => {
  const t = { title: 'x', description: 'y', priority: 'P3' };

  it('offers a strict tool whose team is one of ours and returns the validated answer', async () => {
    let seen: LlmRequest | undefined;
    const out = await askClaude(fakeLlm(async (req) => {
      seen = req;
      return toolReply({ team: 'dba', skills: [], priority: 'P3', confidence: 0.7, rationale: 'db' });
    }), t, teams, 1000);
    expect(out).toEqual({ ok: true, team: 'dba', skills: [], priority: 'P3', confidence: 0.7, rationale: 'db', model: 'fake-model' });
    expect((seen!.tools![0]!.inputSchema as { properties: { team: { enum: string[] } } }).properties.team.enum).toEqual(['dba', 'network']);
  });

  it('refuses answers outside the schema or the team list', async () => {
    expect(await askClaude(fakeLlm(async () => toolReply({ team: 'dba' })), t, teams, 1000)).toMatchObject({ ok: false, reason: expect.stringMatching(/did not fit the schema/) });
    expect(await askClaude(fakeLlm(async () => toolReply({ team: 'sre', skills: [], priority: 'P3', confidence: 1, rationale: '' })), t, teams, 1000))
      .toMatchObject({ ok: false, reason: 'Claude named team sre, which is not in the list' });
  });

  it('gives up after its time budget, aborting the call', async () => {
    const out = await askClaude(fakeLlm((req) => new Promise((_, reject) => req.signal!.addEventListener('abort', () => reject(new Error('aborted'))))), t, teams, 20);
    expect(out).toEqual({ ok: false, reason: 'Claude did not answer within 20 ms' });
  });

  it('reports an API error as a reason', async () => {
    const out = await askClaude(fakeLlm(async () => { throw new Error('overloaded'); }), t, teams, 1000);
    expect(out).toEqual({ ok: false, reason: 'Claude failed: overloaded' });
  });
});
