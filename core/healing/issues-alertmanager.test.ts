import { describe, it, expect } from 'vitest';
import { alertChanges, alertmanagerBodySchema, alertmanagerPayloadSchema, alertSeverity, isAlertmanagerPayload } from './issues-alertmanager.js';
import { issueFingerprint } from './issues.js';

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

  it('checks a body by hand exactly as the schema does, and names the bad field of a bad one', () => {
    const alert0 = payload.alerts[0]!;
    const variants: unknown[] = [
      payload, {}, null, [], 'x', { alerts: [] }, { ...payload, alerts: 'x' }, { ...payload, version: 4 }, { ...payload, status: 'pending' },
      { ...payload, truncatedAlerts: '0' }, { ...payload, groupLabels: { a: 1 } }, { ...payload, commonLabels: [] }, { ...payload, commonAnnotations: null },
      { ...payload, receiver: null }, { ...payload, externalURL: undefined }, { ...payload, extra: { any: 'thing' } },
      { ...payload, alerts: [null] }, { ...payload, alerts: [[]] }, { ...payload, alerts: [{ ...alert0, status: 'gone' }] },
      { ...payload, alerts: [{ ...alert0, labels: { a: null } }] }, { ...payload, alerts: [{ ...alert0, labels: [] }] },
      { ...payload, alerts: [{ ...alert0, annotations: { a: 2 } }] }, { ...payload, alerts: [{ ...alert0, annotations: undefined }] },
      { ...payload, alerts: [{ ...alert0, startsAt: 5 }] }, { ...payload, alerts: [{ ...alert0, endsAt: null }] },
      { ...payload, alerts: [{ ...alert0, generatorURL: {} }] }, { ...payload, alerts: [{ ...alert0, fingerprint: 1 }] },
      { ...payload, alerts: Array.from({ length: 10_001 }, () => alert0) }, { ...payload, alerts: Array.from({ length: 10_000 }, () => alert0) },
    ];
    for (const v of variants) {
      const expected = alertmanagerPayloadSchema.safeParse(v).success;
      expect(isAlertmanagerPayload(v), JSON.stringify(v)?.slice(0, 80)).toBe(expected);
      expect(alertmanagerBodySchema.safeParse(v).success).toBe(expected);
    }
    const bad = alertmanagerBodySchema.safeParse({ ...payload, alerts: [alert0, { ...alert0, labels: { a: 1 } }] });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues[0]!.path).toEqual(['alerts', 1, 'labels', 'a']);
  });

  it('keeps the fingerprints of issues already stored (the hash of source and sorted labels)', () => {
    expect(issueFingerprint('alert', { severity: 'critical', instance: 'db-1', alertname: 'Down' })).toBe('d6f811062700af7deb20840a');
    expect(issueFingerprint('alert', { zone: 'zürich', alertname: 'Down' })).toBe('9b61a59ff949dc7bdec7e42f');
  });
});
