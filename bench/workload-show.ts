/**
 * `workload show` for a 500-member organisation (target: p99 ≤ 50 ms): a daemon in its own process
 * with 90 days of task history and snapshots; sequential GET /v1/workload (what the command waits
 * for), for the whole org and for one team. Also times the CLI end to end, process start included.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Team } from '../core/model.js';
import { openStore } from '../server/store/index.js';
import { syntheticOrg } from '../fixtures/workload/synthetic.js';
import { BIN, fmt, percentile, startBenchDaemon } from './lib.js';

const MEMBERS = 500;
const DAYS = 90;
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 300);

async function timed(url: string, token: string, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`GET ${url}: ${res.status}`);
    out.push(performance.now() - t0);
  }
  return out.sort((a, b) => a - b);
}

const d = await startBenchDaemon();
try {
  const { orgId } = JSON.parse(readFileSync(join(d.home, 'config.json'), 'utf8')) as { orgId: string };
  const now = Date.now();
  const org = syntheticOrg({ members: MEMBERS, days: DAYS, endAt: now, tasksPerDay: 1.5, teams: 50 });
  const store = await openStore(`sqlite:${join(d.home, 'foundry.db')}`);
  const teams = new Set(org.members.map((m) => m.teamId!));
  await store.transaction(async (tx) => {
    for (const id of teams) {
      const team: Team = { id, orgId, name: id.replace('_', '-'), description: null, timezone: null, workingHours: null, holidays: [], createdAt: now - DAYS * 86_400_000 };
      await tx.teams.insert(team);
    }
    for (const m of org.members) await tx.members.insert({ ...m, orgId });
  });
  await store.tasks.insertMany(org.tasks.map((t) => ({ ...t, orgId })));
  await store.close();

  const t0 = performance.now();
  const refresh = await fetch(`${d.url}/v1/workload/refresh`, {
    method: 'POST', headers: { authorization: `Bearer ${d.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ days: DAYS }),
  });
  const body = (await refresh.json()) as { snapshots: number };
  console.log(`backfill of ${MEMBERS} members × ${DAYS} days (${org.tasks.length} tasks) through the daemon: ${fmt(performance.now() - t0, 0)} ms, ${body.snapshots} snapshots`);

  await timed(`${d.url}/v1/workload`, d.token, 20);
  const all = await timed(`${d.url}/v1/workload`, d.token, REQUESTS);
  const team = await timed(`${d.url}/v1/workload?team=team-3`, d.token, REQUESTS);
  const p99 = percentile(all, 99);
  console.log(`GET /v1/workload, ${MEMBERS} members, ${REQUESTS} sequential: p50 ${fmt(percentile(all, 50), 2)} ms, p99 ${fmt(p99, 2)} ms`);
  console.log(`GET /v1/workload?team=…, 10 members:          p50 ${fmt(percentile(team, 50), 2)} ms, p99 ${fmt(percentile(team, 99), 2)} ms`);
  console.log(`target: p99 <= 50 ms -> ${p99 <= 50 ? 'met' : 'NOT met'}`);

  // The first read after a refresh computes the view (later ones are served until the next refresh or
  // a directory change): time that too, so the figure above is not only the cache.
  const cold: number[] = [];
  for (let i = 0; i < 15; i++) {
    await fetch(`${d.url}/v1/workload/refresh`, {
      method: 'POST', headers: { authorization: `Bearer ${d.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ days: 1 }),
    }).then((r) => r.arrayBuffer());
    cold.push(...(await timed(`${d.url}/v1/workload`, d.token, 1)));
  }
  cold.sort((a, b) => a - b);
  console.log(`first GET /v1/workload after a refresh (computed, 15 runs): p50 ${fmt(percentile(cold, 50), 2)} ms, max ${fmt(cold[cold.length - 1]!, 2)} ms`);
  console.log(`load average ${(await import('node:os')).loadavg()[0]!.toFixed(1)} on ${(await import('node:os')).cpus().length} cores`);

  const cli: number[] = [];
  for (let i = 0; i < 5; i++) {
    const c0 = performance.now();
    const r = spawnSync(process.execPath, [BIN, 'workload', 'show', '--json'], { env: { ...process.env, FOUNDRY_URL: d.url, FOUNDRY_TOKEN: d.token }, stdio: ['ignore', 'ignore', 'ignore'] });
    if (r.status !== 0) throw new Error(`workload show exited ${r.status}`);
    cli.push(performance.now() - c0);
  }
  cli.sort((a, b) => a - b);
  console.log(`foundry-op workload show --json end to end (node start included), 5 runs: median ${fmt(percentile(cli, 50), 0)} ms`);
} finally {
  await d.stop();
}
