import { describe, it, expect } from 'vitest';
import { demoPanels } from '../fixtures/demo-data.js';
import { decisionRow, sortTasks, taskRow } from './tasks.js';
import { actionRow, bySeverity, sortActions } from './healing.js';
import { memberRow, worstFirst } from './workload.js';
import { slaRow, scoreTone, violationRow } from './compliance.js';
import { eventRow, metricRow } from './events.js';
import { cellText } from './columns.js';

const now = Date.parse('2026-01-01T12:00:00Z');
const d = demoPanels(now);

describe('row renderers on the demo fixtures', () => {
  it('puts unassigned tasks first and flags an unassigned P1 as bad', () => {
    const sorted = sortTasks(d.tasks);
    expect(sorted.slice(0, 2).every((t) => t.assignee === null)).toBe(true);
    const row = taskRow(sorted[0]!, now);
    expect(row.cells).toEqual(['tsk_db01', 'P1', 'Postgres replication lag on db-2', 'open', 'dba', 'unassigned', '3m']);
    expect(row.tone).toBe('bad');
  });

  it('shows a decision with team, assignee and confidence', () => {
    expect(decisionRow(d.decisions[0]!, now).cells.slice(1, 4)).toEqual(['platform', 'mem_ana', '92%']);
    expect(decisionRow(d.decisions[2]!, now).tone).toBe('warn');
  });

  it('lists actions awaiting approval first', () => {
    const sorted = sortActions([...d.actions].reverse());
    expect(sorted[0]!.status).toBe('awaiting_approval');
    expect(actionRow(sorted[0]!, now).tone).toBe('accent');
    expect(bySeverity(d.issues).map((i) => i.severity)).toEqual(['high', 'medium', 'low']);
  });

  it('orders members worst first with a load bar scaled to the column', () => {
    const sorted = worstFirst(d.workload);
    expect(sorted.map((m) => m.name)).toEqual(['Ana Souza', 'Li Wei', 'Raj Patel', 'Tom Berg']);
    const row = memberRow(sorted[0]!);
    expect(cellText(row.cells[3]!, 10)).toBe('██████████');
    expect(row.cells[5]).toBe('high 78%');
    expect(row.tone).toBe('bad');
  });

  it('shows violations by severity and SLAs with the time left or overdue', () => {
    expect(violationRow(d.compliance.violations[0]!, now).tone).toBe('bad');
    expect(slaRow(d.compliance.slasAtRisk[0]!, now).cells[2]).toBe('in 4m');
    expect(slaRow(d.compliance.slasAtRisk[1]!, now).cells[2]).toBe('10m late');
    expect(scoreTone(95)).toBe('ok');
    expect(scoreTone(60)).toBe('bad');
  });

  it('renders events with their UTC time and metrics with a sparkline', () => {
    const e = eventRow({ id: '7', type: 'issue.detected', at: now, actor: 'system', subject: 'iss_1', summary: 'latency' });
    expect(e.cells[0]).toBe('12:00:00');
    expect(e.tone).toBe('bad');
    expect(cellText(metricRow(d.metrics[0]!).cells[2]!, 10)).toBe('▁▁▁▂▂▄▆███');
  });
});
