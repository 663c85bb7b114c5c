/**
 * Routing decisions over HTTP on SQLite at 32 connections: POST /v1/route on the demo organisation
 * (6 teams, 40 members, its resolved tasks as history) with 200 rules, first as dry runs (decide
 * only), then storing task + decision + audit + events in one transaction each. A third of the tasks
 * are decided by a rule, the rest by the classifier.
 */
import { fmt, runLoad, startBenchDaemon, type LoadResult, type LoadSpec, cpuSeconds } from './lib.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = 32;
const titles = '{{n}} postgres replication lag|checkout button unresponsive {{n}}|kubernetes pod crashloop {{n}}';

async function addRules(url: string, token: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const conditions = i % 2 === 0
      ? { all: [{ field: 'title', op: 'matches', value: `\\bzz${i}(foo|bar)\\b`, flags: 'i' }, { field: 'priority', op: 'in', value: ['P1', 'P2'] }] }
      : { any: [{ field: 'tags.service', op: 'eq', value: `svc-${i}` }, { field: 'description', op: 'contains', value: `marker-${i}`, flags: 'i' }] };
    const res = await fetch(`${url}/v1/rules`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: `bench-${i}`, priority: 1000 + i, conditions, actions: { team: 'platform', tags: { rule: String(i) } } }),
    });
    if (res.status !== 201) throw new Error(`rule ${i}: ${res.status} ${await res.text()}`);
  }
}

const d = await startBenchDaemon({ demo: true });
try {
  await addRules(d.url, d.token);
  // In turn: one title a rule decides (database-to-dba), two the classifier decides.
  const bodies = (dryRun: boolean) => titles.split('|').map((title) => ({ title, description: 'seen by monitoring since the deploy', priority: 'P3', tags: { service: 'svc-{{n}}' }, dryRun }));
  // warm-up: the classifier trains on first use
  await runLoad({ url: d.url, method: 'POST', path: '/v1/route', bodies: bodies(true), token: d.token, connections: 4, seconds: 2 });
  const measured = async (spec: LoadSpec): Promise<LoadResult & { cpuMs: number }> => {
    const c0 = cpuSeconds(d.pid);
    const r = await runLoad(spec);
    return { ...r, cpuMs: ((cpuSeconds(d.pid) - c0) * 1000) / Math.max(1, r.requests) };
  };
  // ROUTING_BENCH_ONLY=stored (or dry, plain) measures one case, e.g. under a profiler
  const only = process.env.ROUTING_BENCH_ONLY;
  const skipped = { requests: 0, errors: 0, statuses: {}, seconds: 0, rps: 0, p50: 0, p99: 0, max: 0, cpuMs: 0 };
  const measure = (name: string, spec: LoadSpec) => (only && only !== name ? Promise.resolve(skipped) : measured(spec));
  const dry = await measure('dry', { url: d.url, method: 'POST', path: '/v1/route', bodies: bodies(true), token: d.token, connections: CONNECTIONS, seconds: SECONDS });
  const stored = await measure('stored', { url: d.url, method: 'POST', path: '/v1/route', bodies: bodies(false), token: d.token, connections: CONNECTIONS, seconds: SECONDS });
  const plain = await measure('plain', { url: d.url, method: 'POST', path: '/v1/tasks', body: { title: 'plain task {{n}}', priority: 'P3' }, token: d.token, connections: CONNECTIONS, seconds: SECONDS });
  const line = (what: string, r: typeof dry) =>
    `${what}: ${fmt(r.rps, 0)} decisions/s, p50 ${fmt(r.p50, 2)} ms, p99 ${fmt(r.p99, 2)} ms, daemon CPU ${fmt(r.cpuMs, 2)} ms each (≈ ${fmt(1000 / r.cpuMs, 0)}/s per free core), errors ${r.errors}`;
  console.log(`POST /v1/route (SQLite, demo org, 200 rules, ${CONNECTIONS} connections, ${SECONDS}s each)`);
  console.log(`  ${line('dry run (decide only)      ', dry)}`);
  console.log(`  ${line('stored (task + decision tx) ', stored)}`);
  console.log(`  ${line('POST /v1/tasks, no routing  ', plain).replace('decisions/s', 'req/s')}   (same run, for scale)`);
  console.log(`  target: >= 3,000 decisions/s with p99 <= 20 ms -> dry run ${dry.rps >= 3000 && dry.p99 <= 20 ? 'met' : 'NOT met'}, stored ${stored.rps >= 3000 && stored.p99 <= 20 ? 'met' : 'NOT met'}`);
} finally {
  await d.stop();
}
