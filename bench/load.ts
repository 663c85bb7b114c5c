/**
 * bench/load: a mixed workload against a real daemon (demo organisation, SQLite) for 60 s — routing,
 * metric ingest, health checks, offline assistant questions, task acknowledgements (compliance changes),
 * compliance checks and SSE subscribers — printing throughput, p50/p99 per operation, errors and RSS.
 *
 * FOUNDRY_LOAD_SECONDS (default 60; 120 gives the minute-1 vs minute-2 RSS figure), FOUNDRY_LOAD_SCALE
 * (rate multiplier, default 1), FOUNDRY_LOAD_SSE (subscribers, default 20), FOUNDRY_LOAD_WARMUP (unmeasured
 * seconds of the same mix after /readyz answers, default 5).
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { cpuSeconds, DIST_BENCH, fmt, median, percentile, rssMb, startBenchDaemon } from './lib.js';
import type { LoadWorkerSpec, OpResult } from './load-worker.js';

/** p99 targets: the seed's, divided by ten (issue 9). */
const TARGETS_MS: Record<string, number> = { route: 20, health: 10, compliance_check: 50 };

const seconds = Number(process.env.FOUNDRY_LOAD_SECONDS) || 60;
const scale = Number(process.env.FOUNDRY_LOAD_SCALE) || 1;
const sseClients = Number(process.env.FOUNDRY_LOAD_SSE ?? 20);
const warmup = Number(process.env.FOUNDRY_LOAD_WARMUP ?? 5);

const daemon = await startBenchDaemon({ demo: true, env: { ANTHROPIC_API_KEY: '', FOUNDRY_RATE_LIMIT: 'off' } });
function runWorker(spec: LoadWorkerSpec): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, [join(DIST_BENCH, 'load-worker.js'), JSON.stringify(spec)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let text = '';
    child.stdout.on('data', (d: Buffer) => (text += d.toString()));
    child.on('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`load worker exited ${code}`))));
  });
}

// Start-up work (the first classifier training, the workload backfill) is not what is measured:
// wait until the daemon says it is ready, then warm it up with the same mix, unmeasured.
while ((await fetch(`${daemon.url}/readyz`, { headers: { authorization: `Bearer ${daemon.token}` } })).status !== 200) await new Promise((r) => setTimeout(r, 100));
if (warmup > 0) await runWorker({ url: daemon.url, token: daemon.token, seconds: warmup, scale, sseClients: 0 });
const cpuAtStart = cpuSeconds(daemon.pid);
const rss: [number, number][] = [];
const t0 = Date.now();
// What the resident memory is made of at the end of each minute: anonymous (heaps) vs file pages (SQLite's
// shared-memory index and the database pages the kernel maps in).
const parts: string[] = [];
const sampler = setInterval(() => {
  const t = (Date.now() - t0) / 1000;
  rss.push([t, rssMb(daemon.pid)]);
  if (Math.round(t) % 60 === 0 && Math.round(t) > 0) {
    const status = readFileSync(`/proc/${daemon.pid}/status`, 'utf8');
    const kb = (k: string): string => fmt(Number(new RegExp(`${k}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN) / 1024);
    const at = Math.round(t);
    void fetch(`${daemon.url}/metrics`, { headers: { authorization: `Bearer ${daemon.token}` } }).then((r) => r.text()).then((text) => {
      const mb = (name: string): string => fmt(Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN) / 2 ** 20);
      parts.push(`at ${at} s anon ${kb('RssAnon')} MB (JS heap ${mb('nodejs_heap_size_used_bytes')} used of ${mb('nodejs_heap_size_total_bytes')}, external ${mb('nodejs_external_memory_bytes')}), file ${kb('RssFile')} MB`);
    });
  }
}, 1000);
try {
  const spec: LoadWorkerSpec = { url: daemon.url, token: daemon.token, seconds, scale, sseClients };
  const out = await runWorker(spec);
  clearInterval(sampler);
  const cpuUsed = cpuSeconds(daemon.pid) - cpuAtStart;
  const metricsText = await (await fetch(`${daemon.url}/metrics`, { headers: { authorization: `Bearer ${daemon.token}` } })).text();
  const gauge = (name: string): number => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(metricsText)?.[1] ?? NaN) * 1000;
  const { results, sseEvents } = JSON.parse(out) as { results: OpResult[]; sseEvents: number[] };

  console.log(`mixed load for ${seconds} s after ${warmup} s of warm-up (scale ${scale}), ${sseClients} SSE subscribers, daemon pid ${daemon.pid} (SQLite, demo org)`);
  console.log('operation          requests   req/s   p50 ms   p99 ms   max ms  errors  p99 target');
  let totalErrors = 0;
  let total = 0;
  for (const r of results) {
    const lat = r.samples.map((s) => s[1]).sort((a, b) => a - b);
    const target = TARGETS_MS[r.op];
    const p99 = percentile(lat, 99);
    totalErrors += r.errors;
    total += r.requests;
    const verdict = target === undefined ? '' : `${target} ms ${p99 <= target ? 'ok' : 'MISSED'}`;
    console.log(`${r.op.padEnd(18)} ${String(r.requests).padStart(8)} ${fmt(r.requests / seconds).padStart(7)} ${fmt(percentile(lat, 50), 2).padStart(8)} ${fmt(p99, 2).padStart(8)} ${fmt(lat[lat.length - 1] ?? NaN, 1).padStart(8)} ${String(r.errors).padStart(7)}  ${verdict}`);
    if (r.errors > 0) console.log(`  statuses: ${JSON.stringify(r.statuses)}`);
  }
  console.log(`total: ${total} requests, ${fmt(total / seconds)} req/s, ${totalErrors} errors; SSE events received per subscriber: min ${Math.min(...sseEvents)}, max ${Math.max(...sseEvents)}`);
  const slow = new Map<number, number>();
  for (const r of results) for (const [t, ms] of r.samples) if (ms > 50) slow.set(Math.floor(t / 5000) * 5, (slow.get(Math.floor(t / 5000) * 5) ?? 0) + 1);
  console.log(`requests over 50 ms by 5 s window: ${[...slow.entries()].sort((a, b) => a[0] - b[0]).map(([t, n]) => `${t}s:${n}`).join(' ') || 'none'}`);
  // Tells a slow daemon from a busy machine: the daemon's own CPU use and how long its event loop stalled.
  console.log(`daemon CPU ${fmt((cpuUsed / seconds) * 100)} % of one core; event-loop delay p50 ${fmt(gauge('nodejs_eventloop_lag_p50_seconds'), 2)} ms, p99 ${fmt(gauge('nodejs_eventloop_lag_p99_seconds'), 2)} ms, max ${fmt(gauge('nodejs_eventloop_lag_max_seconds'), 1)} ms; machine load ${loadavg().map((l) => fmt(l, 2)).join(' ')} on ${cpus().length} cores`);
  const at = (s: number): number => rss.filter(([t]) => t <= s).at(-1)?.[1] ?? NaN;
  const half = seconds / 2;
  console.log(`RSS: start ${fmt(rss[0]?.[1] ?? NaN)} MB, at ${half} s ${fmt(at(half))} MB, at ${seconds} s ${fmt(at(seconds))} MB, growth over the second half ${fmt(((at(seconds) - at(half)) / at(half)) * 100)} %`);
  if (parts.length > 0) console.log(`RSS parts: ${parts.join('; ')}`);
  if (seconds >= 120) {
    // One sample lands anywhere on the garbage collector's sawtooth; the median of each minute's last
    // 10 samples (one a second) is the level the process sits at.
    const level = (s: number): number => median(rss.filter(([t]) => t > s - 10 && t <= s).map(([, mb]) => mb));
    const [m1, m2] = [level(60), level(120)];
    console.log(`RSS minute 1 → minute 2 (median of each minute's last 10 s): ${fmt(m1)} → ${fmt(m2)} MB (${fmt(((m2 - m1) / m1) * 100)} %, target ≤ 10 % -> ${(m2 - m1) / m1 <= 0.1 ? 'met' : 'NOT met'}); single samples ${fmt(at(60))} → ${fmt(at(120))} MB`);
  }
} finally {
  clearInterval(sampler);
  await daemon.stop();
}
