/**
 * Scaled mode: events published on daemon A reach an SSE client on daemon B (p99 at 500 events/s),
 * and routing throughput on PostgreSQL beside SQLite in the same run.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { benchPgUrl, DIST_BENCH, fmt, runLoad, startBenchDaemon, type BenchDaemon } from './lib.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const REDIS = process.env.FOUNDRY_TEST_REDIS ?? 'redis://127.0.0.1:6379';
const routeBody = { title: 'Postgres replication lag on db-{{n}}', description: 'replica behind by 5 minutes', priority: 'P2' };

async function routing(d: BenchDaemon): Promise<{ rps: number; p99: number; errors: number }> {
  await runLoad({ url: d.url, method: 'POST', path: '/v1/route', body: routeBody, token: d.token, connections: 32, seconds: 2 });
  return runLoad({ url: d.url, method: 'POST', path: '/v1/route', body: routeBody, token: d.token, connections: 32, seconds: SECONDS });
}

const pg = await benchPgUrl();
if (!pg) {
  console.log('skipped: no PostgreSQL answers (set FOUNDRY_TEST_PG)');
} else {
  const prefix = `bench${Date.now().toString(36)}`;
  const a = await startBenchDaemon({ demo: true, db: pg.url, redis: `${REDIS}?prefix=${prefix}` });
  const b = await startBenchDaemon({ copyHomeFrom: a.home, redis: `${REDIS}?prefix=${prefix}` });
  try {
    const clients = spawn(process.execPath, [join(DIST_BENCH, 'sse-clients.js'), JSON.stringify({ url: b.url, token: b.token, clients: 1, sampleEvery: 1 })], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    clients.stdout!.on('data', (x: Buffer) => (out += x.toString()));
    while (!out.includes('ready')) await new Promise((r) => setTimeout(r, 50));
    const load = await runLoad({ url: a.url, method: 'POST', path: '/v1/tasks', body: { title: 'cross {{n}}' }, token: a.token, connections: 32, seconds: SECONDS, rate: 500 });
    const published = load.requests - load.errors;
    // The client counts until it has every published event (or 10 s pass), then reports.
    clients.stdin!.end(`${published}\n`);
    while (!out.includes('"complete"')) await new Promise((r) => setTimeout(r, 50));
    const r = JSON.parse(out.split('\n').find((l) => l.includes('"complete"'))!) as { min: number; outOfOrder: number; p50: number; p99: number };
    const valid = load.rps >= 500 * 0.95 && r.min === published && r.outOfOrder === 0;
    console.log(`cross-daemon delivery (publish on A at ${fmt(load.rps, 0)}/s, publish p99 ${fmt(load.p99, 1)} ms; SSE on B): received ${r.min} of ${published} in order: ${r.min === published && r.outOfOrder === 0 ? 'yes' : 'no'}; p50 ${fmt(r.p50, 0)} ms, p99 ${fmt(r.p99, 0)} ms (target 500/s with p99 <= 50 ms -> ${valid && r.p99 <= 50 ? 'met' : 'NOT met'})`);
    const onPg = await routing(a);
    console.log(`routing on PostgreSQL (32 connections): ${fmt(onPg.rps, 0)} decisions/s, p99 ${fmt(onPg.p99, 2)} ms, errors ${onPg.errors}`);
  } finally {
    await b.stop();
    await a.stop();
    await pg.drop();
  }
  const lite = await startBenchDaemon({ demo: true });
  try {
    const onSqlite = await routing(lite);
    console.log(`routing on SQLite (32 connections, same run): ${fmt(onSqlite.rps, 0)} decisions/s, p99 ${fmt(onSqlite.p99, 2)} ms, errors ${onSqlite.errors}`);
  } finally {
    await lite.stop();
  }
}
