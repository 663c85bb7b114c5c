import { describe, it, expect } from 'vitest';
import { openIssue } from '../issues.js';
import { parsePlaybook } from './parse.js';
import { triggerMatches } from './trigger.js';

const issue = (over: { source?: 'anomaly' | 'alert'; severity?: 'low' | 'high' | 'critical'; labels?: Record<string, string>; metric?: string } = {}) =>
  openIssue('iss_1', 'org_1', {
    source: over.source ?? 'alert', severity: over.severity ?? 'high', title: 'API down', labels: over.labels ?? { service: 'api' },
    metric: over.metric ?? null, at: 1,
  });

const trigger = (yaml: string) => parsePlaybook(`name: p\n${yaml}\nsteps: [{id: a, type: wait, duration: 1s}]`).trigger;

describe('playbook triggers', () => {
  it('match on source, minimum severity and a condition over the issue', () => {
    const t = trigger('trigger: {source: alert, severity: high, match: {field: labels.service, op: eq, value: api}}');
    expect(triggerMatches(t, issue())).toBe(true);
    expect(triggerMatches(t, issue({ severity: 'critical' }))).toBe(true);
    expect(triggerMatches(t, issue({ severity: 'low' }))).toBe(false);
    expect(triggerMatches(t, issue({ source: 'anomaly' }))).toBe(false);
    expect(triggerMatches(t, issue({ labels: { service: 'db' } }))).toBe(false);
  });

  it('match on exact labels and on the metric', () => {
    const t = trigger('trigger: {labels: {service: api}, metric: api_latency_p99}');
    expect(triggerMatches(t, issue({ metric: 'api_latency_p99' }))).toBe(true);
    expect(triggerMatches(t, issue({ metric: 'cpu' }))).toBe(false);
  });

  it('never start a playbook without a trigger automatically', () => {
    expect(triggerMatches(undefined, issue())).toBe(false);
  });
});
