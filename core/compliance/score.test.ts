import { describe, it, expect } from 'vitest';
import { computeScores, scoreFrom, violationPenalty } from './score.js';
import type { Violation } from './violations.js';

const DAY = 86_400_000;
const NOW = 100 * DAY;
const WINDOW = 30 * DAY;

function v(over: Partial<Violation>): Violation {
  return {
    id: 'vio', orgId: 'org', ruleId: 'cr', ruleName: 'r', ruleType: 'field', severity: 'critical', entityKind: 'task', entityId: 'tsk',
    teamId: 'team_a', priority: 'P1', status: 'open', message: '', since: NOW, detectedAt: NOW, openedAt: NOW, acknowledgedAt: null,
    acknowledgedBy: null, resolvedAt: null, resolvedBy: null, resolution: null, waivedAt: null, waivedBy: null, waiverReason: null,
    waiverExpiresAt: null, updatedAt: NOW, ...over,
  };
}

describe('the penalty of one violation', () => {
  it('weighs severity', () => {
    expect(['low', 'medium', 'high', 'critical'].map((severity) => violationPenalty(v({ severity: severity as Violation['severity'] }), NOW, WINDOW))).toEqual([1, 3, 6, 10]);
  });

  it('grows with the age of an open violation, up to five times after four weeks', () => {
    expect(violationPenalty(v({ openedAt: NOW - 7 * DAY }), NOW, WINDOW)).toBe(20);
    expect(violationPenalty(v({ openedAt: NOW - 28 * DAY }), NOW, WINDOW)).toBe(50);
    expect(violationPenalty(v({ openedAt: NOW - 90 * DAY }), NOW, WINDOW)).toBe(50);
  });

  it('is lighter when acknowledged, small and fading once resolved, nothing when waived or pending', () => {
    expect(violationPenalty(v({ status: 'acknowledged' }), NOW, WINDOW)).toBe(7.5);
    expect(violationPenalty(v({ status: 'resolved', resolvedAt: NOW }), NOW, WINDOW)).toBe(2.5);
    expect(violationPenalty(v({ status: 'resolved', resolvedAt: NOW - 15 * DAY }), NOW, WINDOW)).toBe(1.25);
    expect(violationPenalty(v({ status: 'resolved', resolvedAt: NOW - 31 * DAY }), NOW, WINDOW)).toBe(0);
    expect(violationPenalty(v({ status: 'waived', waiverExpiresAt: NOW + DAY }), NOW, WINDOW)).toBe(0);
    expect(violationPenalty(v({ status: 'waived', waiverExpiresAt: NOW - DAY }), NOW, WINDOW)).toBe(10);
    expect(violationPenalty(v({ status: 'pending', openedAt: null }), NOW, WINDOW)).toBe(0);
  });
});

describe('scores', () => {
  it('is 100 without violations and falls with penalty relative to the work in scope', () => {
    expect(scoreFrom(0, 0)).toBe(100);
    expect(scoreFrom(20, 100)).toBe(83.3);
    expect(scoreFrom(20, 10)).toBe(33.3);
  });

  it('scores each team on its own violations and the organisation on all of them', () => {
    const r = computeScores({
      now: NOW, windowMs: WINDOW,
      violations: [v({ teamId: 'team_a', openedAt: NOW - 7 * DAY }), v({ teamId: 'team_b', severity: 'low' }), v({ teamId: null, severity: 'medium' })],
      entities: { org: 300, byTeam: { team_a: 100, team_b: 100 } },
      teams: [{ id: 'team_a', name: 'dba' }, { id: 'team_b', name: 'sre' }, { id: 'team_c', name: 'web' }],
    });
    expect(r.org).toMatchObject({ penalty: 24, entities: 300, open: { critical: 1, low: 1, medium: 1, high: 0 } });
    expect(r.org.score).toBe(92.6);
    expect(r.teams.map((t) => [t.team, t.score])).toEqual([['dba', 83.3], ['sre', 99], ['web', 100]]);
  });
});
