import { describe, it, expect } from 'vitest';
import { sampleAction } from '../healing/actions/test-helpers.js';
import type { Issue } from '../healing/issues.js';
import { actionEntity } from './context.js';
import { compileRule, evaluateRule } from './evaluate.js';
import { parseRule, ruleFromDraft } from './rule.js';

const issue = (labels: Record<string, string>): Issue => ({
  id: 'iss_1', organizationId: 'org_1', fingerprint: 'f', source: 'alert', severity: 'high', status: 'open', title: 'api down', description: null,
  labels, annotations: {}, metric: null, value: null, score: null, occurrences: 1, firstSeenAt: 0, lastSeenAt: 0, resolvedAt: null, resolution: null, resolvedBy: null,
});
const approval = (decision: 'approved' | 'rejected' | null) => ({
  stepId: 'ok', requestedAt: 1_000, expiresAt: 9_000, decidedBy: decision ? 'bob' : null, decidedAt: decision ? 2_000 : null, decision, reason: null,
});

describe('healing actions as compliance entities', () => {
  const prod = compileRule(ruleFromDraft(parseRule({
    name: 'production-needs-approval', type: 'approval', severity: 'critical',
    conditions: { appliesTo: { field: 'labels.env', op: 'eq', value: 'production' } },
  }), 'cr_1', 'org_1', 0));
  const check = (a: ReturnType<typeof sampleAction>) => evaluateRule(prod, actionEntity(a), { now: 10_000 }).state;

  it('takes labels from the issue and flags a production action that ran without approval', () => {
    const ran = sampleAction({ status: 'succeeded', startedAt: 3_000, finishedAt: 4_000, issueId: 'iss_1', issue: issue({ env: 'production', service: 'api' }) });
    expect(actionEntity(ran)).toMatchObject({ labels: { env: 'production', service: 'api', target: 'api' }, executedAt: 3_000, approvedBy: null });
    expect(check(ran)).toBe('breach');
  });

  it('accepts approved runs and actions that never ran', () => {
    const base = { issueId: 'iss_1', issue: issue({ env: 'production' }) };
    expect(check(sampleAction({ ...base, status: 'succeeded', startedAt: 3_000, approval: approval('approved') }))).toBe('ok');
    expect(check(sampleAction({ ...base, status: 'awaiting_approval', approval: approval(null) }))).toBe('ok');
    expect(check(sampleAction({ ...base, status: 'rejected', approval: approval('rejected') }))).toBe('ok');
    expect(check(sampleAction({ status: 'succeeded', startedAt: 3_000, issue: issue({ env: 'staging' }) }))).toBe('ok');
  });
});
