/** Shared pieces of the benchmarks: a daemon in its own process, a load generator in another, percentiles. */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DAEMON_NODE_ARGS } from '../commands/daemon.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = join(ROOT, 'bin', 'foundry-op.js');
export const DIST_BENCH = fileURLToPath(new URL('.', import.meta.url));
export const SHARED_DATA = join(ROOT, '..', 'shared', 'data');

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export function median(values: number[]): number {
  return percentile([...values].sort((a, b) => a - b), 50);
}

export const fmt = (n: number, digits = 1): string => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

export interface BenchDaemon {
  url: string;
  token: string;
  home: string;
  pid: number;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** `init [--demo]` then `daemon run --port 0` in a child process, as a user would run it. */
export async function startBenchDaemon(opts: { demo?: boolean; db?: string; redis?: string; copyHomeFrom?: string; env?: NodeJS.ProcessEnv } = {}): Promise<BenchDaemon> {
  const dir = mkdtempSync(join(tmpdir(), 'foundry-bench-'));
  const home = join(dir, 'home');
  const env = { ...process.env, FOUNDRY_HOME: home, FOUNDRY_RATE_LIMIT: 'off', ...opts.env };
  if (opts.copyHomeFrom) {
    // Another daemon of the same system: same key and store, its own state folder.
    cpSync(opts.copyHomeFrom, home, { recursive: true });
    rmSync(join(home, 'daemon.json'), { force: true });
  } else {
    const initArgs = [BIN, 'init', ...(opts.demo ? ['--demo'] : []), ...(opts.db ? ['--db', opts.db] : [])];
    await new Promise<void>((resolve, reject) => {
      const p = spawn(process.execPath, initArgs, { env, stdio: ['ignore', 'ignore', 'inherit'] });
      p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`init exited ${code}`))));
    });
  }
  // As `daemon start` runs it.
  // BENCH_DAEMON_ARGS adds node flags to the daemon only (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof").
  const extra = (process.env.BENCH_DAEMON_ARGS ?? '').split(/\s+/).filter(Boolean);
  const child = spawn(process.execPath, [...DAEMON_NODE_ARGS, ...extra, BIN, 'daemon', 'run', '--port', '0', ...(opts.redis ? ['--redis', opts.redis] : [])], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  const infoFile = join(home, 'daemon.json');
  const deadline = Date.now() + 30_000;
  while (!existsSync(infoFile)) {
    if (Date.now() > deadline) throw new Error('daemon did not start');
    await new Promise((r) => setTimeout(r, 50));
  }
  const info = JSON.parse(readFileSync(infoFile, 'utf8')) as { url: string; pid: number };
  const token = readFileSync(join(home, 'admin.token'), 'utf8').trim();
  return {
    url: info.url, token, home, pid: info.pid, child,
    async stop() {
      const exited = new Promise((r) => child.on('exit', r));
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface LoadResult {
  requests: number;
  errors: number;
  statuses: Record<string, number>;
  seconds: number;
  rps: number;
  p50: number;
  p99: number;
  max: number;
}

export interface LoadSpec {
  url: string;
  method: 'GET' | 'POST';
  path: string;
  /** A body per request, varied by index (the generator substitutes `{{n}}` in the JSON). */
  body?: unknown;
  /** Bodies taken in turn (request i sends bodies[i % length]), instead of one body. */
  bodies?: unknown[];
  token?: string;
  connections: number;
  seconds: number;
  /** Requests per second to aim at (default: as fast as possible). */
  rate?: number;
}

/** Runs the load generator (bench/loadgen.js) in its own process so it does not share the daemon's CPU time slice. */
export function runLoad(spec: LoadSpec): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(DIST_BENCH, 'loadgen.js'), JSON.stringify(spec)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`loadgen exited ${code}`));
      resolve(JSON.parse(out) as LoadResult);
    });
  });
}

/** CPU seconds (user + system) a process has used, from /proc: waiting for a core does not inflate it. */
export function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /VmRSS:\s+(\d+) kB/.exec(status);
  return m ? Number(m[1]) / 1024 : NaN;
}

export function dataAvailable(sub: string): string | null {
  const p = join(SHARED_DATA, sub);
  return existsSync(p) ? p : null;
}

/** A fresh schema on the PostgreSQL the tests use (FOUNDRY_TEST_PG, else the local default), or null if none answers. */
export async function benchPgUrl(): Promise<{ url: string; drop(): Promise<void> } | null> {
  const base = process.env.FOUNDRY_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: base, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
  } catch {
    return null;
  }
  const schema = `bench_${Date.now().toString(36)}`;
  const url = new URL(base);
  url.searchParams.set('schema', schema);
  return {
    url: url.toString(),
    async drop() {
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    },
  };
}
