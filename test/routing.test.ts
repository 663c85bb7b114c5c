import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sign } from '../server/routing/webhooks.js';
import { eventually, forEachStore, runCli, startDaemon, type TestDaemon } from './helpers.js';

const FIXTURES = join(import.meta.dirname, 'fixtures', 'routing');
const dir = mkdtempSync(join(tmpdir(), 'foundry-routing-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, content: string): string => {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
};

const DBA = ['postgres replication lag on replica', 'slow query on orders table', 'vacuum not running on postgres', 'deadlock detected in orders database', 'backup job failed for postgres'];
const NET = ['dns resolution failing in eu-west', 'load balancer health check failing', 'packet loss between zones', 'firewall rule blocks vpn', 'bgp session flapping on edge router'];

function historyLines(n: number): string {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const [team, topics] = i % 2 === 0 ? ['dba', DBA] : ['network', NET];
    const t = topics[i % topics.length]!;
    lines.push(JSON.stringify({ title: t, description: `${t} seen by monitoring ${i}`, team, priority: 'P3', createdAt: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString() }));
  }
  return `${lines.join('\n')}\n`;
}

forEachStore('routing through the daemon and the CLI', (kind) => {
  let d: TestDaemon;
  let manager: string;
  let viewer: string;
  const cli = (args: string[], token?: string, input?: string) =>
    runCli(args, { home: d.home, env: { FOUNDRY_URL: d.url, FOUNDRY_TOKEN: token ?? d.token }, input });
  const json = async <T = any>(res: Response): Promise<T> => (await res.json()) as T;

  beforeAll(async () => {
    d = await startDaemon({ store: kind });
    manager = await d.tokenFor('manager');
    viewer = await d.tokenFor('viewer');
    for (const team of ['dba', 'network']) expect((await d.api('/v1/teams', { method: 'POST', json: { name: team, timezone: 'UTC' } })).status).toBe(201);
    const members = [
      { name: 'ana', team: 'dba', skills: { postgres: 5 }, capacity: 3 },
      { name: 'ben', team: 'dba', skills: { mysql: 3 }, capacity: 3 },
      { name: 'cy', team: 'network', skills: { dns: 4 }, capacity: 2 },
    ];
    for (const m of members) expect((await d.api('/v1/members', { method: 'POST', json: m })).status).toBe(201);
  }, 60_000);
  afterAll(async () => {
    await d?.stop();
  });

  describe('with no history yet', () => {
    it('decides by rules and load, and says so', async () => {
      const r = await cli(['route', '--title', 'something odd', '--dry-run', '--json']);
      expect(r.code).toBe(0);
      const dec = JSON.parse(r.stdout);
      expect(dec).toMatchObject({ method: 'load', dryRun: true, taskId: null });
      expect(dec.explanation).toContain('no routing history yet: the team is chosen by rules and load');
    });
  });

  describe('rules', () => {
    const rule = { name: 'database-to-dba', priority: 10, conditions: { all: [{ field: 'title', op: 'matches', value: 'postgres|database', flags: 'i' }] }, actions: { team: 'dba', priority: 'P2', skills: ['postgres'], tags: { area: 'db' }, stop: true } };

    it('a manager adds one from a JSON file; everyone may read', async () => {
      const r = await cli(['rules', 'add', '--file', file('rule.json', JSON.stringify(rule)), '--json'], manager);
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ id: expect.stringMatching(/^rule_/), name: 'database-to-dba', enabled: true });
      const list = await cli(['rules', 'list', '--json'], viewer);
      expect(JSON.parse(list.stdout).map((x: { name: string }) => x.name)).toEqual(['database-to-dba']);
    });

    it('a viewer may not change rules', async () => {
      const r = await cli(['rules', 'disable', 'database-to-dba'], viewer);
      expect(r.code).toBe(4);
    });

    it('accepts YAML', async () => {
      const yaml = 'name: vpn-to-network\npriority: 20\nconditions: {field: text, op: contains, value: vpn, flags: i}\nactions: {team: network}\n';
      const r = await cli(['rules', 'add', '--file', file('rule.yaml', yaml)], manager);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^created rule vpn-to-network \(rule_/);
    });

    const refused: [string, object, RegExp][] = [
      ['an invalid regex', { ...rule, name: 'x', conditions: { any: [{ field: 'title', op: 'matches', value: '(oops' }] } }, /conditions\.any\[0\]\.value: invalid regular expression/],
      ['an unknown operator', { ...rule, name: 'x', conditions: { field: 'title', op: 'like', value: 'x' } }, /conditions\.op: unknown operator "like"/],
      ['an unknown field', { ...rule, name: 'x', conditions: { field: 'titel', op: 'eq', value: 'x' } }, /conditions\.field: unknown field "titel"/],
      ['an unknown team', { ...rule, name: 'x', actions: { team: 'sre' } }, /actions\.team: unknown team sre/],
      ['a member of another team', { ...rule, name: 'x', actions: { team: 'network', assignee: 'ana' } }, /actions\.assignee: ana is not a member of team network/],
    ];
    for (const [what, body, message] of refused) {
      it(`refuses ${what} with the path, exit 2, and stores nothing`, async () => {
        const r = await cli(['rules', 'add', '--file', file('bad.json', JSON.stringify(body))], manager);
        expect(r.code).toBe(2);
        expect(r.stderr).toMatch(message);
        const list = await json<unknown[]>(await d.api('/v1/rules'));
        expect(list).toHaveLength(2);
      });
    }

    it('shows, disables, enables and deletes', async () => {
      const show = await cli(['rules', 'show', 'database-to-dba']);
      expect(show.stdout).toMatch(/when:\s+all of \(title matches \/postgres\|database\/i\)/);
      expect((await cli(['rules', 'disable', 'database-to-dba'], manager)).code).toBe(0);
      expect((await json(await d.api('/v1/rules/database-to-dba'))).enabled).toBe(false);
      expect((await cli(['rules', 'enable', 'database-to-dba'], manager)).code).toBe(0);
      const tmp = await cli(['rules', 'add', '--file', file('tmp.json', JSON.stringify({ ...rule, name: 'temporary' }))], manager);
      expect(tmp.code).toBe(0);
      expect((await cli(['rules', 'delete', 'temporary'], manager)).code).toBe(0);
      expect((await cli(['rules', 'show', 'temporary'])).code).toBe(5);
    });
  });

  describe('history import', () => {
    it('reports a bad line by its number and imports nothing', async () => {
      const bad = `${historyLines(3)}{"title": "no team here"}\n`;
      const r = await cli(['history', 'import', file('bad.jsonl', bad)], manager);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/line 4: team: expected a team name/);
      expect((await json(await d.api('/v1/routing/history'))).size).toBe(0);
    });

    it('loads past tasks, creates unknown teams, and the classifier learns them without a restart', async () => {
      const lines = `${historyLines(200)}${JSON.stringify({ title: 'ios app crash on launch', team: 'mobile' })}\n`;
      const r = await cli(['history', 'import', file('history.jsonl', lines), '--json'], manager);
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual({ imported: 201, teamsCreated: ['mobile'], historySize: 201 });
      expect(r.stderr).toMatch(/read 201 lines/);
      await eventually(async () => (await json(await d.api('/v1/routing/history'))).learned === 201, 20_000, 'the classifier to learn');
      const dec = JSON.parse((await cli(['route', '--title', 'packet loss at the edge router', '--dry-run', '--json'])).stdout);
      expect(dec).toMatchObject({ team: 'network', method: 'classifier', assignee: expect.stringMatching(/^mem_/), assigneeName: 'cy' });
      expect(dec.confidence).toBeGreaterThan(0.5);
      expect(dec.factors[0].data.evidence.length).toBeGreaterThan(0);
    });
  });

  describe('route', () => {
    it('creates the task and the decision together, announces both, and explains in words', async () => {
      const r = await cli(['route', '--title', 'Postgres replica lag', '--description', 'db-3 40s behind', '--explain']);
      expect(r.code).toBe(0);
      const [first, ...why] = r.stdout.trim().split('\n');
      expect(first).toMatch(/^created tsk_\w+, routed to dba \/ ana \(rules, confidence 1\.00, P2\)$/);
      expect(why[0]).toMatch(/rule "database-to-dba" \(priority 10\) matched/);
      expect(why[1]).toMatch(/ana: available now; most room \(3 of 3\); has postgres/);
      const taskId = /created (tsk_\w+)/.exec(first!)![1]!;

      const shown = await cli(['tasks', 'show', taskId]);
      expect(shown.stdout).toMatch(/routed to dba \/ ana with confidence 1\.00/);
      const task = await json(await d.api(`/v1/tasks/${taskId}`));
      expect(task).toMatchObject({ team: 'dba', assignee: 'ana', priority: 'P2', tags: { area: 'db' } });
      const events = await json<{ type: string; subject: string }[]>(await d.api('/v1/events/recent?types=task.created,task.routed&limit=1000'));
      expect(events.filter((e) => e.subject === taskId).map((e) => e.type)).toEqual(['task.created', 'task.routed']);
      const metrics = await (await d.api('/metrics')).text();
      expect(metrics).toMatch(/routing_decisions_total\{method="rules"\} [1-9]/);
      expect(metrics).toMatch(/routing_latency_seconds_count [1-9]/);
    });

    it('a resolved task joins the history the classifier learns from', async () => {
      const before = (await json(await d.api('/v1/routing/history'))).size;
      const created = await json(await d.api('/v1/route', { method: 'POST', json: { title: 'bgp session flapping on edge router 7' } }));
      expect((await d.api(`/v1/tasks/${created.taskId}/resolve`, { method: 'POST' })).status).toBe(200);
      await eventually(async () => (await json(await d.api('/v1/routing/history'))).size === before + 1, 10_000, 'the resolved task to join the history');
      await eventually(async () => (await json(await d.api('/v1/routing/history'))).learned === before + 1, 10_000, 'the classifier to learn it');
    });

    it('--dry-run stores nothing', async () => {
      const before = (await json<unknown[]>(await d.api('/v1/tasks?limit=1000'))).length;
      const r = await cli(['route', '--title', 'postgres is down', '--dry-run']);
      expect(r.stdout).toMatch(/^would route to dba/);
      expect((await json<unknown[]>(await d.api('/v1/tasks?limit=1000'))).length).toBe(before);
    });

    it('routes JSON Lines from a file in order, one NDJSON decision per line', async () => {
      const f = file('tasks.jsonl', [{ title: 'dns failing for api' }, { title: 'vacuum not running on postgres' }, { title: 'firewall blocks vpn' }].map((t) => JSON.stringify(t)).join('\n'));
      const r = await cli(['route', '--file', f, '--dry-run', '--json']);
      expect(r.code).toBe(0);
      const out = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
      expect(out.map((x) => x.team)).toEqual(['network', 'dba', 'network']);
    });

    it('reads tasks from stdin with -', async () => {
      const r = await cli(['route', '-', '--dry-run', '--json'], undefined, '{"title":"deadlock detected in orders database"}');
      expect(JSON.parse(r.stdout).team).toBe('dba');
    });

    it('refuses an empty title clearly and a bad JSON line by its number', async () => {
      const empty = await cli(['route', '--title', '   ']);
      expect(empty.stderr).toMatch(/^error: title: must not be empty/);
      const bad = await cli(['route', '--file', file('bad-tasks.jsonl', '{"title":"a"}\n{oops\n')]);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/line 2: not valid JSON/);
    });

    it('copes with a 1 MB description', async () => {
      const res = await d.api('/v1/route', { method: 'POST', json: { title: 'huge paste', description: 'postgres '.repeat(115_000), dryRun: true } });
      expect(res.status).toBe(200);
      expect((await json(res)).team).toBeTruthy();
    });

    it('refuses an unknown team given with the task, storing nothing', async () => {
      const res = await d.api('/v1/route', { method: 'POST', json: { title: 'x', team: 'nope' } });
      expect(res.status).toBe(422);
      expect((await json(res)).error.message).toMatch(/team: unknown team nope/);
    });
  });

  describe('rules test --replay', () => {
    it('shows which recorded decisions a draft would change, and --fail-on-change exits 3', async () => {
      const draft = { name: 'database-to-dba', priority: 10, conditions: { field: 'title', op: 'matches', value: 'postgres', flags: 'i' }, actions: { team: 'network', stop: true } };
      const f = file('draft.json', JSON.stringify(draft));
      const r = await cli(['rules', 'test', '--file', f, '--replay', '--since', '30d', '--json']);
      expect(r.code).toBe(0);
      const report = JSON.parse(r.stdout);
      expect(report.changed).toBeGreaterThan(0);
      expect(report.changes[0]).toMatchObject({ before: { team: 'dba' }, after: { team: 'network' }, fields: expect.arrayContaining(['team']) });
      const ci = await cli(['rules', 'test', '--file', f, '--replay', '--fail-on-change']);
      expect(ci.code).toBe(3);
      expect(ci.stdout).toMatch(/\d+ of \d+ recorded tasks would be routed differently/);
      const rule = await json(await d.api('/v1/rules/database-to-dba'));
      expect(rule.actions.team).toBe('dba');
    });
  });

  describe('webhooks', () => {
    const github = readFileSync(join(FIXTURES, 'github-issues-opened.json'));
    const jira = readFileSync(join(FIXTURES, 'jira-issue-created.json'));
    const post = (source: string, body: Buffer | string, headers: Record<string, string>) =>
      fetch(`${d.url}/v1/integrations/webhook/${source}`, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });

    beforeAll(async () => {
      expect((await d.api('/v1/integrations/webhooks/gh', { method: 'PUT', json: { kind: 'github', secret: 'gh-secret-123' }, token: manager })).status).toBe(200);
      expect((await d.api('/v1/integrations/webhooks/jira', { method: 'PUT', json: { kind: 'jira', secret: 'jira-secret-1' }, token: manager })).status).toBe(200);
      const mapping = { title: 'alert.summary', description: 'alert.details', priority: 'alert.severity', priorityMap: { critical: 'P1' }, tags: { host: 'alert.host' } };
      expect((await d.api('/v1/integrations/webhooks/pager', { method: 'PUT', json: { kind: 'generic', secret: 'pager-secret', mapping }, token: manager })).status).toBe(200);
    });

    it('keeps the secret sealed at rest and never shows it', async () => {
      expect((await d.daemon.store.routing.getWebhook('gh'))!.secret).toMatch(/^enc:v1:/);
      const listed = await (await d.api('/v1/integrations/webhooks', { token: manager })).text();
      expect(listed).not.toMatch(/gh-secret-123|enc:v1/);
    });

    it('a bad signature is a 401 and stores nothing', async () => {
      const before = (await json<unknown[]>(await d.api('/v1/tasks?limit=1000'))).length;
      const res = await post('gh', github, { 'x-github-event': 'issues', 'x-hub-signature-256': sign('wrong-secret', github) });
      expect(res.status).toBe(401);
      const missing = await post('gh', github, { 'x-github-event': 'issues' });
      expect(missing.status).toBe(401);
      expect((await json<unknown[]>(await d.api('/v1/tasks?limit=1000'))).length).toBe(before);
    });

    it('routes a GitHub "issues opened" event like any other task', async () => {
      const res = await post('gh', github, { 'x-github-event': 'issues', 'x-hub-signature-256': sign('gh-secret-123', github) });
      expect(res.status).toBe(201);
      const body = await json(res);
      expect(body).toMatchObject({ routed: true, team: 'dba', priority: 'P2', taskId: expect.stringMatching(/^tsk_/) });
      const task = await json(await d.api(`/v1/tasks/${body.taskId}`));
      expect(task).toMatchObject({ source: 'webhook:github', tags: { repo: 'acme/shop', issue: 'acme/shop#1347', labels: 'bug,P2' } });
    });

    it('acknowledges other GitHub events without routing them', async () => {
      const closed = Buffer.from(JSON.stringify({ ...JSON.parse(github.toString()), action: 'closed' }));
      const res = await post('gh', closed, { 'x-github-event': 'issues', 'x-hub-signature-256': sign('gh-secret-123', closed) });
      expect(res.status).toBe(202);
      expect(await json(res)).toEqual({ routed: false, reason: 'issue closed is not routed' });
    });

    it('routes a Jira issue_created webhook, reading its document-format description', async () => {
      const res = await post('jira', jira, { 'x-hub-signature': sign('jira-secret-1', jira) });
      expect(res.status).toBe(201);
      const body = await json(res);
      expect(body).toMatchObject({ team: 'network', priority: 'P1' });
      const task = await json(await d.api(`/v1/tasks/${body.taskId}`));
      expect(task.description).toMatch(/Resolvers in eu-west return SERVFAIL for api.acme.com since 14:50/);
      expect(task.tags).toMatchObject({ issue: 'OPS-412', project: 'OPS', components: 'Edge' });
    });

    it('maps a generic payload through its configured fields', async () => {
      const payload = JSON.stringify({ alert: { summary: 'BGP session flapping', details: 'edge-2', severity: 'critical', host: 'edge-2' } });
      const res = await post('pager', payload, { 'x-foundry-signature': sign('pager-secret', payload) });
      expect(res.status).toBe(201);
      const body = await json(res);
      expect(body).toMatchObject({ priority: 'P1', tags: {} });
      expect((await json(await d.api(`/v1/tasks/${body.taskId}`))).tags).toEqual({ host: 'edge-2' });
    });

    it('an unknown source is a 404', async () => {
      expect((await post('nope', '{}', {})).status).toBe(404);
    });
  });
});
