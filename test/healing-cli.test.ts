import { afterAll, beforeAll, describe, it, expect } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually, runCli, startDaemon, type TestDaemon } from './helpers.js';
import { systemActor } from '../core/model.js';
import { openIssue } from '../core/healing/issues.js';

/** Playbooks and actions through the real binary against a real daemon: what an operator sees. */

let d: TestDaemon;
let slack: Server;
const slackMessages: Array<{ text: string }> = [];
const dir = mkdtempSync(join(tmpdir(), 'foundry-pb-'));
let env: (token?: string) => NodeJS.ProcessEnv;
let manager: string;
let operator: string;
let viewer: string;

function file(name: string, text: string): string {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
}

const cli = (args: string[], token?: string) => runCli(args, { env: env(token) });
const json = <T>(stdout: string): T => JSON.parse(stdout) as T;

beforeAll(async () => {
  slack = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      slackMessages.push(JSON.parse(body) as { text: string });
      res.end('ok');
    });
  });
  await new Promise<void>((r) => slack.listen(0, '127.0.0.1', r));
  const webhook = `http://127.0.0.1:${(slack.address() as AddressInfo).port}/hook`;
  d = await startDaemon({ config: { settings: { slack_webhook: webhook } } });
  env = (token) => ({ FOUNDRY_URL: d.url, FOUNDRY_TOKEN: token ?? d.token });
  manager = await d.tokenFor('manager', 'bob');
  operator = await d.tokenFor('operator', 'olga');
  viewer = await d.tokenFor('viewer', 'vic');
});

afterAll(async () => {
  await d?.stop();
  await new Promise((r) => slack?.close(r));
});

async function settled(id: string, until = (s: string) => ['succeeded', 'failed', 'rolled_back', 'rejected', 'expired'].includes(s)) {
  return eventually(async () => {
    const a = json<{ status: string; error: string | null; steps: Array<{ stepId: string; status: string; error: string | null; output: Record<string, unknown> }> }>(
      (await cli(['healing', 'actions', 'show', id, '--json'])).stdout,
    );
    return until(a.status) ? a : undefined;
  }, 15_000, `action ${id}`);
}

describe('healing playbooks on the command line', () => {
  it('refuses a bad playbook whole, naming every bad field, with exit 2', async () => {
    const bad = file('bad.yaml', 'name: bad\nsteps:\n  - {id: a, type: shell, cmd: "rm -rf /"}\n  - {id: b, type: exec}\n  - {id: c, type: exec, argv: [echo, "{{issue.labels.x"]}\n');
    const r = await cli(['healing', 'playbooks', 'add', '--file', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('steps[0].type: unknown step type "shell"');
    expect(r.stderr).toContain('steps[1].argv');
    expect(r.stderr).toContain('steps[2].argv[1]: bad template');
    expect(json<unknown[]>((await cli(['healing', 'playbooks', 'list', '--json'])).stdout)).toEqual([]);
  });

  it('refuses a cycle between steps', async () => {
    const cyc = file('cycle.yaml', 'name: cyc\nsteps:\n  - {id: a, type: exec, argv: [echo, "{{steps.b.stdout}}"]}\n  - {id: b, type: exec, argv: [echo, "{{steps.a.stdout}}"]}\n');
    const r = await cli(['healing', 'playbooks', 'add', '--file', cyc]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('cycle');
  });

  it('adds, lists and shows a playbook; only admins may add', async () => {
    const f = file('hello.yaml', 'name: hello\ncooldown: 0\nsteps:\n  - {id: say, type: exec, argv: [echo, "hello from {{playbook.name}}"]}\n');
    expect((await cli(['healing', 'playbooks', 'add', '--file', f], manager)).code).toBe(4);
    const added = await cli(['healing', 'playbooks', 'add', '--file', f, '--json']);
    expect(added.code, added.stderr).toBe(0);
    expect(json<{ id: string; name: string }>(added.stdout)).toMatchObject({ name: 'hello', id: expect.stringMatching(/^pbk_/) });
    const list = await cli(['healing', 'playbooks', 'list'], viewer);
    expect(list.stdout).toContain('hello');
    const show = await cli(['healing', 'playbooks', 'show', 'hello']);
    expect(show.stdout).toContain('say:exec');
  });

  it('prints the rendered plan for --dry-run and starts nothing', async () => {
    const r = await cli(['healing', 'playbooks', 'run', 'hello', '--dry-run'], manager);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('run echo "hello from hello"');
    expect(r.stdout).toContain('nothing was changed');
    expect(json<unknown[]>((await cli(['healing', 'actions', 'list', '--json'])).stdout)).toEqual([]);
  });

  it('runs a playbook for a manager, records each step with its output, and counts it on /metrics', async () => {
    expect((await cli(['healing', 'playbooks', 'run', 'hello'], operator)).code).toBe(4);
    const r = await cli(['healing', 'playbooks', 'run', 'hello', '--json'], manager);
    expect(r.code, r.stderr).toBe(0);
    const a = json<{ id: string; status: string }>(r.stdout);
    expect(a).toMatchObject({ id: expect.stringMatching(/^act_/), status: 'pending' });
    const done = await settled(a.id);
    expect(done.status).toBe('succeeded');
    expect(done.steps[0]!.output.stdout).toBe('hello from hello\n');
    const metrics = await (await d.api("/metrics")).text();
    expect(metrics).toMatch(/selfhealing_actions_executed\{status="succeeded"\} 1/);
    expect(metrics).toMatch(/selfhealing_actions_success_ratio 1/);
  });

  it('kills a step that hangs at its timeout and fails the action', async () => {
    const f = file('hang.yaml', `name: hang\nsteps:\n  - {id: stuck, type: exec, argv: [${JSON.stringify(process.execPath)}, -e, "setInterval(() => {}, 1000)"], timeout: 300ms}\n`);
    expect((await cli(['healing', 'playbooks', 'add', '--file', f])).code).toBe(0);
    const a = json<{ id: string }>((await cli(['healing', 'playbooks', 'run', 'hang', '--json'], manager)).stdout);
    const done = await settled(a.id);
    expect(done).toMatchObject({ status: 'failed' });
    expect(done.steps[0]).toMatchObject({ status: 'failed', error: 'timed out after 300ms and was killed' });
  });

  it('holds a gated action until a different manager approves it, with the exit codes of CONTRACT.md', async () => {
    const f = file('gated.yaml', 'name: gated\ncooldown: 0\nsteps:\n  - {id: ok, type: approve, timeout: 15m}\n  - {id: go, type: exec, argv: [echo, approved]}\n');
    expect((await cli(['healing', 'playbooks', 'add', '--file', f])).code).toBe(0);
    const a = json<{ id: string }>((await cli(['healing', 'playbooks', 'run', 'gated', '--json'], manager)).stdout);
    await settled(a.id, (s) => s === 'awaiting_approval');
    const self = await cli(['healing', 'actions', 'approve', a.id], manager);
    expect(self.code).toBe(4);
    expect(self.stderr).toContain('cannot approve');
    expect((await cli(['healing', 'actions', 'approve', a.id], operator)).code).toBe(4);
    const ok = await cli(['healing', 'actions', 'approve', a.id]);
    expect(ok.code, ok.stderr).toBe(0);
    expect((await settled(a.id)).status).toBe('succeeded');
    expect((await cli(['healing', 'actions', 'approve', a.id])).code).toBe(7);
    const listed = await cli(['healing', 'actions', 'list', '--status', 'succeeded', '--json']);
    expect(json<Array<{ id: string }>>(listed.stdout).map((x) => x.id)).toContain(a.id);
  });

  it('ends an action rejected with its reason', async () => {
    const a = json<{ id: string }>((await cli(['healing', 'playbooks', 'run', 'gated', '--json'], manager)).stdout);
    await settled(a.id, (s) => s === 'awaiting_approval');
    const r = await cli(['healing', 'actions', 'reject', a.id, '--reason', 'change freeze', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(json<{ status: string; error: string }>(r.stdout)).toMatchObject({ status: 'rejected', error: 'rejected by admin: change freeze' });
  });

  it('rolls back with a Slack message when verification fails', async () => {
    const f = file('verify.yaml', [
      'name: verify-or-tell',
      'cooldown: 0',
      'steps:',
      '  - {id: fix, type: exec, argv: [echo, fixing]}',
      '  - {id: check, type: verify, metric: api_latency_p99, condition: {op: lt, value: 0.5}, within: 200ms, interval: 100ms}',
      'rollback:',
      '  - {id: tell, type: notify, channel: slack, text: "{{playbook.name}} on {{target}} did not help: {{steps.check.error}}"}',
    ].join('\n'));
    expect((await cli(['healing', 'playbooks', 'add', '--file', f])).code).toBe(0);
    const a = json<{ id: string }>((await cli(['healing', 'playbooks', 'run', 'verify-or-tell', '--json'], manager)).stdout);
    const done = await settled(a.id);
    expect(done.status).toBe('rolled_back');
    expect(done.steps.map((s) => [s.stepId, s.status])).toEqual([['fix', 'succeeded'], ['check', 'failed'], ['tell', 'succeeded']]);
    expect(slackMessages.at(-1)?.text).toMatch(/^verify-or-tell on playbook:verify-or-tell did not help: /);
  });
});

describe('verification against pushed metrics', () => {
  it('passes once a value observed after the step began satisfies the condition', async () => {
    const f = file('verify-ok.yaml', [
      'name: verify-ok',
      'cooldown: 0',
      'steps:',
      '  - {id: check, type: verify, metric: api_latency_p99, labels: {service: api}, condition: {op: lt, value: 0.5}, within: 20s, interval: 100ms}',
    ].join('\n'));
    expect((await cli(['healing', 'playbooks', 'add', '--file', f])).code).toBe(0);
    const orgId = d.init.orgId;
    // An old good value must not count: it was seen before the remedy.
    await d.daemon.store.metrics.insertPoints(orgId, [{ name: 'api_latency_p99', value: 0.1, at: Date.now() - 60_000, tags: { service: 'api' } }]);
    const a = json<{ id: string }>((await cli(['healing', 'playbooks', 'run', 'verify-ok', '--json'], manager)).stdout);
    await settled(a.id, (s) => s === 'running');
    await d.daemon.store.metrics.insertPoints(orgId, [{ name: 'api_latency_p99', value: 0.2, at: Date.now(), tags: { service: 'web' } }]);
    await d.daemon.store.metrics.insertPoints(orgId, [{ name: 'api_latency_p99', value: 0.3, at: Date.now(), tags: { service: 'api' } }]);
    const done = await settled(a.id);
    expect(done.status).toBe('succeeded');
    expect(done.steps[0]!.output).toMatchObject({ value: 0.3 });
  });
});

describe('auto-healing', () => {
  it('starts a matching playbook when an issue is detected', async () => {
    const f = file('auto.yaml', 'name: auto\ntrigger: {source: alert, labels: {service: web}}\ncooldown: 0\nsteps:\n  - {id: go, type: exec, argv: [echo, "{{issue.labels.service}}"]}\n');
    expect((await cli(['healing', 'playbooks', 'add', '--file', f])).code).toBe(0);
    const issue = openIssue('iss_web1', d.init.orgId, { source: 'alert', severity: 'high', title: 'web down', labels: { service: 'web' }, at: Date.now() });
    await d.daemon.ctx.commit(systemActor(d.init.orgId, 'healing'), async () => ({ value: undefined, events: [{ type: 'issue.detected', subject: issue.id, data: { issue } }] }));
    const started = await eventually(async () => json<Array<{ id: string; issueId: string; trigger: string }>>((await cli(['healing', 'actions', 'list', '--json'])).stdout).find((x) => x.issueId === issue.id));
    expect(started.trigger).toBe('auto');
    expect((await settled(started.id)).steps[0]!.output.stdout).toBe('web\n');
  });
});

describe('values from outside', () => {
  it('reach a program as one argument each and never a shell', async () => {
    const f = file('inject.yaml', 'name: inject\ntrigger: {source: alert, labels: {alertname: Inject}}\ncooldown: 0\nsteps:\n  - {id: say, type: exec, argv: [echo, "{{issue.labels.service}}", "{{issue.labels.host}}"]}\n');
    expect((await cli(['healing', 'playbooks', 'add', '--file', f])).code).toBe(0);
    const pwned = join(dir, 'pwned');
    const service = `api; touch ${pwned}; $(touch ${pwned}) \`touch ${pwned}\``;
    const issue = openIssue('iss_inject', d.init.orgId, { source: 'alert', severity: 'high', title: 'x', labels: { alertname: 'Inject', service, host: 'a b' }, at: Date.now() });
    await d.daemon.ctx.commit(systemActor(d.init.orgId, 'healing'), async () => ({ value: undefined, events: [{ type: 'issue.detected', subject: issue.id, data: { issue } }] }));
    const started = await eventually(async () => json<Array<{ id: string; issueId: string }>>((await cli(['healing', 'actions', 'list', '--json'])).stdout).find((x) => x.issueId === issue.id));
    const done = await settled(started.id);
    expect(done.status).toBe('succeeded');
    expect(done.steps[0]!.output.stdout).toBe(`${service} a b\n`);
    expect(existsSync(pwned)).toBe(false);
  });

  it('cannot turn into an option of the program', async () => {
    const issue = openIssue('iss_option', d.init.orgId, { source: 'alert', severity: 'high', title: 'x', labels: { alertname: 'Inject', service: '--version', host: 'h' }, at: Date.now() });
    await d.daemon.ctx.commit(systemActor(d.init.orgId, 'healing'), async () => ({ value: undefined, events: [{ type: 'issue.detected', subject: issue.id, data: { issue } }] }));
    const started = await eventually(async () => json<Array<{ id: string; issueId: string }>>((await cli(['healing', 'actions', 'list', '--json'])).stdout).find((x) => x.issueId === issue.id));
    const done = await settled(started.id);
    expect(done.status).toBe('failed');
    expect(done.steps[0]!.error).toMatch(/starts with "-" and would be read as an option/);
  });
});

describe('with ENABLE_AUTO_HEALING off', () => {
  it('starts nothing from a detected issue; a person can still run the playbook', async () => {
    const off = await startDaemon({ env: { ENABLE_AUTO_HEALING: 'false' } });
    try {
      const envOff = { FOUNDRY_URL: off.url, FOUNDRY_TOKEN: off.token };
      const f = file('auto-off.yaml', 'name: auto\ntrigger: {source: alert}\ncooldown: 0\nsteps:\n  - {id: go, type: exec, argv: [echo, hi]}\n');
      expect((await runCli(['healing', 'playbooks', 'add', '--file', f], { env: envOff })).code).toBe(0);
      const issue = openIssue('iss_off', off.init.orgId, { source: 'alert', severity: 'high', title: 'x', labels: { service: 'web' }, at: Date.now() });
      await off.daemon.ctx.commit(systemActor(off.init.orgId, 'healing'), async () => ({ value: undefined, events: [{ type: 'issue.detected', subject: issue.id, data: { issue } }] }));
      // The manual run below goes through the same queue: once it has finished, the event has long been handled.
      const run = await runCli(['healing', 'playbooks', 'run', 'auto', '--wait', '--json'], { env: envOff });
      expect(json<{ status: string; trigger: string }>(run.stdout)).toMatchObject({ status: 'succeeded', trigger: 'manual' });
      const all = json<Array<{ trigger: string }>>((await runCli(['healing', 'actions', 'list', '--json'], { env: envOff })).stdout);
      expect(all.map((x) => x.trigger)).toEqual(['manual']);
    } finally {
      await off.stop();
    }
  });
});
