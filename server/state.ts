import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The files of the state folder ($FOUNDRY_HOME). */
export const statePaths = (home: string) => ({
  home,
  db: join(home, 'foundry.db'),
  jwtKey: join(home, 'jwt.key'),
  adminToken: join(home, 'admin.token'),
  config: join(home, 'config.json'),
  daemon: join(home, 'daemon.json'),
  logs: join(home, 'logs'),
  log: join(home, 'logs', 'daemon.log'),
});

export interface DaemonInfo {
  pid: number;
  host: string;
  port: number;
  url: string;
  logFile: string | null;
  startedAt: string;
  db: string;
}

/** Settings written by `init` (e.g. the store URL when it is not the default SQLite file). */
export interface HomeConfig {
  db?: string;
  orgId?: string;
  orgName?: string;
}

export function writeSecret(file: string, content: string | Buffer): void {
  writeFileSync(file, content, { mode: 0o600 });
  chmodSync(file, 0o600);
}

/** Writes a file atomically (temp + rename), so readers never see half of it. */
export function writeAtomic(file: string, content: string, mode = 0o644): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, content, { mode });
  renameSync(tmp, file);
}

export function readJsonFile<T>(file: string): T | null {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return null;
  }
}

export function readJwtKey(home: string): Uint8Array | null {
  const file = statePaths(home).jwtKey;
  if (!existsSync(file)) return null;
  return Buffer.from(readFileSync(file, 'utf8').trim(), 'base64url');
}

export function ensureDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
}

export function removeFile(file: string): void {
  rmSync(file, { force: true });
}

/** True when a process with this pid exists (signal 0 only checks). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The daemon recorded in the state folder, if its process is still alive. */
export function runningDaemon(home: string): DaemonInfo | null {
  const info = readJsonFile<DaemonInfo>(statePaths(home).daemon);
  return info && processAlive(info.pid) ? info : null;
}
