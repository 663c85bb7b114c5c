/**
 * The dashboard's figures (targets from issue 7):
 *  1. first full paint of `foundry-op tui` against a running demo daemon: ≤ 500 ms after start
 *     (the real binary in tmux; the time is written by the dashboard itself when every panel has loaded);
 *  2. 200 events/s for 30 s: keys still answer within 100 ms (in process, real Ink rendering to a
 *     terminal-like stream, events over real SSE from a stand-in daemon);
 *  3. idle CPU ≤ 2 % (the real binary, idle, against the demo daemon).
 * BENCH_TUI_SECONDS shortens part 2, BENCH_TUI_PART=paint|keys runs one part; parts 1 and 3 print
 * "skipped" without tmux.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'bin', 'foundry-op.js');
const SECONDS = Number(process.env.BENCH_TUI_SECONDS ?? 30);
const RATE = Number(process.env.BENCH_TUI_RATE ?? 200);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))] ?? NaN;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function demoDaemon(): Promise<{ url: string; home: string; token: string; stop(): Promise<void> }> {
  const { initHome } = await import('../server/init.js');
  const { daemonConfig } = await import('../server/config.js');
  const { createDaemon } = await import('../server/daemon.js');
  const { silentLogger } = await import('../server/log.js');
  const home = join(mkdtempSync(join(tmpdir(), 'foundry-bench-tui-')), 'home');
  const init = await initHome({ home, demo: true });
  const daemon = await createDaemon({ ...daemonConfig({ home, port: 0, db: init.db }, {}), logFile: null }, { log: silentLogger() });
  const url = await daemon.listen();
  return { url, home, token: init.token, stop: async () => { await daemon.close(); rmSync(join(home, '..'), { recursive: true, force: true }); } };
}

function tmux(socket: string, ...args: string[]): string {
  return execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
}

function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  // utime and stime are fields 14 and 15 of /proc/pid/stat, in clock ticks (100 per second on Linux).
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Parts 1 and 3: the real binary in tmux against a real demo daemon. */
export async function paintAndIdle(): Promise<void> {
  if (spawnSync('tmux', ['-V']).status !== 0) {
    console.log('tui first paint: skipped: tmux not installed');
    console.log('tui idle CPU: skipped: tmux not installed');
    return;
  }
  const d = await demoDaemon();
  const socket = `foundry-bench-${process.pid}`;
  const paintFile = join(d.home, 'paint.txt');
  const env = ['env', '-u', 'CI', `FOUNDRY_HOME=${d.home}`, `FOUNDRY_URL=${d.url}`, `FOUNDRY_TOKEN=${d.token}`, `FOUNDRY_TUI_PAINT_FILE=${paintFile}`];
  const fromStart: number[] = [];
  const fromCommand: number[] = [];
  const cpuAtPaint: number[] = [];
  try {
    for (let i = 0; i < 5; i++) {
      rmSync(paintFile, { force: true });
      tmux(socket, 'new-session', '-d', '-s', 'b', '-x', '120', '-y', '40', ...env, process.execPath, BIN, 'tui');
      const end = Date.now() + 20_000;
      let text = '';
      while (Date.now() < end) {
        try {
          text = readFileSync(paintFile, 'utf8').trim();
          if (text) break;
        } catch {
          // not painted yet
        }
        await sleep(20);
      }
      if (i < 4) tmux(socket, 'kill-server');
      const [a, b, c] = text.split(' ').map(Number);
      if (a !== undefined && Number.isFinite(a)) fromStart.push(a);
      if (b !== undefined && Number.isFinite(b)) fromCommand.push(b);
      if (c !== undefined && Number.isFinite(c)) cpuAtPaint.push(c);
    }
    console.log(`tui first paint (demo daemon, 120x40, 5 runs): median ${median(fromStart).toFixed(0)} ms after process start ` +
      `(${median(fromCommand).toFixed(0)} ms after the tui command began; the rest is Node and CLI start-up; ` +
      `${median(cpuAtPaint).toFixed(0)} ms of CPU used by then, load average ${loadavg()[0]!.toFixed(1)}); ` +
      `target ≤ 500 ms ${median(fromStart) <= 500 ? 'OK' : 'OVER'}`);

    // Part 3: the last session is still open and idle.
    const pid = Number(tmux(socket, 'display-message', '-p', '-t', 'b', '#{pane_pid}').trim());
    await sleep(3000);
    const idleSeconds = 20;
    const c0 = cpuMs(pid);
    const t0 = performance.now();
    await sleep(idleSeconds * 1000);
    const used = cpuMs(pid) - c0;
    const share = (used / (performance.now() - t0)) * 100;
    console.log(`tui idle CPU over ${idleSeconds} s: ${share.toFixed(2)} % (${used} ms CPU); target ≤ 2 % ${share <= 2 ? 'OK' : 'OVER'}`);
  } finally {
    try {
      tmux(socket, 'kill-server');
    } catch {
      // already gone
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
  const p95 = pct(latencies, 0.95);
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
