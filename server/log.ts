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

class StreamLogger implements Logger {
  constructor(private readonly out: NodeJS.WritableStream | WriteStream | null) {}
  log(level: Level, msg: string, fields?: Record<string, unknown>): void {
    if (!this.out) return;
    this.out.write(`${JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields })}\n`);
  }
  info(msg: string, fields?: Record<string, unknown>): void { this.log('info', msg, fields); }
  warn(msg: string, fields?: Record<string, unknown>): void { this.log('warn', msg, fields); }
  error(msg: string, fields?: Record<string, unknown>): void { this.log('error', msg, fields); }
  close(): Promise<void> {
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
