import { spawn, type ChildProcess } from 'node:child_process';
import { readJsonFile, statePaths, type DaemonInfo } from '../server/state.js';
import { BIN, eventually } from './helpers.js';

export interface SpawnedDaemon {
  child: ChildProcess;
  url: string;
  stderr(): string;
}

/** The real binary, `daemon run --port 0 [args]`, as its own process (so kill -9 hits only it). */
export async function spawnDaemon(home: string, args: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<SpawnedDaemon> {
  const fullEnv: NodeJS.ProcessEnv = { ...process.env, FOUNDRY_HOME: home, FOUNDRY_RATE_LIMIT: 'off', ...env };
  delete fullEnv.FOUNDRY_URL;
  delete fullEnv.FOUNDRY_TOKEN;
  const child = spawn(process.execPath, [BIN, 'daemon', 'run', '--port', '0', ...args], { env: fullEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const info = await eventually(() => {
    if (child.exitCode !== null) throw new Error(`daemon exited ${child.exitCode}: ${out}`);
    const i = readJsonFile<DaemonInfo>(statePaths(home).daemon);
    return i && i.pid === child.pid ? i : null;
  }, 30_000, 'the daemon to listen');
  return { child, url: info.url, stderr: () => out };
}

export function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((r) => child.once('exit', () => r()));
}

export async function stopDaemon(d: SpawnedDaemon, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (d.child.exitCode === null && d.child.signalCode === null) d.child.kill(signal);
  await exited(d.child);
}
