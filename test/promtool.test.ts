import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lintCleanExposition, namingProblem } from '../server/http/metrics-lint.js';
import { ROOT, startDaemon, type TestDaemon } from './helpers.js';

const hasPromtool = spawnSync('promtool', ['--version'], { stdio: 'ignore' }).status === 0;
const CONTRACT_NAME = 'compliance_score_gauge';
const SKIP = '(skipped: promtool is not installed; CI installs it with apt-get install -y prometheus)';
if (!hasPromtool) console.warn(`test/promtool.test.ts ${SKIP}`);

function promtool(args: string[], input?: string): { code: number; output: string } {
  const r = spawnSync('promtool', args, { cwd: ROOT, input, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status ?? 1, output: `${r.stdout}${r.stderr}` };
}

describe('metric names', () => {
  it('flags exactly the names Prometheus naming rejects', () => {
    expect(namingProblem('selfhealing_issues_detected', 'counter')).toMatch(/_total/);
    expect(namingProblem('compliance_score_gauge', 'gauge')).toMatch(/type gauge/);
    expect(namingProblem('nodejs_active_handles_total', 'gauge')).toMatch(/_total/);
    expect(namingProblem('routing_decisions_total', 'counter')).toBeNull();
    expect(namingProblem('sla_breach_count', 'gauge')).toMatch(/histogram suffix/);
    expect(namingProblem('compliance_violations_total', 'counter')).toBeNull();
  });
  it('declares such families untyped and leaves their samples and every other family alone', () => {
    const text = [
      '# HELP a_total ok', '# TYPE a_total counter', 'a_total 1',
      '# HELP selfhealing_issues_detected issues', '# TYPE selfhealing_issues_detected counter', 'selfhealing_issues_detected{source="x"} 2',
    ].join('\n');
    expect(lintCleanExposition(text).split('\n')).toEqual([
      '# HELP a_total ok', '# TYPE a_total counter', 'a_total 1',
      '# HELP selfhealing_issues_detected issues', '# TYPE selfhealing_issues_detected untyped', 'selfhealing_issues_detected{source="x"} 2',
    ]);
  });
});

describe(`promtool ${hasPromtool ? '' : SKIP}`, () => {
  it.skipIf(!hasPromtool)('fails an exposition that does not parse (exit 1), so the lint allowance below hides nothing', () => {
    const broken = promtool(['check', 'metrics'], '# TYPE compliance_score_gauge untyped\ncompliance_score_gauge{scope="org" 90\n');
    expect(broken.code).toBe(1);
    const typeOnly = promtool(['check', 'metrics'], '# HELP compliance_score_gauge score\n# TYPE compliance_score_gauge untyped\ncompliance_score_gauge{scope="org"} 90\n');
    expect([0, 3]).toContain(typeOnly.code);
  });

  it.skipIf(!hasPromtool)('accepts docs/alerts.yml (promtool check rules)', () => {
    const r = promtool(['check', 'rules', join('docs', 'alerts.yml')]);
    expect(r.output).toContain('SUCCESS');
    expect(r.code).toBe(0);
  });

  it.skipIf(!hasPromtool)('passes the alert unit tests in docs/alerts.test.yml (promtool test rules)', () => {
    const r = promtool(['test', 'rules', join('docs', 'alerts.test.yml')]);
    expect(r.output).toContain('SUCCESS');
    expect(r.code).toBe(0);
  });

  describe('the daemon\'s /metrics', () => {
    let d: TestDaemon | null = null;
    beforeAll(async () => {
      if (!hasPromtool) return;
      d = await startDaemon({ demo: true });
      // Give the engines' families samples: promtool only judges what it sees.
      const calls: [string, string, unknown?][] = [
        ['POST', '/v1/tasks', { title: 'Database latency on checkout', priority: 'P1' }],
        ['POST', '/v1/route', { title: 'Postgres replica lag', description: 'replica is 5 minutes behind', priority: 'P2' }],
        ['POST', '/v1/metrics', { name: 'api_latency_p99', value: 0.4 }],
        ['POST', '/v1/ask', { question: 'how many open tasks are there?' }],
        ['GET', '/v1/compliance/score'],
        ['GET', '/v1/workload'],
        ['GET', '/v1/nowhere'],
        ['GET', '/v1/tasks'],
      ];
      for (const [method, path, json] of calls) await (await d.api(path, { method, json })).arrayBuffer();
    });
    afterAll(async () => d?.stop());

    it.skipIf(!hasPromtool)('exposes every series docs/alerts.yml and CONTRACT.md name', async () => {
      const text = await (await d!.api('/metrics')).text();
      const families = new Set([...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!));
      const rules = readFileSync(join(ROOT, 'docs', 'alerts.yml'), 'utf8');
      const used = new Set([...rules.matchAll(/\b([a-z_][a-z0-9_]*)(?=\{|\[)/g)].map((m) => m[1]!.replace(/_bucket$/, '')).filter((n) => n !== 'up'));
      const contract = ['routing_decisions_total', 'routing_latency_seconds', 'assistant_requests_total', 'assistant_tokens_used', 'selfhealing_issues_detected',
        'selfhealing_actions_executed', 'compliance_violations_total', 'compliance_score_gauge', 'sla_breach_count'];
      expect(used.size).toBeGreaterThan(8);
      expect([...used, ...contract].filter((n) => !families.has(n))).toEqual([]);
    });

    it.skipIf(!hasPromtool)('passes promtool check metrics (save its lint of the contract name compliance_score_gauge)', async () => {
      const res = await d!.api('/metrics');
      expect(res.status).toBe(200);
      const text = await res.text();
      expect(text).toContain('http_request_duration_seconds_bucket');
      const r = promtool(['check', 'metrics'], text);
      // `promtool check metrics` parses the exposition (a syntax error exits 1) and then runs promlint, a
      // naming-convention linter (findings exit 3). Its MetricTypeInName rule flags a name that contains a
      // type word: in promtool 2.42 (Debian 12) for every family, even one declared untyped; newer promlint
      // skips untyped families, and then this exits 0. CONTRACT.md fixes the name compliance_score_gauge
      // (dashboards and alerts query it), so that one convention finding is accepted and nothing else is:
      // any parse error, any other finding, or this rule on any other name fails the test.
      const findings = r.output.split('\n').filter(Boolean);
      expect(findings.filter((f) => f !== `${CONTRACT_NAME} metric name should not include type 'gauge'`)).toEqual([]);
      expect(r.code === 0 || (r.code === 3 && findings.length === 1), `promtool exited ${r.code}: ${r.output}`).toBe(true);
    });
  });
});
