import { afterAll, beforeAll, describe, it, expect } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually, forEachStore, openTestStore, runCli, startDaemon, type TestDaemon } from './helpers.js';

/** Metrics in (push, CSV import, batch), queries over the raw table and the hourly rollup, anomaly issues. */

let d: TestDaemon;
let dir: string;
const cli = (args: string[], token?: string) => runCli(args, { env: { FOUNDRY_URL: d.url, FOUNDRY_TOKEN: token ?? d.token } });
const json = <T>(text: string): T => JSON.parse(text) as T;
const HOUR = 3_600_000;

beforeAll(async () => {
  d = await startDaemon();
  dir = mkdtempSync(join(tmpdir(), 'foundry-metrics-'));
}, 60_000);

afterAll(async () => {
  await d?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('metrics in and out', () => {
  it('pushes one value and finds it in a query', async () => {
    const at = '2026-01-05T10:20:00Z';
    const pushed = await cli(['metrics', 'push', 'queue_depth', '42', '--tag', 'queue=mail', '--at', at, '--json']);
    expect(pushed.code).toBe(0);
    expect(json(pushed.stdout)).toMatchObject({ name: 'queue_depth', value: 42, at: '2026-01-05T10:20:00.000Z', tags: { queue: 'mail' } });
    const q = await cli(['metrics', 'query', 'queue_depth', '--since', '2026-01-05T00:00:00Z', '--until', '2026-01-06T00:00:00Z', '--bucket', '1h', '--json']);
    expect(json<{ buckets: unknown[] }>(q.stdout).buckets).toEqual([{ start: Date.parse('2026-01-05T10:00:00Z'), startAt: '2026-01-05T10:00:00.000Z', count: 1, avg: 42, min: 42, max: 42 }]);
  });

  it('imports a CSV and aggregates it per hour (rollup) and per 30 minutes (raw)', async () => {
    const t0 = Date.parse('2026-02-01T00:00:00Z');
    const rows = Array.from({ length: 24 }, (_, i) => `${new Date(t0 + i * 5 * 60_000).toISOString()},${i}`);
    const file = join(dir, 'load.csv');
    writeFileSync(file, `timestamp,value\n${rows.join('\n')}\n`);
    const r = await cli(['metrics', 'import', file, '--name', 'load', '--json']);
    expect(r.code).toBe(0);
    expect(json(r.stdout)).toMatchObject({ points: 24 });
    const hourly = await cli(['metrics', 'query', 'load', '--since', '2026-02-01T00:00:00Z', '--until', '2026-02-02T00:00:00Z', '--bucket', '1h', '--json']);
    const h = json<{ buckets: Array<{ count: number; avg: number; min: number; max: number }> }>(hourly.stdout).buckets;
    expect(h.map((b) => [b.count, b.avg, b.min, b.max])).toEqual([[12, 5.5, 0, 11], [12, 17.5, 12, 23]]);
    const half = await cli(['metrics', 'query', 'load', '--since', '2026-02-01T00:00:00Z', '--until', '2026-02-02T00:00:00Z', '--bucket', '30m', '--json']);
    expect(json<{ buckets: unknown[] }>(half.stdout).buckets).toHaveLength(4);
  });

  it('imports nothing from a CSV with a bad row, and says which line', async () => {
    const file = join(dir, 'bad.csv');
    writeFileSync(file, 'timestamp,name,value\n2026-03-01T00:00:00Z,bad_import,1\n2026-03-01T00:01:00Z,bad_import,2\n2026-03-01T00:02:00Z,bad_import,oops\n');
    const r = await cli(['metrics', 'import', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/line 4: value "oops" is not a number/);
    const list = json<Array<{ name: string }>>((await cli(['metrics', 'list', '--json'])).stdout);
    expect(list.map((m) => m.name)).not.toContain('bad_import');
  });

  it('refuses names that a shell would read, with the index of the point', async () => {
    const res = await d.api('/v1/metrics/batch', { method: 'POST', json: { points: [{ name: 'ok', value: 1 }, { name: 'x;rm -rf /', value: 2 }] } });
    expect(res.status).toBe(422);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/^points\[1\]: metric name/);
  });

  it('lets a viewer read but not push', async () => {
    const viewer = await d.tokenFor('viewer');
    expect((await cli(['metrics', 'push', 'x', '1'], viewer)).code).toBe(4);
    expect((await cli(['metrics', 'list'], viewer)).code).toBe(0);
  });

  it('opens an anomaly issue for a series that breaks its pattern, and counts it on /metrics', async () => {
    const t0 = Date.parse('2026-04-01T00:00:00Z');
    const points = Array.from({ length: 1500 }, (_, i) => ({
      name: 'api_latency_ms',
      value: 100 + 10 * Math.sin(i / 20) + ((i * 7919) % 13),
      at: t0 + i * 60_000,
      tags: { service: 'api' },
    }));
    points.push({ name: 'api_latency_ms', value: 5000, at: t0 + 1500 * 60_000, tags: { service: 'api' } });
    const res = await d.api('/v1/metrics/batch', { method: 'POST', json: { points } });
    expect(res.status).toBe(201);
    expect(((await res.json()) as { anomalies: number }).anomalies).toBeGreaterThan(0);
    const issues = json<Array<{ source: string; labels: Record<string, string>; value: number; score: number }>>(
      (await cli(['healing', 'issues', 'list', '--source', 'anomaly', '--json'])).stdout,
    );
    const issue = issues.find((i) => i.labels.metric === 'api_latency_ms');
    expect(issue).toMatchObject({ source: 'anomaly', labels: { service: 'api', metric: 'api_latency_ms' }, value: 5000, score: 1 });
    const prom = await (await d.api('/metrics')).text();
    expect(prom).toMatch(/selfhealing_issues_detected\{source="anomaly",severity="high"\} [1-9]/);
  });
});

describe('anomaly scan (offline)', () => {
  it('writes one scored row per input row', async () => {
    const file = join(dir, 'series.csv');
    const rows = Array.from({ length: 900 }, (_, i) => `${1_700_000_000 + i * 300},${i === 800 ? 999 : 10 + (i % 5)}`);
    writeFileSync(file, `timestamp,value\n${rows.join('\n')}\n`);
    const out = join(dir, 'scores.csv');
    const r = await runCli(['anomaly', 'scan', file, '--out', out, '--json']);
    expect(r.code).toBe(0);
    expect(json(r.stdout)).toMatchObject({ rows: 900, anomalies: 1, maxScore: 1 });
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('timestamp,value,anomaly_score');
    expect(lines).toHaveLength(901);
    expect(lines[801]).toBe(`${1_700_000_000 + 800 * 300},999,1.000000`);
  });

  it('names the line of a bad row and writes nothing', async () => {
    const file = join(dir, 'broken.csv');
    writeFileSync(file, 'timestamp,value\n1,2\n2,3\n3,,\n');
    const out = join(dir, 'never.csv');
    const r = await runCli(['anomaly', 'scan', file, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/line 4/);
    expect(() => readFileSync(out)).toThrow();
  });

  it('refuses an unknown detector', async () => {
    const file = join(dir, 'series.csv');
    const r = await runCli(['anomaly', 'scan', file, '--detector', 'magic']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/default, context, surprise/);
  });
});

describe('Alertmanager webhook', () => {
  const payload = (status: 'firing' | 'resolved', instance = 'db-1') => ({
    version: '4', groupKey: 'g', status, receiver: 'foundry', groupLabels: {}, commonLabels: {}, commonAnnotations: {}, externalURL: 'http://am',
    alerts: [{
      status, labels: { alertname: 'DiskFull', instance, severity: 'critical' }, annotations: { summary: `disk full on ${instance}` },
      startsAt: '2026-05-01T10:00:00Z', endsAt: status === 'resolved' ? '2026-05-01T10:30:00Z' : '0001-01-01T00:00:00Z', fingerprint: 'f1',
    }],
  });
  const post = (body: unknown, token?: string) => d.api('/v1/integrations/alertmanager', { method: 'POST', json: body, token });

  it('deduplicates a re-sent alert into one issue and resolves it when the alert resolves', async () => {
    for (let i = 0; i < 3; i++) expect((await post(payload('firing'))).status).toBe(200);
    type Issue = { id: string; status: string; occurrences: number; severity: string; title: string; firstSeenAt: string; resolution: string | null };
    const list = async () => json<Issue[]>((await cli(['healing', 'issues', 'list', '--status', 'all', '--source', 'alert', '--json'])).stdout)
      .filter((i) => i.title === 'disk full on db-1');
    const issue = await eventually(async () => (await list()).find((i) => i.occurrences === 3), 10_000, 'three occurrences');
    expect(await list()).toHaveLength(1);
    expect(issue).toMatchObject({ status: 'open', severity: 'critical', firstSeenAt: '2026-05-01T10:00:00.000Z' });
    expect((await post(payload('resolved'))).status).toBe(200);
    const shown = json<Issue>((await cli(['healing', 'issues', 'show', issue.id, '--json'])).stdout);
    expect(shown).toMatchObject({ status: 'resolved', resolution: 'alert_resolved' });
  });

  it('lets a manager resolve an issue by hand, once', async () => {
    const r = json<{ opened: string[] }>(await (await post(payload('firing', 'db-2'))).text());
    const [id] = r.opened;
    const manager = await d.tokenFor('manager');
    const done = await cli(['healing', 'issues', 'resolve', id!, '--reason', 'disk replaced', '--json'], manager);
    expect(done.code).toBe(0);
    expect(json(done.stdout)).toMatchObject({ status: 'resolved', resolution: 'manual: disk replaced' });
    expect((await cli(['healing', 'issues', 'resolve', id!], manager)).code).toBe(7);
    const viewer = await d.tokenFor('viewer');
    expect((await cli(['healing', 'issues', 'resolve', id!], viewer)).code).toBe(4);
  });

  it('refuses a payload without labels, naming the field, and a viewer', async () => {
    const res = await post({ version: '4', alerts: [{ status: 'firing' }] });
    expect(res.status).toBe(422);
    expect(await res.text()).toMatch(/alerts\[0\]\.labels|alerts\.0\.labels/);
    expect((await post(payload('firing'), await d.tokenFor('viewer'))).status).toBe(403);
  });
});

forEachStore('hourly rollup', (kind) => {
  it('rolls up 300 (series, hour) pairs of one batch and merges a later batch into them', async () => {
    const { store, cleanup } = await openTestStore(kind);
    try {
      await store.orgs.insert({ id: 'org_r', name: 'r', createdAt: 0 });
      const t0 = Date.UTC(2026, 10, 20);
      const batch = (offset: number) =>
        Array.from({ length: 150 }, (_, s) => [0, 1].flatMap((h) => [0, 30].map((m) => ({
          name: 'rps', tags: { host: `h${s}` }, at: t0 + h * HOUR + m * 60_000, value: s + h * 10 + m + offset,
        })))).flat();
      await store.metrics.insertPoints('org_r', batch(0));
      await store.metrics.insertPoints('org_r', batch(100));
      const h7 = await store.metrics.queryBuckets('org_r', { name: 'rps', since: t0, until: t0 + 2 * HOUR, bucketMs: HOUR, tags: { host: 'h7' } });
      expect(h7.map((b) => ({ start: b.start - t0, count: b.count, min: b.min, max: b.max, avg: b.avg }))).toEqual([
        { start: 0, count: 4, min: 7, max: 137, avg: (7 + 37 + 107 + 137) / 4 },
        { start: HOUR, count: 4, min: 17, max: 147, avg: (17 + 47 + 117 + 147) / 4 },
      ]);
      const all = await store.metrics.queryBuckets('org_r', { name: 'rps', since: t0, until: t0 + 2 * HOUR, bucketMs: HOUR });
      expect(all.map((b) => b.count)).toEqual([600, 600]);
      // the same through the raw points (30-minute buckets)
      const raw = await store.metrics.queryBuckets('org_r', { name: 'rps', since: t0, until: t0 + 2 * HOUR, bucketMs: HOUR / 2, tags: { host: 'h7' } });
      expect(raw.map((b) => [b.count, b.min, b.max])).toEqual([[2, 7, 107], [2, 37, 137], [2, 17, 117], [2, 47, 147]]);
    } finally {
      await cleanup();
    }
  });
});
