import { describe, it, expect } from 'vitest';
import { buildReport, renderCsv, renderJson, renderMarkdown, type ClockSample } from './report.js';
import { computeScores } from './score.js';
import type { Violation } from './violations.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const NOW = Date.parse('2026-06-30T00:00:00Z');
const SINCE = NOW - 30 * DAY;

function v(over: Partial<Violation>): Violation {
  return {
    id: 'vio_1', orgId: 'org', ruleId: 'cr', ruleName: 'p1-ack-15m', ruleType: 'sla', severity: 'critical', entityKind: 'task', entityId: 'tsk_1',
    teamId: 'team_a', priority: 'P1', status: 'open', message: 'not acknowledged within 15m', since: NOW - DAY, detectedAt: NOW - DAY, openedAt: NOW - DAY,
    acknowledgedAt: null, acknowledgedBy: null, resolvedAt: null, resolvedBy: null, resolution: null, waivedAt: null, waivedBy: null,
    waiverReason: null, waiverExpiresAt: null, updatedAt: NOW, ...over,
  };
}

const violations = [
  v({}),
  v({ id: 'vio_2', status: 'resolved', openedAt: NOW - 3 * DAY, resolvedAt: NOW - 3 * DAY + 2 * HOUR }),
  v({ id: 'vio_3', ruleName: 'p1-has-assignee', severity: 'high', teamId: 'team_b', status: 'waived', waiverReason: 'vendor, fix "soon"', waivedBy: 'bob', waiverExpiresAt: NOW + 5 * DAY }),
  v({ id: 'vio_4', status: 'resolved', openedAt: NOW - 60 * DAY, resolvedAt: NOW - 50 * DAY }), // before the window
  v({ id: 'vio_5', status: 'resolved', openedAt: null, resolvedAt: NOW - DAY, resolution: 'cleared' }), // cleared within grace
];
const clocks: ClockSample[] = [
  { taskId: 't1', teamId: 'team_a', priority: 'P1', clock: 'ack', status: 'met', elapsedMs: 1, targetMs: 2 },
  { taskId: 't2', teamId: 'team_a', priority: 'P1', clock: 'ack', status: 'breached', elapsedMs: 3, targetMs: 2 },
  { taskId: 't3', teamId: 'team_a', priority: 'P1', clock: 'ack', status: 'met', elapsedMs: 1, targetMs: 2 },
  { taskId: 't4', teamId: 'team_a', priority: 'P1', clock: 'ack', status: 'running', elapsedMs: 1, targetMs: 2 },
];
const teams = [{ id: 'team_a', name: 'dba' }, { id: 'team_b', name: 'sre' }];
const score = computeScores({ now: NOW, windowMs: 30 * DAY, violations, entities: { org: 50, byTeam: { team_a: 30, team_b: 20 } }, teams });
const report = buildReport({ now: NOW, since: SINCE, violations, clocks, teams, score });

describe('the compliance report', () => {
  it('counts violations of the window by rule, severity and team', () => {
    expect(report.summary).toEqual({ detected: 3, open: 1, acknowledged: 0, resolved: 1, waived: 1 });
    expect(report.byRule).toEqual([
      { rule: 'p1-ack-15m', severity: 'critical', detected: 2, open: 1, resolved: 1, waived: 0 },
      { rule: 'p1-has-assignee', severity: 'high', detected: 1, open: 0, resolved: 0, waived: 1 },
    ]);
    expect(report.bySeverity.map((s) => [s.severity, s.detected])).toEqual([['critical', 2], ['high', 1], ['medium', 0], ['low', 0]]);
    expect(report.byTeam.map((t) => [t.team, t.detected])).toEqual([['dba', 2], ['sre', 1]]);
  });

  it('measures time to resolve and SLA attainment per priority', () => {
    expect(report.timeToResolve).toEqual({ resolved: 1, meanSeconds: 7200, medianSeconds: 7200, p90Seconds: 7200 });
    expect(report.slaAttainment).toEqual([{ priority: 'P1', clock: 'ack', measured: 3, met: 2, breached: 1, attainmentPct: 66.7 }]);
  });

  it('lists waivers with their expiry', () => {
    expect(report.waivers).toEqual([{ id: 'vio_3', rule: 'p1-has-assignee', entity: 'tsk_1', team: 'sre', reason: 'vendor, fix "soon"', waivedBy: 'bob', expiresAt: '2026-07-05T00:00:00.000Z', expired: false }]);
  });

  it('renders markdown, JSON and CSV', () => {
    const md = renderMarkdown(report);
    expect(md).toContain('# Compliance report');
    expect(md).toContain('| p1-ack-15m | critical | 2 | 1 | 1 | 0 |');
    expect(md).toContain('| P1 | ack | 3 | 2 | 1 | 66.7% |');
    expect(JSON.parse(renderJson(report))).toEqual(report);
    const csv = renderCsv(report).trimEnd().split('\n');
    expect(csv[0]).toBe('id,rule,severity,status,team,entity,message,openedAt,resolvedAt,timeToResolveSeconds,waiverReason,waiverExpiresAt');
    expect(csv).toHaveLength(4);
    expect(csv.find((l) => l.startsWith('vio_3'))).toContain('"vendor, fix ""soon"""');
  });
});
