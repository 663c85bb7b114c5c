/** 1,000 SSE clients each receive every event of a 500 events/s stream; delivery delay p50/p99. */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpuSeconds, DIST_BENCH, fmt, runLoad, startBenchDaemon } from './lib.js';

const CLIENTS = Number(process.env.BENCH_SSE_CLIENTS ?? 1000);
const RATE = 500;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);

const d = await startBenchDaemon({ env: { FOUNDRY_RATE_LIMIT: 'off' } });
try {
  const clients = spawn(process.execPath, [join(DIST_BENCH, 'sse-clients.js'), JSON.stringify({ url: d.url, token: d.token, clients: CLIENTS, sampleEvery: 10 })], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  clients.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  while (!out.includes('ready')) await new Promise((r) => setTimeout(r, 50));
  const daemonCpu0 = cpuSeconds(d.pid);
  const load = await runLoad({ url: d.url, method: 'POST', path: '/v1/tasks', body: { title: 'event {{n}}' }, token: d.token, connections: 32, seconds: SECONDS, rate: RATE });
  const published = load.requests - load.errors;
  // The clients count until each has every published event (or 10 s pass), then report.
  clients.stdin!.end(`${published}\n`);
  while (!out.includes('"complete"')) await new Promise((r) => setTimeout(r, 50));
  const daemonCpu = cpuSeconds(d.pid) - daemonCpu0;
  const r = JSON.parse(out.split('\n').find((l) => l.includes('"complete"'))!) as { complete: number; min: number; most: number; outOfOrder: number; closedEarly: number; cpuSeconds: number; loopDelayP99: number; loopDelayMax: number; p50: number; p99: number; max: number };
  const everyEvent = r.min === published && r.most === published && r.outOfOrder === 0 && r.closedEarly === 0;
  console.log(`published ${published} events at ${fmt(load.rps, 0)}/s (aim ${RATE}/s) to ${CLIENTS} SSE clients; publish p99 ${fmt(load.p99, 1)} ms`);
  console.log(`every client received every event in order: ${everyEvent ? 'yes' : 'no'} (fewest received: ${r.min}, most: ${r.most}, of ${published}; out of order: ${r.outOfOrder}; disconnected: ${r.closedEarly})`);
  console.log(`delivery delay: p50 ${fmt(r.p50, 0)} ms, p99 ${fmt(r.p99, 0)} ms, max ${fmt(r.max, 0)} ms (target 500/s with p99 <= 50 ms -> ${r.p99 <= 50 && everyEvent && load.rps >= RATE * 0.95 ? 'met' : 'NOT met'})`);
  // On a shared machine wall-clock delay includes waiting for a core; this is what each side spent.
  console.log(`daemon CPU: ${fmt(daemonCpu, 2)} s = ${fmt((daemonCpu * 1e6) / published, 0)} µs per event delivered to ${CLIENTS} clients; client process CPU: ${fmt(r.cpuSeconds, 2)} s, its event loop late by p99 ${fmt(r.loopDelayP99, 1)} ms, max ${fmt(r.loopDelayMax, 0)} ms (load average ${readFileSync('/proc/loadavg', 'utf8').split(' ')[0]})`);
} finally {
  await d.stop();
}
