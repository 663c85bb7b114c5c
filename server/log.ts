import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';

export type Level = 'debug' | 'info' | 'warn' | 'error';

/** Structured JSON lines (ready for Loki): one object per line with time, level, message and fields. */
export interface Logger {
  log(level: Level, msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  close(): Promise<void>;
}

/**
 * Lines of one turn of the event loop are written together at its end: one write per turn, not one per
 * request (a write per line was ~6 % of the daemon's time under ingest load).
 */
class StreamLogger implements Logger {
  private pending: string[] = [];

  constructor(private readonly out: NodeJS.WritableStream | WriteStream | null) {}

  log(level: Level, msg: string, fields?: Record<string, unknown>): void {
    if (!this.out) return;
    if (this.pending.push(`${JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields })}\n`) === 1) setImmediate(() => this.flush());
  }

  private flush(): void {
    if (this.pending.length === 0 || !this.out) return;
    const text = this.pending.join('');
    this.pending = [];
    this.out.write(text);
  }

  info(msg: string, fields?: Record<string, unknown>): void { this.log('info', msg, fields); }
  warn(msg: string, fields?: Record<string, unknown>): void { this.log('warn', msg, fields); }
  error(msg: string, fields?: Record<string, unknown>): void { this.log('error', msg, fields); }
  close(): Promise<void> {
    this.flush();
    const out = this.out;
    if (!out || out === process.stdout || out === process.stderr) return Promise.resolve();
    return new Promise((resolve) => (out as WriteStream).end(resolve));
  }
}

export function fileLogger(file: string): Logger {
  mkdirSync(dirname(file), { recursive: true });
  return new StreamLogger(createWriteStream(file, { flags: 'a' }));
}

export const stderrLogger = (): Logger => new StreamLogger(process.stderr);
export const silentLogger = (): Logger => new StreamLogger(null);
