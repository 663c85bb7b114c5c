/**
 * Time from starting `foundry-op ask "…"` to the first streamed token on stdout, with the fake
 * Anthropic server answering at once (target <= 150 ms including process start), beside the
 * start-up of `node -e 0` on this machine in the same run.
 */
import { spawn, spawnSync } from 'node:child_process';
import { startFakeAnthropic } from '../fixtures/fake-anthropic/index.js';
import { BIN, fmt, median, percentile, startBenchDaemon } from './lib.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const fake = await startFakeAnthropic({ fallback: { text: 'Nobody is overloaded right now; the busiest member is at 80%.' } });
const d = await startBenchDaemon({ demo: true, env: { ANTHROPIC_API_KEY: 'sk-ant-bench', ANTHROPIC_BASE_URL: fake.url } });

function firstToken(): Promise<{ first: number; total: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let first = 0;
    const p = spawn(process.execPath, [BIN, 'ask', 'who is overloaded?'], {
      env: { ...process.env, FOUNDRY_URL: d.url, FOUNDRY_TOKEN: d.token, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    p.stdout.on('data', () => {
      if (!first) first = performance.now() - t0;
    });
    p.on('error', reject);
    p.on('exit', (code) => (code === 0 && first ? resolve({ first, total: performance.now() - t0 }) : reject(new Error(`ask exited ${code}`))));
  });
}

/** The daemon's part alone: POST from this process to the first `text` event. */
async function daemonFirstToken(): Promise<number> {
  const t0 = performance.now();
  const res = await fetch(`${d.url}/v1/assistant/ask`, {
    method: 'POST',
    headers: { authorization: `Bearer ${d.token}`, 'content-type': 'application/json', accept: 'text/event-stream' },
    body: JSON.stringify({ question: 'who is overloaded?' }),
  });
  const reader = res.body!.getReader();
  let text = '';
  let first = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    text += Buffer.from(value).toString();
    if (!first && text.includes('event: text')) first = performance.now() - t0;
  }
  return first;
}

try {
  const inProcess: number[] = [];
  for (let i = 0; i < 5; i++) await daemonFirstToken();
  for (let i = 0; i < 30; i++) inProcess.push(await daemonFirstToken());
  inProcess.sort((a, b) => a - b);
  console.log(`daemon alone (POST -> first text event): median ${fmt(median(inProcess))} ms, p95 ${fmt(percentile(inProcess, 95))} ms`);
  const node: number[] = [];
  const firsts: number[] = [];
  const totals: number[] = [];
  await firstToken(); // warm the daemon and the file cache
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    spawnSync(process.execPath, ['-e', '0'], { stdio: 'ignore' });
    node.push(performance.now() - t0);
    const r = await firstToken();
    firsts.push(r.first);
    totals.push(r.total);
  }
  firsts.sort((a, b) => a - b);
  const m = median(firsts);
  console.log(
    `ask -> first streamed token: median ${fmt(m)} ms, p95 ${fmt(percentile(firsts, 95))} ms; whole answer median ${fmt(median(totals))} ms; ` +
      `node -e 0 median ${fmt(median(node))} ms (target first token <= 150 ms -> ${m <= 150 ? 'met' : 'NOT met'})`,
  );
} finally {
  await d.stop();
  await fake.close();
}
