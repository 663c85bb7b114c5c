/**
 * POST /v1/tasks on SQLite (authenticated, validated, stored, audited, event published) at 32
 * connections, beside a bare node:http server that only parses the same JSON, in the same run.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { DIST_BENCH, fmt, runLoad, startBenchDaemon } from './lib.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = 32;
const body = { title: 'Replica lag on db-{{n}}', description: 'replication behind by 30s on the eu cluster', priority: 'P2', tags: { host: 'db-{{n}}' } };

async function bare(): Promise<{ rps: number; p99: number }> {
  const child = spawn(process.execPath, [join(DIST_BENCH, 'bare-server.js')], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve) => child.stdout!.once('data', (d: Buffer) => resolve(JSON.parse(d.toString()).port)));
  const r = await runLoad({ url: `http://127.0.0.1:${port}`, method: 'POST', path: '/', body, connections: CONNECTIONS, seconds: SECONDS });
  child.kill('SIGTERM');
  return r;
}

const d = await startBenchDaemon({ demo: true });
try {
  // warm-up
  await runLoad({ url: d.url, method: 'POST', path: '/v1/tasks', body, token: d.token, connections: CONNECTIONS, seconds: 2 });
  const ours = await runLoad({ url: d.url, method: 'POST', path: '/v1/tasks', body, token: d.token, connections: CONNECTIONS, seconds: SECONDS });
  const base = await bare();
  console.log(`POST /v1/tasks (SQLite, ${CONNECTIONS} connections, ${SECONDS}s): ${fmt(ours.rps, 0)} req/s, p50 ${fmt(ours.p50, 2)} ms, p99 ${fmt(ours.p99, 2)} ms, errors ${ours.errors}`);
  console.log(`bare node:http JSON parse (same run):      ${fmt(base.rps, 0)} req/s, p99 ${fmt(base.p99, 2)} ms`);
  console.log(`ratio ours / bare: ${fmt(ours.rps / base.rps, 2)}`);
  console.log(`target: >= 5,000 req/s with p99 <= 20 ms -> ${ours.rps >= 5000 && ours.p99 <= 20 ? 'met' : 'NOT met'}`);
} finally {
  await d.stop();
}
