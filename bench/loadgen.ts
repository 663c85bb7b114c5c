/**
 * An HTTP load generator over undici: N connections, each sending its next request when the last returns
 * (as fast as possible), or with `rate`, each taking the next slot of a clock schedule (request k at
 * start + k / rate), so sleeping late or one slow answer does not drift the rate low.
 */
import { Pool } from 'undici';
import type { LoadResult, LoadSpec } from './lib.js';

const spec = JSON.parse(process.argv[2]!) as LoadSpec;
const pool = new Pool(spec.url, { connections: spec.connections, pipelining: 1 });
const headers: Record<string, string> = { 'content-type': 'application/json' };
if (spec.token) headers.authorization = `Bearer ${spec.token}`;
const templates = spec.bodies?.map((b) => JSON.stringify(b)) ?? (spec.body === undefined ? [] : [JSON.stringify(spec.body)]);
const latencies: number[] = [];
const statuses: Record<string, number> = {};
let errors = 0;
let n = 0;
const started = performance.now();
const until = started + spec.seconds * 1000;
const slotMs = spec.rate ? 1000 / spec.rate : 0;
let slot = 0;

async function worker(): Promise<void> {
  while (performance.now() < until) {
    if (slotMs > 0) {
      const at = started + slot++ * slotMs;
      if (at >= until) return;
      const wait = at - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    const i = n++;
    const body = templates.length ? templates[i % templates.length]!.replaceAll('{{n}}', String(i)) : undefined;
    const t0 = performance.now();
    try {
      const res = await pool.request({ method: spec.method, path: spec.path, headers, body });
      await res.body.dump();
      statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
      if (res.statusCode >= 400) errors++;
    } catch {
      errors++;
    }
    const t1 = performance.now();
    latencies.push(t1 - t0);
  }
}

await Promise.all(Array.from({ length: spec.connections }, worker));
const seconds = (performance.now() - started) / 1000;
await pool.close();
latencies.sort((a, b) => a - b);
const pick = (p: number): number => latencies[Math.min(latencies.length - 1, Math.ceil((p / 100) * latencies.length) - 1)] ?? NaN;
const result: LoadResult = {
  requests: latencies.length, errors, statuses, seconds, rps: latencies.length / seconds, p50: pick(50), p99: pick(99), max: latencies[latencies.length - 1] ?? NaN,
};
process.stdout.write(JSON.stringify(result));
