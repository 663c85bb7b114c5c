/**
 * Holds N SSE connections to the daemon and measures, per event, the delay between the event's
 * commit time (`at`) and its arrival. Run as its own process by bench/sse-fanout.
 */
import { request } from 'node:http';

const { url, token, clients, expected, sampleEvery } = JSON.parse(process.argv[2]!) as {
  url: string; token: string; clients: number; expected: number; sampleEvery: number;
};
const counts = new Array<number>(clients).fill(0);
const delays: number[] = [];
let connected = 0;
const target = new URL(`${url}/v1/events?types=task.created`);

function connect(i: number): void {
  const req = request({ host: target.hostname, port: target.port, path: target.pathname + target.search, headers: { authorization: `Bearer ${token}` }, agent: false }, (res) => {
    connected++;
    if (connected === clients) process.stdout.write('ready\n');
    res.setEncoding('utf8');
    let buf = '';
    const sampled = i % sampleEvery === 0;
    res.on('data', (chunk: string) => {
      const now = Date.now();
      buf += chunk;
      let end;
      while ((end = buf.indexOf('\n\n')) >= 0) {
        const frame = buf.slice(0, end);
        buf = buf.slice(end + 2);
        if (!frame.startsWith('id: ')) continue;
        counts[i]!++;
        if (sampled) {
          const at = frame.indexOf('"at":"');
          if (at >= 0) delays.push(now - Date.parse(frame.slice(at + 6, at + 30)));
        }
      }
      if (counts.every((c) => c >= expected)) finish();
    });
  });
  req.on('error', (err) => {
    process.stderr.write(`client ${i}: ${err.message}\n`);
  });
  req.end();
}

let done = false;
function finish(): void {
  if (done) return;
  done = true;
  delays.sort((a, b) => a - b);
  const pick = (p: number): number => delays[Math.min(delays.length - 1, Math.ceil((p / 100) * delays.length) - 1)] ?? NaN;
  const complete = counts.filter((c) => c >= expected).length;
  process.stdout.write(`${JSON.stringify({ complete, min: Math.min(...counts), p50: pick(50), p99: pick(99), max: delays[delays.length - 1], samples: delays.length })}\n`);
  process.exit(0);
}

for (let i = 0; i < clients; i++) connect(i);
process.on('SIGTERM', finish);
