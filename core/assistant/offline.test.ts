import { describe, expect, it } from 'vitest';
import { demoData, IDS, NOW } from './demo-data.js';
import { answerOffline, offlineHelp } from './offline.js';
import { offeredTools, TOOL_CATALOG, type Perm } from './tools.js';

const viewerCan = (p: Perm): boolean => p[1] === 'read' || (p[0] === 'assistant' && p[1] === 'use');
const ask = (question: string, data = demoData()) =>
  answerOffline({ question, data, tools: offeredTools(TOOL_CATALOG, data, viewerCan), now: NOW });

describe('offline answers', () => {
  it('says who is overloaded, from the workload tool, marked offline', async () => {
    const a = await ask('Who is overloaded right now?');
    expect(a.offline).toBe(true);
    expect(a.answer).toContain('Priya Shah (dba): 140% of capacity, 7 active tasks, burnout risk 81%');
    expect(a.answer).not.toContain('Tom Berg');
    expect(a.toolCalls).toEqual([{ name: 'workload', input: {}, status: 'ok' }]);
  });

  it('lists what needs an approval and cites the action', async () => {
    const a = await ask('what needs my approval?');
    expect(a.answer).toContain(`${IDS.action}: playbook restart-api-on-latency for issue ${IDS.issue}, requested 5m ago`);
    expect(a.citedIds).toContain(IDS.action);
  });

  it('explains why a task was routed where it was', async () => {
    const a = await ask(`why was task ${IDS.task} routed to dba?`);
    expect(a.answer).toContain('was routed to dba (assignee Priya Shah) with confidence 92%');
    expect(a.answer).toContain('rule database-to-dba matched');
    expect(a.citedIds).toEqual([IDS.task]);
  });

  it('says what is failing now', async () => {
    const a = await ask("what's failing now?");
    expect(a.answer).toContain(`${IDS.issue} [high] api_latency_p99 anomaly on api (anomaly, 10m ago)`);
  });

  it('gives the open violations and the score', async () => {
    const a = await ask('open violations and the compliance score?');
    expect(a.answer).toContain('Compliance score: 87.5. Open violations: 1:');
    expect(a.answer).toContain(`${IDS.violation} [critical] p1-ack-15m on ${IDS.task}`);
  });

  it('tells how a team is doing, and when the team does not exist', async () => {
    expect((await ask('how is team dba doing?')).answer).toContain('Team dba: 9 open tasks, 1 members at 140% average utilization');
    expect((await ask('how is team nope doing?')).answer).toBe('team nope not found');
  });

  it('finds the runbook passage for a how-to question', async () => {
    const data = demoData({
      searchRunbooks: async () => [{ id: 'api.md#1', file: 'api.md', heading: 'API › Restarting', text: 'Run systemctl restart api on each node.', score: 2.1 }],
    });
    const a = await ask('how do I restart the api?', data);
    expect(a.answer).toBe('From the runbooks:\n  - API › Restarting (api.md): Run systemctl restart api on each node.');
    expect(a.toolCalls[0]).toMatchObject({ name: 'search_runbooks', input: { query: 'how do I restart the api?', limit: 2 } });
  });

  it('lists what it can answer when it does not understand', async () => {
    const a = await ask('write me a poem about kubernetes');
    expect(a.answer).toBe(offlineHelp());
    expect(a.toolCalls).toEqual([]);
    expect(a.citedIds).toEqual([]);
  });

  it('masks what the data holds before answering', async () => {
    const data = demoData({
      listIssues: async () => [
        { id: IDS.issue, title: 'login failures from 203.0.113.9 for ops@example.com', severity: 'high', status: 'open', source: 'alert', detectedAt: NOW },
      ],
    });
    const a = await ask('what is failing?', data);
    expect(a.answer).toContain('login failures from [IP] for [EMAIL]');
    expect(a.answer).not.toMatch(/203\.0\.113\.9|ops@example/);
  });

  it('answers plainly when the data behind a question is not there (engine missing or role)', async () => {
    const data = demoData();
    delete data.compliance;
    const a = await ask('what is the compliance score?', data);
    expect(a.answer).toBe('compliance_status is not available here: your role does not allow it or its data is not there');
  });
});
