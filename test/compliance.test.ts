import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, forEachStore, runCli, startDaemon, type TestDaemon } from './helpers.js';

const MIN = 60_000;

forEachStore('compliance through the daemon and the CLI', (kind) => {
  let d: TestDaemon;
  let t = Date.parse('2026-06-01T08:00:00Z'); // a Monday
  const clock = { now: () => t };
  let env: NodeJS.ProcessEnv;
  const cli = (...args: string[]) => runCli(args, { home: d.home, env });
  const file = (name: string, content: unknown): string => {
    const path = join(d.home, name);
    writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
    return path;
  };
  const json = async <T>(path: string, init?: Parameters<TestDaemon['api']>[1]): Promise<T> => {
    const res = await d.api(path, init);
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  const violations = (query = '') => json<{ id: string; ruleName: string; status: string; entityId: string; severity: string }[]>(`/v1/compliance/violations${query}`);

  beforeAll(async () => {
    d = await startDaemon({ store: kind, clock, env: { FOUNDRY_SETTING_COMPLIANCE_SWEEP_INTERVAL: '1h' } });
    env = { FOUNDRY_URL: d.url, FOUNDRY_TOKEN: d.token };
  }, 60_000);
  afterAll(async () => d?.stop());

  it('refuses bad rules with the path of the bad field and exit 2, storing nothing', async () => {
    const bad = await cli('compliance', 'rules', 'add', '--file', file('bad.json', {
      name: 'bad', type: 'field', severity: 'high', conditions: { require: { field: 'owner.name', op: 'exists' } },
    }));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/conditions\.require\.field: unknown field "owner\.name"/);
    const negative = await cli('compliance', 'rules', 'add', '--file', file('neg.yaml', 'name: neg\ntype: field\nseverity: low\ngracePeriod: -1\nconditions: {require: {field: title, op: exists}}\n'));
    expect(negative.code).toBe(2);
    expect(negative.stderr).toMatch(/gracePeriod: grace period cannot be negative/);
    const calendar = await cli('compliance', 'rules', 'add', '--file', file('cal.json', {
      name: 'cal', type: 'sla', severity: 'low', sla: { clock: 'ack', target: '1h', calendar: { timeZone: 'Mars/Olympus' } },
    }));
    expect(calendar.code).toBe(2);
    expect(calendar.stderr).toMatch(/sla\.calendar\.timeZone: unknown time zone/);
    const unknownCalendar = await cli('compliance', 'rules', 'add', '--file', file('cal2.json', {
      name: 'cal2', type: 'sla', severity: 'low', sla: { clock: 'ack', target: '1h', calendar: 'nowhere' },
    }));
    expect(unknownCalendar.code).toBe(2);
    expect(unknownCalendar.stderr).toMatch(/sla\.calendar: unknown calendar "nowhere"/);
    expect(await json<unknown[]>('/v1/compliance/rules')).toEqual([]);
  });

  it('keeps viewers to reading', async () => {
    const viewer = await d.tokenFor('viewer');
    const r = await runCli(['compliance', 'rules', 'add', '--file', file('ok.json', { name: 'x', type: 'expr', severity: 'low', conditions: { require: { field: 'title', op: 'exists' } } })],
      { home: d.home, env: { FOUNDRY_URL: d.url, FOUNDRY_TOKEN: viewer } });
    expect(r.code).toBe(4);
    expect((await runCli(['compliance', 'rules', 'list'], { home: d.home, env: { FOUNDRY_URL: d.url, FOUNDRY_TOKEN: viewer } })).code).toBe(0);
  });

  it('opens an SLA violation when the clock runs out, and resolves it when the task is acknowledged', async () => {
    const add = await cli('compliance', 'rules', 'add', '--file', file('p1-ack.json', {
      name: 'p1-ack-15m', type: 'sla', severity: 'critical', gracePeriod: 0,
      conditions: { appliesTo: { field: 'priority', op: 'eq', value: 'P1' } }, sla: { clock: 'ack', target: '15m', calendar: '24x7' },
    }));
    expect(add.code, add.stderr).toBe(0);
    const task = await json<{ id: string }>('/v1/tasks', { method: 'POST', json: { title: 'payments down', priority: 'P1' } });
    t += 10 * MIN;
    expect((await cli('compliance', 'check', '--fail-on', 'critical')).code).toBe(0);
    t += 10 * MIN;
    const check = await cli('compliance', 'check', '--fail-on', 'high', '--json');
    expect(check.code).toBe(3);
    const report = JSON.parse(check.stdout) as { count: number; violations: { entityId: string; ruleName: string; status: string }[] };
    expect(report.count).toBe(1);
    expect(report.violations[0]).toMatchObject({ entityId: task.id, ruleName: 'p1-ack-15m', status: 'open' });
    expect(check.stderr).toMatch(/1 open violation\(s\) at or above high/);

    await json(`/v1/tasks/${task.id}/ack`, { method: 'POST' });
    await eventually(async () => (await violations('?status=resolved')).some((v) => v.entityId === task.id), 10_000, 'auto-resolve');
    expect((await cli('compliance', 'check', '--fail-on', 'low')).code).toBe(0);
  });

  it('holds a field breach as pending through its grace period, evaluated on the change itself', async () => {
    await cli('compliance', 'rules', 'add', '--file', file('assignee.yaml', [
      'name: p1-has-assignee', 'type: field', 'severity: high', 'gracePeriod: 600',
      'conditions:', '  appliesTo: {field: priority, op: eq, value: P1}', '  require: {field: assignee, op: exists, value: true}', '',
    ].join('\n')));
    const task = await json<{ id: string }>('/v1/tasks', { method: 'POST', json: { title: 'search red', priority: 'P1' } });
    const pending = await eventually(async () => (await violations()).find((v) => v.entityId === task.id && v.ruleName === 'p1-has-assignee'), 10_000, 'pending violation');
    expect(pending.status).toBe('pending');
    t += 11 * MIN;
    await json('/v1/compliance/sweep', { method: 'POST' });
    const open = (await violations()).find((v) => v.id === pending.id)!;
    expect(open.status).toBe('open');

    expect((await cli('compliance', 'violations', 'ack', open.id)).code).toBe(0);
    const again = await cli('compliance', 'violations', 'ack', open.id);
    expect(again.code).toBe(7);
    expect((await cli('compliance', 'violations', 'waive', open.id)).code).toBe(2);
    const waived = await cli('compliance', 'violations', 'waive', open.id, '--reason', 'on-call is assigning', '--expires', '1d', '--json');
    expect(waived.code).toBe(0);
    expect(JSON.parse(waived.stdout)).toMatchObject({ status: 'waived', waiverReason: 'on-call is assigning' });
  });

  it('scores, reports in three formats and replays a draft rule without storing anything', async () => {
    const score = await cli('compliance', 'score', '--json');
    const s = JSON.parse(score.stdout) as { org: { score: number } };
    expect(s.org.score).toBeGreaterThan(0);
    expect(s.org.score).toBeLessThanOrEqual(100);

    const md = await cli('compliance', 'report', '--format', 'md', '--since', '30d');
    expect(md.stdout).toContain('# Compliance report');
    expect(md.stdout).toContain('| p1-ack-15m | critical | 1 |');
    const csv = await cli('compliance', 'report', '--format', 'csv');
    expect(csv.stdout.split('\n')[0]).toBe('id,rule,severity,status,team,entity,message,openedAt,resolvedAt,timeToResolveSeconds,waiverReason,waiverExpiresAt');
    const out = join(d.home, 'report.json');
    expect((await cli('compliance', 'report', '--format', 'json', '--out', out)).code).toBe(0);

    const before = (await violations('?status=all')).length;
    const replay = await cli('compliance', 'rules', 'test', '--file', file('draft.json', {
      name: 'p1-ack-5m', type: 'sla', severity: 'high', conditions: { appliesTo: { field: 'priority', op: 'eq', value: 'P1' } },
      sla: { clock: 'ack', target: '5m', calendar: '24x7' },
    }), '--replay', '--since', '30d', '--json');
    expect(replay.code, replay.stderr).toBe(0);
    const r = JSON.parse(replay.stdout) as { count: number; violations: { entityId: string }[] };
    expect(r.count).toBeGreaterThanOrEqual(2);
    expect((await violations('?status=all')).length).toBe(before);
    expect(await json<{ name: string }[]>('/v1/compliance/rules')).toHaveLength(2);
  });

  it('resolves the violations of a rule that is disabled', async () => {
    await cli('compliance', 'rules', 'disable', 'p1-has-assignee');
    expect((await violations()).filter((v) => v.ruleName === 'p1-has-assignee')).toEqual([]);
    expect((await cli('compliance', 'rules', 'disable', 'p1-has-assignee')).code).toBe(7);
  });

  it('exports the compliance metrics', async () => {
    const res = await d.api('/metrics');
    const text = await res.text();
    expect(text).toMatch(/compliance_violations_total\{severity="critical",rule="p1-ack-15m"\} 1/);
    expect(text).toContain('compliance_score_gauge');
    expect(text).toContain('sla_breach_count');
  });
});

describe('the compliance demo', () => {
  let d: TestDaemon;
  beforeAll(async () => {
    d = await startDaemon({ demo: true });
  }, 60_000);
  afterAll(async () => d?.stop());

  it('ships a rule set and history that produce a handful of violations', async () => {
    const check = await runCli(['compliance', 'check', '--fail-on', 'low', '--json'], { home: d.home, env: { FOUNDRY_URL: d.url, FOUNDRY_TOKEN: d.token } });
    expect(check.code).toBe(3);
    const r = JSON.parse(check.stdout) as { count: number; violations: { ruleName: string }[] };
    expect(r.count).toBeGreaterThanOrEqual(4);
    expect(r.count).toBeLessThanOrEqual(30);
    expect(r.violations.map((v) => v.ruleName)).toContain('p1-ack-15m');
    const report = JSON.parse((await runCli(['compliance', 'report', '--format', 'json'], { home: d.home, env: { FOUNDRY_URL: d.url, FOUNDRY_TOKEN: d.token } })).stdout) as {
      waivers: { reason: string }[]; summary: { resolved: number };
    };
    expect(report.waivers.map((w) => w.reason)).toContain('staging-only password, rotated the same day');
    expect(report.summary.resolved).toBeGreaterThanOrEqual(1);
  });
});
