/**
 * The dashboard's figures (targets from issue 7):
 *  1. first full paint of `foundry-op tui` against a running demo daemon: ≤ 500 ms after start
 *     (the real binary in tmux; the time is written by the dashboard itself when every panel has loaded);
 *  2. 200 events/s for 30 s: keys still answer within 100 ms (in process, real Ink rendering to a
 *     terminal-like stream, events over real SSE from a stand-in daemon);
 *  3. idle CPU ≤ 2 % (the real binary, idle, against the demo daemon).
 * BENCH_TUI_RUNS sets the number of paints measured (7), BENCH_TUI_SECONDS shortens part 2,
 * BENCH_TUI_PART=paint|keys runs one part; parts 1 and 3 print "skipped" without tmux.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { BIN, median, percentile, startBenchDaemon } from './lib.js';

const SECONDS = Number(process.env.BENCH_TUI_SECONDS ?? 30);
const RATE = Number(process.env.BENCH_TUI_RATE ?? 200);
const RUNS = Number(process.env.BENCH_TUI_RUNS ?? 7);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function tmux(socket: string, ...args: string[]): string {
  return execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  // utime and stime are fields 14 and 15 of /proc/pid/stat, in clock ticks (100 per second on Linux).
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** How long a bare Node takes to start and exit right now (median of 5): the floor under any figure here. */
function nodeBaseline(): number {
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    spawnSync(process.execPath, ['-e', '0']);
    times.push(performance.now() - t0);
  }
  return median(times);
}

/** Waits for the dashboard to write its paint file; undefined when it did not within the deadline. */
async function awaitPaint(file: string, ms: number): Promise<{ text: string; wallMs: number } | undefined> {
  const t0 = performance.now();
  while (performance.now() - t0 < ms) {
    try {
      const text = readFileSync(file, 'utf8').trim();
      if (text) return { text, wallMs: performance.now() - t0 };
    } catch {
      // not painted yet
    }
    await sleep(5);
  }
  return undefined;
}

/**
 * Parts 1 and 3: the real binary in tmux against a demo daemon in its own process (as a person runs
 * them; this process's synchronous tmux calls would otherwise stall a daemon living in it). Each run
 * gets its own tmux server: a server that was just told to exit may still hold its socket and take the
 * next command down with it ("server exited unexpectedly").
 */
export async function paintAndIdle(): Promise<void> {
  if (spawnSync('tmux', ['-V']).status !== 0) {
    console.log('tui first paint: skipped: tmux not installed');
    console.log('tui idle CPU: skipped: tmux not installed');
    return;
  }
  const d = await startBenchDaemon({ demo: true });
  const paintFile = join(d.home, 'paint.txt');
  const env = ['env', '-u', 'CI', 'TERM=xterm-256color', `FOUNDRY_HOME=${d.home}`, `FOUNDRY_URL=${d.url}`, `FOUNDRY_TOKEN=${d.token}`, `FOUNDRY_TUI_PAINT_FILE=${paintFile}`];
  const sockets: string[] = [];
  const fromStart: number[] = [];
  const fromCommand: number[] = [];
  const cpuAtPaint: number[] = [];
  const wall: number[] = [];
  const load0 = loadavg()[0]!;
  const baseline = nodeBaseline();
  try {
    // One run first that is not counted: it warms the daemon's caches and the OS file cache.
    for (let i = 0; i <= RUNS; i++) {
      rmSync(paintFile, { force: true });
      const socket = `foundry-bench-${process.pid}-${i}`;
      sockets.push(socket);
      tmux(socket, 'new-session', '-d', '-s', 'b', '-x', '120', '-y', '40', ...env, process.execPath, BIN, 'tui');
      const painted = await awaitPaint(paintFile, 20_000);
      if (!painted) throw new Error(`run ${i}: the dashboard did not paint within 20 s; its screen:\n${tmux(socket, 'capture-pane', '-p', '-t', 'b')}`);
      const [a, b, c] = painted.text.split(' ').map(Number) as [number, number, number];
      if (i > 0) {
        fromStart.push(a);
        fromCommand.push(b);
        cpuAtPaint.push(c);
        wall.push(painted.wallMs);
      }
      if (i < RUNS) tmux(socket, 'kill-server');
    }
    const all = fromStart.map((x) => x.toFixed(0)).join(', ');
    console.log(`tui first paint (demo daemon, 120x40, ${RUNS} runs): median ${median(fromStart).toFixed(0)} ms after process start [${all}] ` +
      `(${median(fromCommand).toFixed(0)} ms after the tui command began, the rest is Node and CLI start-up; ` +
      `${median(wall).toFixed(0)} ms as seen from outside, tmux included; ${median(cpuAtPaint).toFixed(0)} ms of CPU used by then; ` +
      `load average ${load0.toFixed(1)} → ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores; \`node -e 0\` took ${baseline.toFixed(0)} ms meanwhile); ` +
      `target ≤ 500 ms ${median(fromStart) <= 500 ? 'OK' : 'OVER'}`);

    // Part 3: the last session is still open and idle.
    const pid = Number(tmux(sockets.at(-1)!, 'display-message', '-p', '-t', 'b', '#{pane_pid}').trim());
    await sleep(3000);
    const idleSeconds = 20;
    const c0 = cpuMs(pid);
    const t0 = performance.now();
    await sleep(idleSeconds * 1000);
    const used = cpuMs(pid) - c0;
    const share = (used / (performance.now() - t0)) * 100;
    console.log(`tui idle CPU over ${idleSeconds} s: ${share.toFixed(2)} % (${used} ms CPU); target ≤ 2 % ${share <= 2 ? 'OK' : 'OVER'}`);
  } finally {
    for (const socket of sockets) {
      try {
        tmux(socket, 'kill-server');
      } catch {
        // already gone
      }
    }
    await d.stop();
  }
}

class TerminalOut extends Writable {
  isTTY = true;
  columns = 120;
  rows = 40;
  onChunk: (s: string) => void = () => undefined;
  override _write(chunk: Buffer | string, _enc: BufferEncoding, done: () => void): void {
    this.onChunk(chunk.toString());
    done();
  }
}

/** Part 2: keys under an event storm. */
export async function keysUnderLoad(): Promise<void> {
  process.env.NODE_ENV ??= 'production';
  let nextId = 1;
  const clients = new Set<ServerResponse>();
  const tasks = Array.from({ length: 150 }, (_, i) => ({
    id: `tsk_${i}`, title: `task ${i}`, priority: `P${(i % 4) + 1}`, status: 'open', team: 'platform', assignee: i % 3 ? `mem_${i % 7}` : null,
    createdAt: new Date(Date.now() - i * 60_000).toISOString(),
  }));
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const json = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (path === '/v1/status') return json(200, { org: { name: 'bench' }, user: { name: 'admin', role: 'admin' } });
    if (path === '/v1/tasks') return json(200, tasks);
    if (path === '/v1/events/recent') return json(200, []);
    if (path === '/v1/events') {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(': hello\n\n');
      clients.add(res);
      res.on('close', () => clients.delete(res));
      return;
    }
    return json(404, { error: { code: 'not_found', message: `no route for GET ${path}` } });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const React = (await import('react')).default;
  const { render } = await import('ink');
  const { App } = await import('../tui/app.js');
  const { createHttpSource } = await import('../tui/hooks/http-source.js');
  const { ApiClient } = await import('../cli/client.js');
  const source = createHttpSource({ client: new ApiClient({ baseUrl: url, token: 't' }), baseUrl: url, token: 't' });

  const stdout = new TerminalOut();
  const stdin = Object.assign(new PassThrough(), { isTTY: true, setRawMode: () => undefined, ref: () => undefined, unref: () => undefined });
  let screen = '';
  let waiter: { marker: string; resolve: () => void } | null = null;
  stdout.onChunk = (s) => {
    screen = s;
    if (waiter && s.includes(waiter.marker)) {
      const w = waiter;
      waiter = null;
      w.resolve();
    }
  };
  const app = render(React.createElement(App, { source }), {
    stdout: stdout as unknown as NodeJS.WriteStream, stdin: stdin as unknown as NodeJS.ReadStream, stderr: new TerminalOut() as unknown as NodeJS.WriteStream,
    exitOnCtrlC: false, patchConsole: false, maxFps: 60,
  });
  const until = async (check: () => boolean, ms: number) => {
    const end = Date.now() + ms;
    while (!check() && Date.now() < end) await sleep(10);
  };
  await until(() => screen.includes('● live') && screen.includes('task 1'), 10_000);

  const latencies: number[] = [];
  let sent = 0;
  const started = performance.now();
  const emitter = setInterval(() => {
    // 20 events every 100 ms = 200 events/s, in bursts as a busy daemon would send them.
    let chunk = '';
    for (let i = 0; i < RATE / 10; i++) {
      const id = nextId++;
      const type = i % 5 === 0 ? 'task.routed' : 'task.created';
      chunk += `id: ${id}\nevent: ${type}\ndata: ${JSON.stringify({ id, type, at: new Date().toISOString(), actor: 'system', subject: `tsk_${id}`, data: { title: `storm ${id}` } })}\n\n`;
    }
    for (const c of clients) c.write(chunk);
    sent += RATE / 10;
  }, 100);
  const views = [{ key: '7', marker: '▶ Live events' }, { key: '2', marker: 'Recent routing decisions' }];
  let k = 0;
  while (performance.now() - started < SECONDS * 1000) {
    await sleep(200 + Math.random() * 100);
    const v = views[k++ % views.length]!;
    const t0 = performance.now();
    const shown = new Promise<void>((resolve) => (waiter = { marker: v.marker, resolve }));
    stdin.write(v.key);
    await Promise.race([shown, sleep(5000)]);
    latencies.push(performance.now() - t0);
  }
  clearInterval(emitter);
  const cpu = process.cpuUsage();
  app.unmount();
  for (const c of clients) c.destroy();
  server.close();
  const p95 = percentile([...latencies].sort((a, b) => a - b), 95);
  console.log(`tui keys under ${RATE} events/s for ${SECONDS} s (${sent} events, ${latencies.length} key presses): ` +
    `key → frame p50 ${median(latencies).toFixed(0)} ms, p95 ${p95.toFixed(0)} ms, max ${Math.max(...latencies).toFixed(0)} ms; ` +
    `target ≤ 100 ms ${p95 <= 100 ? 'OK' : 'OVER'} (process CPU ${((cpu.user + cpu.system) / 1000 / SECONDS / 10).toFixed(1)} % incl. the stand-in daemon)`);
}

export async function run(): Promise<void> {
  const only = process.env.BENCH_TUI_PART;
  if (!only || only === 'paint') await paintAndIdle();
  if (!only || only === 'keys') await keysUnderLoad();
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
