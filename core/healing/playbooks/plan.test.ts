import { describe, it, expect } from 'vitest';
import { openIssue } from '../issues.js';
import { parsePlaybook } from './parse.js';
import { formatPlan, renderPlan, resolveTarget } from './plan.js';

const spec = parsePlaybook(`
name: restart-api-on-latency
trigger: {source: anomaly, severity: high}
steps:
  - {id: ok, type: approve, timeout: 15m}
  - {id: restart, type: exec, argv: [systemctl, restart, "{{issue.labels.service}}"], timeout: 30s, idempotent: true}
  - {id: tell, type: notify, channel: slack, text: "restarted {{issue.labels.service}}: {{steps.restart.stdout}}"}
  - {id: check, type: verify, metric: api_latency_p99, condition: {op: lt, value: 0.5}, within: 2m}
rollback:
  - {id: page, type: notify, channel: email, to: [oncall@example.com], subject: "{{issue.title}}", text: "restart did not help"}
`);

const issue = openIssue('iss_1', 'org_1', {
  source: 'anomaly', severity: 'high', title: 'api latency', labels: { service: 'api gateway' }, at: 1_000,
});

describe('a dry-run plan', () => {
  it('renders each step from the issue, in order, with the rollback steps', () => {
    const plan = renderPlan(spec, issue);
    expect(plan.target).toBe('api gateway');
    expect(plan.steps.map((s) => s.id)).toEqual(['ok', 'restart', 'tell', 'check']);
    expect(plan.steps[1]!.rendered).toMatchObject({ argv: ['systemctl', 'restart', 'api gateway'] });
    expect(plan.steps[2]!.unresolved).toEqual(['steps.restart.stdout']);
    expect(plan.rollback[0]!.rendered).toMatchObject({ channel: 'email', subject: 'api latency' });
    const text = formatPlan(plan);
    expect(text).toContain('run systemctl restart "api gateway" (timeout 30s)');
    expect(text).toContain('nothing was changed');
  });

  it('shows values a manual run without an issue lacks, instead of failing', () => {
    const plan = renderPlan(spec, null);
    expect(plan.target).toBe('playbook:restart-api-on-latency');
    expect(plan.steps[1]!.summary).toContain('<missing issue.labels.service>');
    expect(plan.steps[1]!.unresolved).toEqual(['issue.labels.service']);
  });
});

describe('the target of an action', () => {
  it('comes from the playbook template, else the service label, else the fingerprint', () => {
    const withTarget = parsePlaybook('name: t\ntarget: "host-{{issue.labels.service}}"\nsteps: [{id: a, type: wait, duration: 1s}]');
    expect(resolveTarget(withTarget, issue)).toBe('host-api gateway');
    const plain = parsePlaybook('name: t\nsteps: [{id: a, type: wait, duration: 1s}]');
    expect(resolveTarget(plain, issue)).toBe('api gateway');
    const noLabels = openIssue('iss_2', 'org_1', { source: 'alert', severity: 'low', title: 'x', labels: { alertname: 'Disk' }, at: 1 });
    expect(resolveTarget(plain, noLabels)).toBe(noLabels.fingerprint);
  });
});
