import { afterAll, beforeAll, expect, it } from 'vitest';
import { forEachStore, runCli, startDaemon, type StoreKind, type TestDaemon } from './helpers.js';

interface MemberRow { name: string; score: number | null; level: string; defaults: string[] }
interface Factor { key: string; points: number; weight: number; explanation: string }

forEachStore('workload against the demo organisation', (kind: StoreKind) => {
  let d: TestDaemon;
  const cli = (args: string[], token?: string) =>
    runCli(args, { env: { FOUNDRY_URL: d.url, FOUNDRY_TOKEN: token ?? d.token }, home: d.home });
  const get = async <T>(path: string, token?: string): Promise<T> => {
    const res = await d.api(path, { token });
    expect(res.status).toBe(200);
    return (await res.json()) as T;
  };

  beforeAll(async () => {
    d = await startDaemon({ demo: true, store: kind });
  });
  afterAll(async () => d?.stop());

  it('shows the overloaded member first, at high risk, with the factors that put them there', async () => {
    const o = await get<{ members: MemberRow[]; teams: unknown[] }>('/v1/workload');
    expect(o.members[0]).toMatchObject({ name: 'ben', level: 'high' });
    expect(o.members[0]!.score).toBeGreaterThanOrEqual(70);
    expect(o.members.filter((m) => m.level === 'high').map((m) => m.name)).toEqual(['ben']);

    const ben = await get<{ score: number; factors: Factor[]; trend: { points: unknown[] } }>('/v1/workload/members/ben');
    expect(Math.round(ben.factors.reduce((a, f) => a + f.points, 0))).toBe(ben.score);
    expect(ben.factors.find((f) => f.key === 'afterHours')!.explanation).toMatch(/h\/day hours worked outside working hours/);
    expect(ben.trend.points.length).toBeGreaterThan(1);
  });

  it('raises one workload.alert for the member, as an event and in the alert list', async () => {
    const alerts = await get<Array<{ member: string; to: string; kind: string; at: string }>>('/v1/workload/alerts');
    expect(alerts.filter((a) => a.member === 'ben')).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ member: 'ben', to: 'high', kind: 'raised' });
    expect(alerts[0]!.at).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    const events = await get<Array<{ type: string; data: { memberId: string; to: string } }>>('/v1/events/recent?types=workload.alert');
    expect(events.some((e) => e.type === 'workload.alert' && e.data.to === 'high')).toBe(true);
  });

  it('does not raise the alert again when snapshots are recomputed', async () => {
    const res = await d.api('/v1/workload/refresh', { method: 'POST', json: { days: 20 } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { alerts: unknown[] }).alerts).toEqual([]);
  });

  it('forecasts the short team\'s shortfall and prints the held-out MAPE', async () => {
    const r = await cli(['workload', 'forecast', '--team', 'mobile', '--days', '14']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/mobile: short of capacity on \d+ of 14 days/);
    expect(r.stdout).toMatch(/MAPE \d+(\.\d)?% on \d+ held-out days/);
    const json = await cli(['workload', 'forecast', '--team', 'mobile', '--json']);
    const [f] = JSON.parse(json.stdout) as Array<{ status: string; days: unknown[]; mape: number; shortDays: number }>;
    expect(f!.status).toBe('ok');
    expect(f!.days).toHaveLength(14);
    expect(f!.shortDays).toBeGreaterThan(0);
    expect(typeof f!.mape).toBe('number');
  });

  it('says "too little history" for a team without enough inbound history', async () => {
    const res = await d.api('/v1/teams', { method: 'POST', json: { name: 'brand-new' } });
    expect(res.status).toBe(201);
    const r = await cli(['workload', 'forecast', '--team', 'brand-new']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/brand-new: too little history/);
    expect(r.stdout).not.toMatch(/MAPE/);
  });

  it('shows defaults for a member with no time zone or hours, instead of failing', async () => {
    const team = await d.api('/v1/teams', { method: 'POST', json: { name: 'no-hours' } });
    expect(team.status).toBe(201);
    const added = await d.api('/v1/members', { method: 'POST', json: { name: 'drifter', team: 'no-hours' } });
    expect(added.status).toBe(201);
    await d.api('/v1/workload/refresh', { method: 'POST', json: { days: 2 } });
    const o = await get<{ members: MemberRow[] }>('/v1/workload?team=no-hours');
    expect(o.members[0]).toMatchObject({ name: 'drifter', defaults: ['timeZone', 'workingHours'] });
    const r = await cli(['workload', 'member', 'drifter']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/time zone: +UTC \(default/);
  });

  it('prints the org table and one JSON document with --json', async () => {
    const table = await cli(['workload', 'show']);
    expect(table.code).toBe(0);
    expect(table.stdout.split('\n')[0]).toMatch(/^ben\tplatform\t\d+\thigh/);
    const json = await cli(['workload', 'show', '--team', 'platform', '--json']);
    const o = JSON.parse(json.stdout) as { members: MemberRow[] };
    expect(o.members.length).toBe(8);
    const alerts = await cli(['workload', 'alerts', '--json']);
    expect(JSON.parse(alerts.stdout)).toHaveLength(1);
  });

  it('lets viewers read but only managers recompute, and refuses bad input with the field', async () => {
    const viewer = await d.tokenFor('viewer');
    expect((await d.api('/v1/workload', { token: viewer })).status).toBe(200);
    expect((await d.api('/v1/workload/refresh', { method: 'POST', json: {}, token: viewer })).status).toBe(403);
    const bad = await d.api('/v1/workload/forecast?days=0');
    expect(bad.status).toBe(422);
    expect(JSON.stringify(await bad.json())).toContain('days');
    expect((await cli(['workload', 'forecast', '--days', 'lots'])).code).toBe(2);
    expect((await cli(['workload', 'member', 'nobody'])).code).toBe(5);
    expect((await cli(['workload', 'show', '--team', 'nope'])).code).toBe(5);
  });

  it('shows who carries the after-hours load over a period', async () => {
    const r = await get<{ people: Array<{ member: string; hoursOutside: number }>; teams: Array<{ burdenGini: number }> }>('/v1/workload/fairness?team=platform');
    expect(r.people[0]!.member).toBe('ben');
    expect(r.teams[0]!.burdenGini).toBeGreaterThan(0.3);
  });
});
