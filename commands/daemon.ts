import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import type { CliContext } from '../cli/context.js';
import { AppError } from '../core/errors.js';
import { daemonConfig, DEFAULT_PORT } from '../server/config.js';
import { initHome, isInitialised } from '../server/init.js';
import { loadTls } from '../server/tls.js';
import { processAlive, readJsonFile, removeFile, runningDaemon, statePaths, writeAtomic, type DaemonInfo, type HomeConfig } from '../server/state.js';

export interface DaemonOpts {
  port?: string;
  host?: string;
  db?: string;
  redis?: string;
  demo?: boolean;
  tlsCert?: string;
  tlsKey?: string;
}

/** HTTPS needs both files; paths are made absolute so the background daemon finds them too. */
function tlsFiles(opts: DaemonOpts): { cert: string; key: string } | null {
  if (!opts.tlsCert && !opts.tlsKey) return null;
  if (!opts.tlsCert || !opts.tlsKey) throw new AppError('usage', '--tls-cert and --tls-key go together');
  return { cert: resolvePath(opts.tlsCert), key: resolvePath(opts.tlsKey) };
}

const BIN = fileURLToPath(new URL('../../bin/foundry-op.js', import.meta.url));

/**
 * Node options for a background daemon. A young generation of up to 8 MB spares a busy daemon about one
 * scavenge in two (+5–8 % requests/s on bench/tasks-http); once grown it stays grown, so an idle daemon
 * holds ~20 MB more than with 2 MB (bench/idle-rss: 110 vs 90 MB, target 120). Under systemd, set them
 * in NODE_OPTIONS (docs/deploy/foundry-op@.service).
 */
export const DAEMON_NODE_ARGS = ['--max-semi-space-size=8'];

function parsePort(text: string | undefined): number {
  if (text === undefined) return DEFAULT_PORT;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new AppError('usage', `--port: ${text} is not a port number`);
  return port;
}


async function ensureInitialised(ctx: CliContext, opts: DaemonOpts): Promise<void> {
  if (isInitialised(ctx.home)) return;
  if (!opts.demo) throw new AppError('usage', `${ctx.home} is not initialised`, 'run: foundry-op init (or pass --demo)');
  await initHome({ home: ctx.home, db: opts.db ?? ctx.env.FOUNDRY_DB, demo: true });
  ctx.out.info(`initialised ${ctx.home} with the demo organisation`);
}

/** `daemon run`: the daemon in this process, until SIGTERM or SIGINT. */
export async function runForeground(ctx: CliContext, opts: DaemonOpts): Promise<void> {
  await ensureInitialised(ctx, opts);
  const home = ctx.home;
  const paths = statePaths(home);
  const running = runningDaemon(home);
  if (running && running.pid !== process.pid) throw new AppError('conflict', `a daemon is already running at ${running.url} (pid ${running.pid})`, 'stop it with: foundry-op daemon stop');
  const homeConfig = readJsonFile<HomeConfig>(paths.config) ?? {};
  const config = daemonConfig(
    { home, db: opts.db ?? homeConfig.db, redis: opts.redis, host: opts.host, port: parsePort(opts.port), demo: opts.demo, tls: tlsFiles(opts) },
    ctx.env,
  );
  const { createDaemon } = await import('../server/daemon.js');
  const daemon = await createDaemon(config);
  const url = await daemon.listen();
  const port = Number(new URL(url).port);
  const info: DaemonInfo = { pid: process.pid, host: config.host, port, url, logFile: config.logFile, startedAt: new Date().toISOString(), db: redact(config.db) };
  writeAtomic(paths.daemon, `${JSON.stringify(info, null, 2)}\n`);
  ctx.out.info(`foundry-op daemon listening on ${url} (pid ${process.pid}, store ${daemon.store.kind})`);

  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) return;
      stopping = true;
      ctx.out.info(`${signal}: draining and stopping`);
      daemon.close().finally(() => {
        const current = readJsonFile<DaemonInfo>(paths.daemon);
        if (current?.pid === process.pid) removeFile(paths.daemon);
        resolve();
      });
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):([^@/]+)@/, '//$1:***@');
}

/** `daemon start`: the daemon in the background; waits until it answers, then prints its URL. */
export async function startBackground(ctx: CliContext, opts: DaemonOpts): Promise<DaemonInfo> {
  await ensureInitialised(ctx, opts);
  const home = ctx.home;
  const paths = statePaths(home);
  const running = runningDaemon(home);
  if (running) throw new AppError('conflict', `a daemon is already running at ${running.url} (pid ${running.pid})`, 'stop it with: foundry-op daemon stop');
  removeFile(paths.daemon);
  const outFile = `${paths.logs}/daemon.out`;
  const fd = openSync(outFile, 'a');
  const args = [...DAEMON_NODE_ARGS, BIN, '--home', home, 'daemon', 'run', '--port', String(parsePort(opts.port))];
  if (opts.host) args.push('--host', opts.host);
  if (opts.db) args.push('--db', opts.db);
  if (opts.redis) args.push('--redis', opts.redis);
  const tls = tlsFiles(opts);
  if (tls) loadTls(tls);
  if (tls) args.push('--tls-cert', tls.cert, '--tls-key', tls.key);
  const child = spawn(process.execPath, args, { detached: true, stdio: ['ignore', fd, fd], env: ctx.env });
  closeSync(fd);
  let exited: number | null = null;
  child.on('exit', (code) => (exited = code ?? 1));
  child.unref();
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const info = readJsonFile<DaemonInfo>(paths.daemon);
    if (info && info.pid === child.pid) return info;
    if (exited !== null) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const tail = existsSync(outFile) ? readFileSync(outFile, 'utf8').trim().split('\n').slice(-5).join('\n') : '';
  if (exited === null) child.kill('SIGKILL');
  throw new AppError('bug', `the daemon did not start${tail ? `:\n${tail}` : ''}`, `see ${outFile}`);
}

export async function stopDaemon(ctx: CliContext): Promise<boolean> {
  const paths = statePaths(ctx.home);
  const info = runningDaemon(ctx.home);
  if (!info) {
    removeFile(paths.daemon);
    return false;
  }
  process.kill(info.pid, 'SIGTERM');
  const deadline = Date.now() + 20_000;
  while (processAlive(info.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  if (processAlive(info.pid)) process.kill(info.pid, 'SIGKILL');
  removeFile(paths.daemon);
  return true;
}

export function register(program: Command, ctx: CliContext): void {
  const daemon = program.command('daemon').description('run, start, stop and inspect the daemon');
  const common = (cmd: Command): Command =>
    cmd
      .option('--port <n>', `port to listen on (0 picks a free one; default ${DEFAULT_PORT})`)
      .option('--host <h>', 'address to listen on (default 127.0.0.1)')
      .option('--db <url>', 'store: sqlite:FILE or postgres://… [FOUNDRY_DB]')
      .option('--redis <url>', 'Redis for the scaled mode [FOUNDRY_REDIS]')
      .option('--demo', 'initialise with the demo organisation if the state folder is new')
      .option('--tls-cert <file>', 'serve HTTPS (TLS 1.3 minimum) with this PEM certificate')
      .option('--tls-key <file>', 'the PEM private key of --tls-cert');

  common(daemon.command('run').description('run the daemon in the foreground')).action((opts: DaemonOpts) => runForeground(ctx, opts));

  common(daemon.command('start').description('start the daemon in the background and print its URL')).action(async (opts: DaemonOpts) => {
    const info = await startBackground(ctx, opts);
    if (ctx.out.json) ctx.out.data(info);
    else {
      ctx.out.line(info.url);
      ctx.out.info(`daemon started (pid ${info.pid}); log: ${info.logFile}`);
    }
  });

  daemon.command('stop').description('stop the daemon (SIGTERM: drains in-flight requests)').action(async () => {
    const stopped = await stopDaemon(ctx);
    if (ctx.out.json) ctx.out.data({ stopped });
    else ctx.out.info(stopped ? 'daemon stopped' : 'no daemon was running');
  });

  daemon.command('status').description('is the daemon running, where, and with which flags').action(async () => {
    const info = runningDaemon(ctx.home);
    const url = ctx.options.server ?? ctx.env.FOUNDRY_URL ?? info?.url;
    if (!url) {
      if (ctx.out.json) ctx.out.data({ running: false });
      throw new AppError('unavailable', 'no daemon is running', 'start it with: foundry-op daemon start');
    }
    const status = await ctx.client(5000).get<Record<string, unknown>>('/v1/status');
    const result = { running: true, url, pid: info?.pid ?? status.pid, logFile: info?.logFile ?? null, ...status };
    if (ctx.out.json) return ctx.out.data(result);
    const flags = status.flags as Record<string, boolean>;
    ctx.out.object(result, [
      ['url', url],
      ['pid', result.pid],
      ['version', status.version],
      ['started', status.startedAt],
      ['store', status.store],
      ['redis', status.redis ? 'yes' : 'no'],
      ['jobs', status.jobs],
      ['organisation', (status.org as { name: string } | null)?.name],
      ['you', `${(status.user as { name: string; role: string }).name} (${(status.user as { role: string }).role})`],
      ['claude', status.claude],
      ...Object.entries(flags).map(([k, v]) => [k, v ? 'on' : 'off'] as [string, unknown]),
      ['log', result.logFile],
    ]);
  });
}
