/**
 * Holds N SSE connections to the daemon and measures, per event, the delay between the event's
 * commit time (`at`) and its arrival. Run as its own process by bench/sse-fanout and bench/scale-out.
 *
 * 1,000 clients at 500 events/s is half a million frames a second for this one process, on the same
 * two cores as the daemon: whatever this process spends is taken from the daemon, and every
 * millisecond it lags is counted as delivery delay. So it stays at the byte level: plain TCP sockets
 * (no HTTP parser, no stream machinery, one read buffer for all), frames found with Buffer.indexOf,
 * the id of each frame read from its digits to check the order, and only every `sampleEvery`-th
 * client reads `at` for the delay.
 *
 * Protocol with the parent: prints `ready` once every client is connected; then reads one line on
 * stdin, the number of events published, waits until every client has that many (or 10 s pass) and
 * prints one JSON line with the figures.
 */
import { connect as tcpConnect } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';

const { url, token, clients, sampleEvery } = JSON.parse(process.argv[2]!) as {
  url: string; token: string; clients: number; sampleEvery: number;
};
const target = new URL(`${url}/v1/events?types=task.created`);
const FRAME_START = Buffer.from('\nid: ');
const ID = FRAME_START.subarray(1);
const AT = Buffer.from('"at":"');
/** `2026-11-25T22:19:49.123Z` */
const ISO_LENGTH = 24;
const NEWLINE = 0x0a;
const readBuffer = Buffer.alloc(256 * 1024);

const counts = new Array<number>(clients).fill(0);
const lastIds = new Array<number>(clients).fill(0);
let outOfOrder = 0;
let closedEarly = 0;
const delays: number[] = [];
let connected = 0;
let expected = Infinity;
let complete = 0;
let cpuAtReady: NodeJS.CpuUsage | undefined;
// How late this process's own event loop ran: delay it adds to what it measures.
const loopDelay = monitorEventLoopDelay({ resolution: 1 });

/** Where the "id: " of the next frame starting after `from` begins, or -1. */
function frameAfter(buf: Buffer, from: number): number {
  const q = buf.indexOf(FRAME_START, from);
  return q < 0 ? -1 : q + 1;
}

function connectClient(i: number): void {
  const sampled = i % sampleEvery === 0;
  // Reads land in one buffer shared by every socket (no allocation per read, no stream machinery);
  // each read is handled before the next, and what must outlive it is copied.
  const onread = {
    buffer: readBuffer,
    callback: (n: number): boolean => {
      onRead(readBuffer.subarray(0, n));
      return true;
    },
  };
  const socket = tcpConnect({ host: target.hostname, port: Number(target.port), noDelay: true, onread });
  socket.write(`GET ${target.pathname}${target.search} HTTP/1.1\r\nhost: ${target.host}\r\nauthorization: Bearer ${token}\r\naccept: text/event-stream\r\n\r\n`);
  let headersDone = false;
  // Bytes that must meet the next read: the start of a frame whose id (or `at`) has not fully arrived,
  // or a tail that may begin a frame start ("\ni", "\nid", "\nid:"). Copied: the read buffer is reused.
  let carry: Buffer | null = null;
  // The previous read ended with a newline, so "id: " at the start of this one opens a frame. Every
  // write of the daemon ends so, and keeping a flag rather than the byte spares a copy of each read.
  let afterNewline = false;
  const onRead = (read: Buffer): void => {
    let chunk = read;
    const now = Date.now();
    if (!headersDone) {
      // The response head may come in pieces: keep it until it is whole.
      const head: Buffer = carry ? Buffer.concat([carry, chunk]) : Buffer.from(chunk);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) {
        carry = head;
        return;
      }
      headersDone = true;
      carry = null;
      if (!head.toString('latin1', 0, 12).startsWith('HTTP/1.1 200')) {
        process.stderr.write(`client ${i}: ${head.toString('utf8').split('\r\n')[0]}\n`);
        socket.destroy();
        return;
      }
      chunk = head.subarray(end + 4);
      if (++connected === clients) {
        cpuAtReady = process.cpuUsage();
        loopDelay.enable();
        process.stdout.write('ready\n');
      }
    }
    const buf: Buffer = carry ? Buffer.concat([carry, chunk]) : chunk;
    carry = null;
    if (afterNewline && buf.length < ID.length && ID.subarray(0, buf.length).equals(buf)) {
      carry = Buffer.concat([FRAME_START.subarray(0, 1), buf]);
      afterNewline = false;
      return;
    }
    let n = 0;
    // `p` is where a frame's "id: " begins.
    let p = afterNewline && buf.length >= ID.length && ID.compare(buf, 0, ID.length) === 0 ? 0 : frameAfter(buf, 0);
    for (; p >= 0; p = frameAfter(buf, p)) {
      const idEnd = buf.indexOf(NEWLINE, p + ID.length);
      const at = sampled && idEnd >= 0 ? buf.indexOf(AT, idEnd) : -1;
      if (idEnd < 0 || (sampled && (at < 0 || at + AT.length + ISO_LENGTH > buf.length))) {
        carry = Buffer.from(buf.subarray(p));
        break;
      }
      let id = 0;
      for (let q = p + ID.length; q < idEnd; q++) id = id * 10 + buf[q]! - 48;
      if (id <= lastIds[i]!) outOfOrder++;
      lastIds[i] = id;
      if (sampled) delays.push(now - Date.parse(buf.toString('latin1', at + AT.length, at + AT.length + ISO_LENGTH)));
      n++;
    }
    // A carried frame begins after a newline by definition.
    afterNewline = carry !== null || buf[buf.length - 1] === NEWLINE;
    if (carry === null) {
      for (let k = FRAME_START.length - 1; k >= 2; k--) {
        if (buf.length >= k && FRAME_START.compare(buf, buf.length - k, buf.length, 0, k) === 0) {
          carry = Buffer.from(buf.subarray(buf.length - k));
          afterNewline = false;
          break;
        }
      }
    }
    const before = counts[i]!;
    counts[i] = before + n;
    if (before < expected && counts[i]! >= expected && ++complete === clients) finish();
  };
  socket.on('error', (err) => process.stderr.write(`client ${i}: ${err.message}\n`));
  socket.on('close', () => {
    if (!done) closedEarly++;
  });
}

let done = false;
function finish(): void {
  if (done) return;
  done = true;
  delays.sort((a, b) => a - b);
  const pick = (p: number): number => delays[Math.min(delays.length - 1, Math.ceil((p / 100) * delays.length) - 1)] ?? NaN;
  let min = Infinity;
  let most = 0;
  for (const c of counts) {
    min = Math.min(min, c);
    most = Math.max(most, c);
  }
  const cpu = process.cpuUsage(cpuAtReady);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  process.stdout.write(`${JSON.stringify({ complete, min, most, outOfOrder, closedEarly, cpuSeconds, loopDelayP99: loopDelay.percentile(99) / 1e6, loopDelayMax: loopDelay.max / 1e6, p50: pick(50), p99: pick(99), max: delays[delays.length - 1], samples: delays.length })}\n`);
  process.exit(0);
}

// The parent says how many events it published once it has stopped publishing.
let input = '';
process.stdin.on('data', (b: Buffer) => {
  input += b.toString();
  if (!input.includes('\n')) return;
  expected = Number(input.trim());
  complete = counts.filter((c) => c >= expected).length;
  if (complete === clients) finish();
  setTimeout(finish, 10_000);
});
process.on('SIGTERM', finish);

for (let i = 0; i < clients; i++) connectClient(i);
