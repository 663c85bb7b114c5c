import { describe, it, expect } from 'vitest';
import { alertChanges, alertmanagerPayloadSchema, alertSeverity } from './issues-alertmanager.js';

const payload = {
  version: '4',
  groupKey: '{}:{alertname="HighLatency"}',
  truncatedAlerts: 0,
  status: 'firing',
  receiver: 'foundry',
  groupLabels: { alertname: 'HighLatency' },
  commonLabels: { alertname: 'HighLatency', severity: 'warning' },
  commonAnnotations: { runbook: 'https://runbooks/latency' },
  externalURL: 'http://am:9093',
  alerts: [
    {
      status: 'firing',
      labels: { alertname: 'HighLatency', service: 'api', severity: 'warning' },
      annotations: { summary: 'API p99 over 2s', description: 'for 5 minutes' },
      startsAt: '2026-11-25T10:00:00Z',
      endsAt: '0001-01-01T00:00:00Z',
      generatorURL: 'http://prom/graph',
      fingerprint: 'c6a2f8d1e0b3a4f5',
    },
    {
      status: 'resolved',
      labels: { alertname: 'HighLatency', service: 'web', severity: 'critical' },
      annotations: {},
      startsAt: '2026-11-25T09:00:00Z',
      endsAt: '2026-11-25T09:30:00Z',
      generatorURL: 'http://prom/graph',
      fingerprint: 'aa11bb22cc33dd44',
    },
  ],
};

describe('Alertmanager webhook (version 4)', () => {
  it('accepts the payload Alertmanager sends', () => {
    expect(alertmanagerPayloadSchema.safeParse(payload).success).toBe(true);
  });

  it('refuses alerts without labels, naming the field', () => {
    const r = alertmanagerPayloadSchema.safeParse({ ...payload, alerts: [{ status: 'firing' }] });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]!.path).toEqual(['alerts', 0, 'labels']);
  });

  it('turns firing alerts into signals and resolved ones into resolutions', () => {
    const now = Date.parse('2026-11-25T10:05:00Z');
    const [firing, resolved] = alertChanges(alertmanagerPayloadSchema.parse(payload), now);
    expect(firing!.kind).toBe('firing');
    expect(firing!.signal).toMatchObject({
      source: 'alert',
      severity: 'medium',
      title: 'API p99 over 2s',
      description: 'for 5 minutes',
      labels: { alertname: 'HighLatency', service: 'api', severity: 'warning' },
      annotations: { runbook: 'https://runbooks/latency', summary: 'API p99 over 2s' },
      at: now,
      startedAt: Date.parse('2026-11-25T10:00:00Z'),
    });
    expect(resolved!.kind).toBe('resolved');
    expect(resolved!.signal.at).toBe(Date.parse('2026-11-25T09:30:00Z'));
  });

  it('maps the usual severity words', () => {
    expect(alertSeverity('critical')).toBe('critical');
    expect(alertSeverity('page')).toBe('critical');
    expect(alertSeverity('error')).toBe('high');
    expect(alertSeverity('warning')).toBe('medium');
    expect(alertSeverity('info')).toBe('low');
    expect(alertSeverity(undefined)).toBe('medium');
  });
});
