import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe } from 'vitest';
import type { Role } from '../core/model.js';
import type { Clock } from '../core/ports.js';
import { daemonConfig, type DaemonConfig } from '../server/config.js';
import { createDaemon, type Daemon } from '../server/daemon.js';
import { initHome, type InitResult } from '../server/init.js';
import { silentLogger } from '../server/log.js';
import { newId } from '../core/ids.js';
import { signToken } from '../server/http/tokens.js';
import { readJwtKey } from '../server/state.js';
import { openStore, type SqlStore } from '../server/store/index.js';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const BIN = join(ROOT, 'bin', 'foundry-op.js');

export function tempHome(prefix = 'foundry-test-'): string {
  return join(mkdtempSync(join(tmpdir(), prefix)), 'home');
}

/** A fresh PostgreSQL schema on FOUNDRY_TEST_PG, as a store URL, with a function that drops it. */
export async function freshPgUrl(): Promise<{ url: string; drop(): Promise<void> }> {
  const base = process.env.FOUNDRY_TEST_PG;
  if (!base) throw new Error('FOUNDRY_TEST_PG is not set');
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const url = new URL(base);
  url.searchParams.set('schema', schema);
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: base });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    },
  };
}

export type StoreKind = 'sqlite' | 'postgres';

/** The store kinds to test: SQLite always; PostgreSQL when FOUNDRY_TEST_PG is set (CI sets it). */
export function storeKinds(): StoreKind[] {
  return process.env.FOUNDRY_TEST_PG ? ['sqlite', 'postgres'] : ['sqlite'];
}

/** Opens an empty, migrated store of a kind; `cleanup` closes it and removes its file or schema. */
export async function openTestStore(kind: StoreKind): Promise<{ store: SqlStore; url: string; cleanup(): Promise<void> }> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'foundry-store-'));
    const url = `sqlite:${join(dir, 'test.db')}`;
    const store = await openStore(url);
    return { store, url, cleanup: async () => { await store.close(); rmSync(dir, { recursive: true, force: true }); } };
  }
  const pgUrl = await freshPgUrl();
  const store = await openStore(pgUrl.url, { poolSize: 4 });
  return { store, url: pgUrl.url, cleanup: async () => { await store.close(); await pgUrl.drop(); } };
}

/** Runs `fn` as a describe block once per store kind. */
export function forEachStore(name: string, fn: (kind: StoreKind) => void): void {
  for (const kind of storeKinds()) describe(`${name} [${kind}]`, () => fn(kind));
}

export interface TestDaemon {
  daemon: Daemon;
  url: string;
  home: string;
  init: InitResult;
  /** The admin token. */
  token: string;
  /** A token for a new user with this role (created through the API). */
  tokenFor(role: Role, name?: string): Promise<string>;
  /** A second organisation in the same store, with an admin token of its own. */
  newOrg(name: string): Promise<{ orgId: string; token: string }>;
  /** fetch against the daemon with a token (admin by default). */
  api(path: string, init?: RequestInit & { token?: string | null; json?: unknown }): Promise<Response>;
  stop(): Promise<void>;
}

export interface StartOptions {
  demo?: boolean;
  store?: StoreKind;
  clock?: Clock;
  config?: Partial<DaemonConfig>;
  env?: NodeJS.ProcessEnv;
}

/** Requests to a daemon as a test writes them: the default token unless `token` says otherwise, `json` as the body. */
function apiFor(url: string, defaultToken: string): TestDaemon['api'] {
  return (path, init = {}) => {
    const headers = new Headers(init.headers);
    const token = init.token === undefined ? defaultToken : init.token;
    if (token) headers.set('authorization', `Bearer ${token}`);
    let body = init.body;
    if (init.json !== undefined) {
      body = JSON.stringify(init.json);
      headers.set('content-type', 'application/json');
    }
    return fetch(`${url}${path}`, { ...init, headers, body });
  };
}

/** A real daemon in this process on port 0, with a temporary home (and schema, for PostgreSQL). */
export async function startDaemon(opts: StartOptions = {}): Promise<TestDaemon> {
  const home = tempHome();
  const pgUrl = opts.store === 'postgres' ? await freshPgUrl() : null;
  const init = await initHome({ home, demo: opts.demo, db: pgUrl?.url, clock: opts.clock });
  const config = { ...daemonConfig({ home, port: 0, db: init.db }, opts.env ?? {}), logFile: null, drainMs: 2000, ...opts.config };
  const daemon = await createDaemon(config, { clock: opts.clock, log: silentLogger() });
  const url = await daemon.listen();
  let n = 0;
  const api = apiFor(url, init.token);
  return {
    daemon, url, home, init, token: init.token, api,
    async newOrg(name) {
      const now = Date.now();
      const orgId = newId('org', now);
      const userId = newId('usr', now);
      const tokenId = newId('tok', now);
      await daemon.store.transaction(async (tx) => {
        await tx.orgs.insert({ id: orgId, name, createdAt: now });
        await tx.users.insert({ id: userId, orgId, name: `${name}-admin`, role: 'admin', memberId: null, createdAt: now });
        await tx.tokens.insert({ id: tokenId, orgId, userId, createdAt: now, expiresAt: null, revokedAt: null });
      });
      const token = await signToken(readJwtKey(home)!, { tokenId, orgId, userId, role: 'admin', expiresAt: null }, now);
      return { orgId, token };
    },
    async tokenFor(role, name) {
      const res = await api('/v1/users', { method: 'POST', json: { name: name ?? `${role}-${++n}-${randomBytes(3).toString('hex')}`, role } });
      if (res.status !== 201) throw new Error(`could not create a ${role}: ${res.status} ${await res.text()}`);
      return ((await res.json()) as { token: string }).token;
    },
    async stop() {
      await daemon.close();
      if (pgUrl) await pgUrl.drop();
      rmSync(join(home, '..'), { recursive: true, force: true });
    },
  };
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real binary (dist/ is built by the global setup) and collects its output. */
export function runCli(args: string[], opts: { home?: string; env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', ...opts.env };
    delete env.FOUNDRY_URL;
    delete env.FOUNDRY_TOKEN;
    if (opts.env?.FOUNDRY_URL) env.FOUNDRY_URL = opts.env.FOUNDRY_URL;
    if (opts.env?.FOUNDRY_TOKEN) env.FOUNDRY_TOKEN = opts.env.FOUNDRY_TOKEN;
    if (opts.home) env.FOUNDRY_HOME = opts.home;
    const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, stdout, stderr });
    });
    child.stdin.end(opts.input ?? '');
  });
}

/** Polls until `fn` returns a truthy value or the deadline passes. */
export async function eventually<T>(fn: () => Promise<T> | T, timeoutMs = 10_000, what = 'condition'): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v as NonNullable<T>;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * A demo daemon as its own process (the real binary), for tests whose own process blocks (for example on
 * synchronous tmux calls) and must not hold the daemon's event loop up with it.
 */
export async function spawnDaemon(opts: { demo?: boolean } = {}): Promise<Omit<TestDaemon, 'daemon' | 'init' | 'newOrg'>> {
  const home = tempHome();
  const init = await runCli(['init', ...(opts.demo ? ['--demo'] : []), '--json'], { home });
  if (init.code !== 0) throw new Error(`init failed: ${init.stderr}`);
  const child = spawn(process.execPath, [BIN, 'daemon', 'run', '--port', '0'], { env: { ...process.env, FOUNDRY_HOME: home }, stdio: 'ignore' });
  const info = join(home, 'daemon.json');
  const { existsSync, readFileSync } = await import('node:fs');
  await eventually(() => existsSync(info), 20_000, 'the daemon to start');
  const url = (JSON.parse(readFileSync(info, 'utf8')) as { url: string }).url;
  const token = readFileSync(join(home, 'admin.token'), 'utf8').trim();
  const api = apiFor(url, token);
  let n = 0;
  return {
    url, home, token, api,
    async tokenFor(role, name) {
      const res = await api('/v1/users', { method: 'POST', json: { name: name ?? `${role}-${++n}-${randomBytes(3).toString('hex')}`, role } });
      if (res.status !== 201) throw new Error(`could not create a ${role}: ${res.status} ${await res.text()}`);
      return ((await res.json()) as { token: string }).token;
    },
    async stop() {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
      rmSync(join(home, '..'), { recursive: true, force: true });
    },
  };
}

export { freePort } from '../fixtures/free-port.js';
