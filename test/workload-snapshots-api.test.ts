import { afterAll, beforeAll, expect, it } from 'vitest';
import type { WorkloadSnapshot } from '../core/workload/snapshots.js';
import { forEachStore, startDaemon, type TestDaemon } from './helpers.js';

const snap = (memberId: string, day: string, teamId: string): WorkloadSnapshot => ({
  memberId, teamId, day, timeZone: 'UTC', activeTasks: 1, maxConcurrent: 4, hoursInside: 6, hoursOutside: 0, capacityHours: 8,
  utilization: 0.75, pages: 0, p1Assignments: 0, approvalsOutOfHours: 0, interruptions: 0, onCall: false, onCallHours: 0,
  afterHoursWork: false, consecutiveOnCallDays: 0, consecutiveAfterHoursDays: 0, defaults: [], partial: false,
});

forEachStore('GET /v1/workload/snapshots pages with limit and cursor', (store) => {
  let d: TestDaemon;
  const days = Array.from({ length: 10 }, (_, i) => `2026-02-${String(i + 10).padStart(2, '0')}`);
  const members = Array.from({ length: 7 }, (_, i) => `mem_${i}`);
  beforeAll(async () => {
    d = await startDaemon({ store });
    await d.daemon.store.workload.upsertSnapshots(d.init.orgId, members.flatMap((m, i) => days.map((day) => snap(m, day, i < 3 ? 'team_x' : 'team_y'))));
  }, 60_000);
  afterAll(async () => d?.stop());

  type Page = { body: WorkloadSnapshot[]; next: string | null; link: string | null };
  const get = async (query: string): Promise<Page> => {
    const res = await d.api(`/v1/workload/snapshots${query}`);
    expect(res.status, await res.clone().text()).toBe(200);
    return { body: (await res.json()) as WorkloadSnapshot[], next: res.headers.get('x-next-cursor'), link: res.headers.get('link') };
  };

  it('walks every snapshot once, in order, by following the next cursor (or the Link header)', async () => {
    const seen: string[] = [];
    let page = await get('?limit=9');
    let pages = 1;
    for (;;) {
      expect(page.body.length).toBeLessThanOrEqual(9);
      seen.push(...page.body.map((s) => `${s.memberId}/${s.day}`));
      if (!page.next) break;
      expect(page.link).toBe(`</v1/workload/snapshots?limit=9&cursor=${page.next}>; rel="next"`);
      page = await get(`?limit=9&cursor=${page.next}`);
      pages++;
    }
    expect(pages).toBe(8); // 70 snapshots, 9 a page
    expect(seen).toEqual(members.flatMap((m) => days.map((day) => `${m}/${day}`)));
    expect(page.link).toBeNull();
  });

  it('keeps the filters across pages, and follows the Link header as given', async () => {
    const first = await get('?team=team_x&from=2026-02-12&to=2026-02-13&limit=4');
    expect(first.body.map((s) => `${s.memberId}/${s.day}`)).toEqual(['mem_0/2026-02-12', 'mem_0/2026-02-13', 'mem_1/2026-02-12', 'mem_1/2026-02-13']);
    const path = /^<(\/v1\/workload\/snapshots\?[^>]+)>; rel="next"$/.exec(first.link ?? '')![1]!;
    expect(path).toContain('team=team_x&from=2026-02-12&to=2026-02-13&limit=4&cursor=');
    const second = await get(path.slice('/v1/workload/snapshots'.length));
    expect(second.body.map((s) => `${s.memberId}/${s.day}`)).toEqual(['mem_2/2026-02-12', 'mem_2/2026-02-13']);
    expect(second.next).toBeNull();
  });

  it('returns up to 500 by default', async () => {
    const all = await get('');
    expect(all.body).toHaveLength(70);
    expect(all.next).toBeNull();
  });

  it('refuses a bad limit or cursor with the field\'s path', async () => {
    const cases: [string, string, RegExp][] = [
      ['?limit=0', 'limit', /expected 1\.\.1000/],
      ['?limit=1001', 'limit', /expected 1\.\.1000/],
      ['?limit=ten', 'limit', /whole number/],
      ['?limit=2.5', 'limit', /whole number/],
      ['?limit=-3', 'limit', /whole number/],
      ['?cursor=not-a-cursor', 'cursor', /not a cursor of this list/],
      [`?cursor=${Buffer.from('["mem_1"]').toString('base64url')}`, 'cursor', /not a cursor of this list/],
      [`?cursor=${Buffer.from('["mem_1","yesterday"]').toString('base64url')}`, 'cursor', /not a cursor of this list/],
      [`?cursor=${Buffer.from('{"m":"mem_1"}').toString('base64url')}`, 'cursor', /not a cursor of this list/],
      [`?cursor=${'x'.repeat(601)}`, 'cursor', /600/],
    ];
    for (const [query, field, message] of cases) {
      const res = await d.api(`/v1/workload/snapshots${query}`);
      expect(res.status, query).toBe(422);
      const err = ((await res.json()) as { error: { code: string; message: string; details?: { path: string }[] } }).error;
      expect(err.message, query).toMatch(new RegExp(`^query ${field}: `));
      expect(err.message, query).toMatch(message);
      expect(err.details?.[0]?.path, query).toBe(`query.${field}`);
    }
  });
});
