/**
 * Holds N SSE connections to the daemon and measures, per event, the delay between the event's
 * commit time (`at`) and its arrival. Run as its own process by bench/sse-fanout.
 *
 * 1,000 clients at 500 events/s is half a million frames a second for this one process, so frames
 * are counted on the raw bytes (every frame starts with an `id:` line) and only every
 * `sampleEvery`-th client decodes its frames to read the delay.
 */
import { request } from 'node:http';

const { url, token, clients, expected, sampleEvery } = JSON.parse(process.argv[2]!) as {
  url: string; token: string; clients: number; expected: number; sampleEvery: number;
};
const counts = new Array<number>(clients).fill(0);
const delays: number[] = [];
let connected = 0;
let complete = 0;
const target = new URL(`${url}/v1/events?types=task.created`);
const FRAME_START = Buffer.from('\nid: ');

function connect(i: number): void {
  const req = request({ host: target.hostname, port: target.port, path: target.pathname + target.search, headers: { authorization: `Bearer ${token}` }, agent: false }, (res) => {
    connected++;
    if (connected === clients) process.stdout.write('ready\n');
    const sampled = i % sampleEvery === 0;
    const received = (n: number, now: number, frames?: string[]): void => {
      if (frames) for (const f of frames) {
        const at = f.indexOf('"at":"');
        if (at >= 0) delays.push(now - Date.parse(f.slice(at + 6, at + 30)));
      }
      const before = counts[i]!;
      counts[i] = before + n;
      if (before < expected && counts[i]! >= expected && ++complete === clients) finish();
    };
    if (sampled) {
      res.setEncoding('utf8');
      let buf = '';
      res.on('data', (chunk: string) => {
        const now = Date.now();
        buf += chunk;
        const frames: string[] = [];
        let end;
        while ((end = buf.indexOf('\n\n')) >= 0) {
          const frame = buf.slice(0, end);
          buf = buf.slice(end + 2);
          if (frame.startsWith('id: ')) frames.push(frame);
        }
        received(frames.length, now, frames);
      });
      return;
    }
    // The end of the previous chunk, shorter than a frame start, so a start split across chunks counts once.
    let tail: Buffer = Buffer.alloc(0);
    res.on('data', (chunk: Buffer) => {
      const buf = tail.length > 0 ? Buffer.concat([tail, chunk]) : chunk;
      let n = 0;
      for (let p = buf.indexOf(FRAME_START); p >= 0; p = buf.indexOf(FRAME_START, p + 1)) n++;
      tail = buf.subarray(Math.max(0, buf.length - FRAME_START.length + 1));
      received(n, 0);
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
  process.stdout.write(`${JSON.stringify({ complete, min: Math.min(...counts), p50: pick(50), p99: pick(99), max: delays[delays.length - 1], samples: delays.length })}\n`);
  process.exit(0);
}

for (let i = 0; i < clients; i++) connect(i);
process.on('SIGTERM', finish);
