/**
 * The mixed workload of bench/load, in its own process: paced request loops per operation plus SSE
 * subscribers. Prints one JSON document: per-operation latencies and statuses, SSE events received.
 */
import { Pool } from 'undici';

export interface LoadWorkerSpec {
  url: string;
  token: string;
  seconds: number;
  /** Multiplies every operation's rate. */
  scale: number;
  sseClients: number;
}

export interface OpResult {
  op: string;
  requests: number;
  errors: number;
  statuses: Record<string, number>;
  /** Latencies in ms, sampled in time order (for per-minute figures). */
  samples: [number, number][];
}

interface Op {
  name: string;
  /** Requests per second (before scale). */
  rate: number;
  connections: number;
  request(i: number): { method: 'GET' | 'POST'; path: string; body?: unknown };
}

const TITLES = [
  'Postgres replica lag on orders-db', 'Checkout API returns 502 for EU customers', 'iOS app crashes on login after update',
  'Disk almost full on build runner', 'Suspicious login attempts on admin panel', 'Customer cannot reset password',
  'Kafka consumer lag growing on billing topic', 'Android push notifications delayed', 'SSL certificate expires in 5 days',
  'Dashboard charts render blank in Safari',
];
const QUESTIONS = ['how many open tasks are there?', 'which team has the most open P1 tasks?', 'who is on the dba team?', 'what is the compliance score?'];

const spec = JSON.parse(process.argv[2]!) as LoadWorkerSpec;
const taskIds: string[] = [];

const ops: Op[] = [
  {
    name: 'route', rate: 40, connections: 4,
    request: (i) => ({ method: 'POST', path: '/v1/route', body: { title: `${TITLES[i % TITLES.length]} #${i}`, description: 'seen by monitoring; customers affected', priority: (['P1', 'P2', 'P3', 'P4'] as const)[i % 4] } }),
  },
  { name: 'ingest', rate: 100, connections: 4, request: (i) => ({ method: 'POST', path: '/v1/metrics', body: { name: 'api_latency_p99', value: 0.2 + ((i * 7919) % 100) / 1000, tags: { service: 'api' } } }) },
  { name: 'health', rate: 50, connections: 2, request: () => ({ method: 'GET', path: '/healthz' }) },
  { name: 'ask', rate: 4, connections: 1, request: (i) => ({ method: 'POST', path: '/v1/assistant/ask', body: { question: QUESTIONS[i % QUESTIONS.length] } }) },
  {
    // A compliance-relevant change: acknowledging a routed task moves its SLA clock.
    name: 'ack', rate: 10, connections: 2,
    request: (i) => {
      const id = taskIds[i % Math.max(1, taskIds.length)];
      return id ? { method: 'POST', path: `/v1/tasks/${id}/ack`, body: {} } : { method: 'GET', path: '/v1/tasks?limit=5' };
    },
  },
  { name: 'compliance_check', rate: 5, connections: 1, request: () => ({ method: 'GET', path: '/v1/compliance/check' }) },
];

const pool = new Pool(spec.url, { connections: 24, pipelining: 1 });
const headers = { 'content-type': 'application/json', authorization: `Bearer ${spec.token}` };
const started = performance.now();
const until = started + spec.seconds * 1000;

async function runOp(op: Op): Promise<OpResult> {
  const result: OpResult = { op: op.name, requests: 0, errors: 0, statuses: {}, samples: [] };
  const interval = (1000 * op.connections) / (op.rate * spec.scale);
  let n = 0;
  const worker = async (w: number): Promise<void> => {
    // Stagger the loops so they do not fire in lockstep.
    await new Promise((r) => setTimeout(r, (interval * w) / op.connections));
    while (performance.now() < until) {
      const t0 = performance.now();
      const r = op.request(n++);
      try {
        const res = await pool.request({ method: r.method, path: r.path, headers, body: r.body === undefined ? undefined : JSON.stringify(r.body) });
        const text = await res.body.text();
        result.statuses[res.statusCode] = (result.statuses[res.statusCode] ?? 0) + 1;
        // 409: the task was already acknowledged by another loop; that is the system answering correctly.
        if (res.statusCode >= 400 && !(op.name === 'ack' && res.statusCode === 409)) result.errors++;
        if (op.name === 'route' && res.statusCode === 201) {
          const id = (JSON.parse(text) as { taskId?: string }).taskId;
          if (id) taskIds.push(id);
        }
      } catch {
        result.errors++;
      }
      const t1 = performance.now();
      result.requests++;
      result.samples.push([Math.round(t0 - started), t1 - t0]);
      const wait = interval - (t1 - t0);
      if (wait > 0) await new Promise((res) => setTimeout(res, wait));
    }
  };
  await Promise.all(Array.from({ length: op.connections }, (_, w) => worker(w)));
  return result;
}

/** An SSE subscriber that counts events until the run ends. */
async function subscriber(): Promise<number> {
  let events = 0;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), spec.seconds * 1000);
  try {
    const res = await fetch(`${spec.url}/v1/events`, { headers: { authorization: headers.authorization, accept: 'text/event-stream' }, signal: controller.signal });
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      events += (decoder.decode(value, { stream: true }).match(/^event: /gm) ?? []).length;
    }
  } catch {
    /* aborted at the end of the run */
  } finally {
    clearTimeout(timer);
  }
  return events;
}

const [results, sse] = await Promise.all([Promise.all(ops.map(runOp)), Promise.all(Array.from({ length: spec.sseClients }, subscriber))]);
await pool.close();
process.stdout.write(JSON.stringify({ results, sseEvents: sse }));
