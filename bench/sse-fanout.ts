/** 1,000 SSE clients each receive every event of a 500 events/s stream; delivery delay p50/p99. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { DIST_BENCH, fmt, runLoad, startBenchDaemon } from './lib.js';

const CLIENTS = Number(process.env.BENCH_SSE_CLIENTS ?? 1000);
const RATE = 500;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);

const d = await startBenchDaemon({ env: { FOUNDRY_RATE_LIMIT: 'off' } });
try {
  const expected = Math.floor(RATE * SECONDS * 0.95);
  const clients = spawn(process.execPath, [join(DIST_BENCH, 'sse-clients.js'), JSON.stringify({ url: d.url, token: d.token, clients: CLIENTS, expected, sampleEvery: 10 })], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  clients.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  while (!out.includes('ready')) await new Promise((r) => setTimeout(r, 50));
  const load = await runLoad({ url: d.url, method: 'POST', path: '/v1/tasks', body: { title: 'event {{n}}' }, token: d.token, connections: 32, seconds: SECONDS, rate: RATE });
  const published = load.requests - load.errors;
  // Give stragglers a moment, then ask for the figures.
  const deadline = Date.now() + 10_000;
  while (!out.includes('"complete"') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (!out.includes('"complete"')) clients.kill('SIGTERM');
  while (!out.includes('"complete"')) await new Promise((r) => setTimeout(r, 50));
  const r = JSON.parse(out.split('\n').find((l) => l.includes('"complete"'))!) as { complete: number; min: number; p50: number; p99: number; max: number };
  const everyEvent = r.min >= published;
  console.log(`published ${published} events at ${fmt(load.rps, 0)}/s (aim ${RATE}/s) to ${CLIENTS} SSE clients; publish p99 ${fmt(load.p99, 1)} ms`);
  console.log(`every client received every event: ${everyEvent ? 'yes' : 'no'} (fewest received: ${r.min} of ${published})`);
  console.log(`delivery delay: p50 ${fmt(r.p50, 0)} ms, p99 ${fmt(r.p99, 0)} ms, max ${fmt(r.max, 0)} ms (target 500/s with p99 <= 50 ms -> ${r.p99 <= 50 && everyEvent && load.rps >= RATE * 0.95 ? 'met' : 'NOT met'})`);
} finally {
  await d.stop();
}
