/**
 * Offline assistant answers: p50/p95 of the intent engine in memory, and of POST /v1/assistant/ask
 * through a demo daemon (tools read the engines over the API, both turns stored). Target p95 <= 50 ms.
 */
import { demoData, IDS, NOW } from '../core/assistant/demo-data.js';
import { answerOffline } from '../core/assistant/offline.js';
import { offeredTools, TOOL_CATALOG } from '../core/assistant/tools.js';
import { fmt, percentile, startBenchDaemon } from './lib.js';

const QUESTIONS = [
  'who is overloaded?',
  'what needs my approval?',
  `why was task ${IDS.task} routed to dba?`,
  'what is failing right now?',
  'open violations and the compliance score?',
  'how is team dba doing?',
  'tell me a joke',
];

async function inMemory(): Promise<number[]> {
  const data = demoData();
  const tools = offeredTools(TOOL_CATALOG, data, () => true);
  const times: number[] = [];
  for (let i = 0; i < 3000; i++) {
    const t0 = performance.now();
    await answerOffline({ question: QUESTIONS[i % QUESTIONS.length]!, tools, data, now: NOW });
    times.push(performance.now() - t0);
  }
  return times.slice(300).sort((a, b) => a - b);
}

async function throughDaemon(): Promise<number[] | null> {
  const d = await startBenchDaemon({ demo: true, env: { ANTHROPIC_API_KEY: '' } });
  try {
    const ask = async (question: string): Promise<number> => {
      const t0 = performance.now();
      const res = await fetch(`${d.url}/v1/assistant/ask`, {
        method: 'POST',
        headers: { authorization: `Bearer ${d.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ question }),
      });
      const body = (await res.json()) as { offline?: boolean };
      if (res.status !== 200 || !body.offline) throw new Error(`ask answered ${res.status}`);
      return performance.now() - t0;
    };
    const live = QUESTIONS.filter((q) => !q.includes(IDS.task));
    for (let i = 0; i < 20; i++) await ask(live[i % live.length]!);
    const times: number[] = [];
    const per = new Map<string, number[]>();
    for (let i = 0; i < 300; i++) {
      const q = live[i % live.length]!;
      const t = await ask(q);
      times.push(t);
      per.set(q, [...(per.get(q) ?? []), t]);
    }
    for (const [q, ts] of per) console.log(`  ${q.padEnd(44)} p50 ${fmt(percentile(ts.sort((a, b) => a - b), 50))} ms, p95 ${fmt(percentile(ts, 95))} ms`);
    return times.sort((a, b) => a - b);
  } finally {
    await d.stop();
  }
}

const mem = await inMemory();
console.log(`offline answers in memory: p50 ${fmt(percentile(mem, 50), 3)} ms, p95 ${fmt(percentile(mem, 95), 3)} ms over ${mem.length}`);
const http = await throughDaemon();
if (http) {
  const p95 = percentile(http, 95);
  console.log(
    `offline answers through the daemon (POST /v1/assistant/ask, stored): p50 ${fmt(percentile(http, 50))} ms, ` +
      `p95 ${fmt(p95)} ms over ${http.length} (target p95 <= 50 ms -> ${p95 <= 50 ? 'met' : 'NOT met'})`,
  );
}
