/**
 * Alert → issue → first playbook step started, through the real daemon: a firing alert is POSTed to
 * /v1/integrations/alertmanager, the detection side opens an issue (`issue.detected`), the action side
 * starts the matching playbook from its durable queue, and we time the `action.step_started` event
 * (the step's `running` record committed, just before its program is spawned) as seen over SSE.
 * Alerts go one at a time (each a new issue on a new target), then in bursts of many per webhook.
 */
import { performance } from 'node:perf_hooks';
import { fmt, percentile, startBenchDaemon } from './lib.js';

const N = Number(process.env.BENCH_ALERTS ?? 300);
const BURST = Number(process.env.BENCH_BURST ?? 20);
const BURSTS = Number(process.env.BENCH_BURSTS ?? 5);

interface Seen { type: string; at: number; data: Record<string, unknown> }

/** A tiny SSE reader: calls back with each event and the moment it arrived. */
async function subscribe(url: string, token: string, onEvent: (e: Seen) => void): Promise<AbortController> {
  const ac = new AbortController();
  const res = await fetch(`${url}/v1/events?types=issue.detected,action.step_started`, { headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' }, signal: ac.signal });
  if (!res.ok || !res.body) throw new Error(`SSE: ${res.status}`);
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buf = '';
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        const at = performance.now();
        buf += decoder.decode(value, { stream: true });
        let i: number;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          let type = '';
          let data = '';
          for (const line of block.split('\n')) {
            if (line.startsWith('event:')) type = line.slice(6).trim();
            else if (line.startsWith('data:')) data += line.slice(5).trim();
          }
          if (type && data) onEvent({ type, at, data: JSON.parse(data) as Record<string, unknown> });
        }
      }
    } catch {
      // aborted at the end
    }
  })();
  return ac;
}

function alert(i: number): Record<string, unknown> {
  return { status: 'firing', labels: { alertname: 'BenchDown', service: `svc-${i}`, severity: 'high' }, annotations: { summary: `svc-${i} is down` }, startsAt: new Date().toISOString() };
}

const d = await startBenchDaemon({ env: { FOUNDRY_SETTING_HEALING_MAX_CONCURRENT: String(BURST * 2) } });
try {
  const auth = { authorization: `Bearer ${d.token}`, 'content-type': 'application/json' };
  const source = ['name: bench-restart', 'trigger: {source: alert, labels: {alertname: BenchDown}}', 'cooldown: 0', 'steps:', '  - {id: restart, type: exec, argv: ["true"], idempotent: true}'].join('\n');
  const added = await fetch(`${d.url}/v1/healing/playbooks`, { method: 'POST', headers: auth, body: JSON.stringify({ source }) });
  if (added.status !== 201) throw new Error(`adding the playbook: ${added.status} ${await added.text()}`);

  let waiters: Array<{ type: string; resolve: (e: Seen) => void }> = [];
  const ac = await subscribe(d.url, d.token, (e) => {
    const w = waiters.find((x) => x.type === e.type);
    if (w) {
      waiters = waiters.filter((x) => x !== w);
      w.resolve(e);
    }
  });
  const next = (type: string) => new Promise<Seen>((resolve) => waiters.push({ type, resolve }));
  const post = async (alerts: unknown[]) => {
    const r = await fetch(`${d.url}/v1/integrations/alertmanager`, { method: 'POST', headers: auth, body: JSON.stringify({ version: '4', status: 'firing', receiver: 'foundry', alerts }) });
    if (r.status >= 300) throw new Error(`webhook: ${r.status} ${await r.text()}`);
  };

  const total: number[] = [];
  const answered: number[] = [];
  for (let i = 0; i < N + 20; i++) {
    const issueSeen = next('issue.detected');
    const stepSeen = next('action.step_started');
    const t0 = performance.now();
    await post([alert(i)]);
    const t1 = performance.now();
    const [, step] = await Promise.all([issueSeen, stepSeen]);
    if (i >= 20) {
      // the first 20 warm the JIT and the SQLite page cache
      total.push(step.at - t0);
      answered.push(t1 - t0);
    }
  }
  total.sort((a, b) => a - b);
  answered.sort((a, b) => a - b);
  console.log(`alert -> issue -> first step started, one alert at a time (${N} alerts, SQLite, over HTTP + SSE):`);
  console.log(`  p50 ${fmt(percentile(total, 50), 1)} ms, p95 ${fmt(percentile(total, 95), 1)} ms, p99 ${fmt(percentile(total, 99), 1)} ms, max ${fmt(total.at(-1)!, 1)} ms`);
  console.log(`  (the webhook itself answered in p50 ${fmt(percentile(answered, 50), 1)} ms, p99 ${fmt(percentile(answered, 99), 1)} ms)`);

  const burst: number[] = [];
  for (let b = 0; b < BURSTS; b++) {
    const seen: Promise<Seen>[] = [];
    for (let k = 0; k < BURST; k++) seen.push(next('action.step_started'));
    const t0 = performance.now();
    await post(Array.from({ length: BURST }, (_, k) => alert(100_000 + b * BURST + k)));
    for (const e of await Promise.all(seen)) burst.push(e.at - t0);
  }
  burst.sort((a, b) => a - b);
  console.log(`bursts of ${BURST} alerts in one webhook (${BURSTS} bursts): first steps started p50 ${fmt(percentile(burst, 50), 1)} ms, p99 ${fmt(percentile(burst, 99), 1)} ms, max ${fmt(burst.at(-1)!, 1)} ms`);
  const p99 = percentile(total, 99);
  console.log(`target: p99 <= 200 ms -> ${p99 <= 200 ? 'met' : 'NOT met'} (${fmt(p99, 1)} ms)`);
  ac.abort();
} finally {
  await d.stop();
}
