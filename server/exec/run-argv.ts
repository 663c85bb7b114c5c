import { spawn } from 'node:child_process';

/** One program run: argv array, no shell, a small environment, a timeout that kills, capped output. */
export interface ArgvRun {
  argv: string[];
  env?: Record<string, string>;
  cwd?: string;
  timeoutMs: number;
  /** Bytes kept of stdout and of stderr each. */
  maxOutput: number;
  /** Time between SIGTERM and SIGKILL once the timeout has passed. */
  killGraceMs?: number;
}

export interface ArgvResult {
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  truncated: boolean;
  timedOut: boolean;
  /** Set when the program could not be started at all (not found, not executable). */
  spawnError: string | null;
  durationMs: number;
}

/**
 * Variables the child inherits from the daemon. Everything else (tokens, API keys, database URLs) stays
 * out of reach of a playbook step unless the playbook names it in `env`.
 */
const INHERITED = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR', 'USER'];

class Capped {
  private readonly chunks: Buffer[] = [];
  private size = 0;
  truncated = false;
  constructor(private readonly max: number) {}
  push(b: Buffer): void {
    // Keep reading past the cap so a chatty program never blocks on a full pipe.
    if (this.size >= this.max) {
      this.truncated = true;
      return;
    }
    const room = this.max - this.size;
    if (b.length > room) this.truncated = true;
    const part = b.length > room ? b.subarray(0, room) : b;
    this.chunks.push(part);
    this.size += part.length;
  }
  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

export function runArgv(run: ArgvRun): Promise<ArgvResult> {
  const started = performance.now();
  const env: Record<string, string> = {};
  for (const k of INHERITED) if (process.env[k] !== undefined) env[k] = process.env[k]!;
  Object.assign(env, run.env ?? {});
  return new Promise((resolve) => {
    const out = new Capped(run.maxOutput);
    const err = new Capped(run.maxOutput);
    let timedOut = false;
    let spawnError: string | null = null;
    let settled = false;
    let killTimer: NodeJS.Timeout | undefined;
    // detached: the child leads its own process group, so the timeout kills whatever it started too.
    const child = spawn(run.argv[0]!, run.argv.slice(1), {
      shell: false, env, cwd: run.cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: true, windowsHide: true,
    });
    const killGroup = (signal: NodeJS.Signals): void => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, signal);
      } catch {
        try { child.kill(signal); } catch { /* already gone */ }
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup('SIGTERM');
      killTimer = setTimeout(() => killGroup('SIGKILL'), run.killGraceMs ?? 2_000);
    }, run.timeoutMs);
    child.stdout!.on('data', (b: Buffer) => out.push(b));
    child.stderr!.on('data', (b: Buffer) => err.push(b));
    const finish = (exitCode: number | null, signal: string | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (killTimer) clearTimeout(killTimer);
      resolve({
        exitCode, signal, stdout: out.text(), stderr: err.text(), truncated: out.truncated || err.truncated, timedOut, spawnError,
        durationMs: Math.round(performance.now() - started),
      });
    };
    child.on('error', (e) => {
      spawnError = e.message;
      finish(null, null);
    });
    child.on('close', (code, signal) => {
      // A timed-out group may leave grandchildren holding nothing; make sure none survive.
      if (timedOut) killGroup('SIGKILL');
      finish(code, signal);
    });
  });
}
