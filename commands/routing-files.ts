/** Reading the files the routing commands take: rules (JSON or YAML), tasks and history (JSON Lines). */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { AppError } from '../core/errors.js';

/** The text of a file, or of stdin for `-`. */
export function readInput(file: string, stdin: NodeJS.ReadStream = process.stdin): Promise<string> {
  if (file !== '-') {
    try {
      return Promise.resolve(readFileSync(file, 'utf8'));
    } catch (e) {
      throw new AppError('usage', `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
  return new Promise((resolve, reject) => {
    let text = '';
    stdin.setEncoding('utf8');
    stdin.on('data', (d: string) => (text += d));
    stdin.on('end', () => resolve(text));
    stdin.on('error', reject);
  });
}

/** A JSON or YAML document (a rule, or a list of rules). */
export function parseDocument(text: string, file: string): unknown {
  const trimmed = text.trim();
  if (trimmed === '') throw new AppError('usage', `${file} is empty`);
  try {
    return trimmed.startsWith('{') || trimmed.startsWith('[') ? JSON.parse(trimmed) : parseYaml(trimmed);
  } catch (e) {
    // JSON Lines of rules is also fine
    if (trimmed.startsWith('{')) {
      const lines = jsonLines(trimmed, file);
      if (lines.length > 1) return lines.map((l) => l.value);
    }
    throw new AppError('usage', `${file}: not valid JSON or YAML (${(e as Error).message})`);
  }
}

export interface Line {
  /** 1-based line number in the file */
  line: number;
  value: unknown;
}

/** JSON Lines; blank lines are skipped; a bad line is reported by number and nothing is returned. */
export function jsonLines(text: string, file: string): Line[] {
  const out: Line[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!.trim();
    if (l === '') continue;
    try {
      out.push({ line: i + 1, value: JSON.parse(l) });
    } catch (e) {
      throw new AppError('usage', `${file} line ${i + 1}: not valid JSON (${(e as Error).message})`, 'nothing was sent');
    }
  }
  return out;
}

/** One JSON object, or JSON Lines of many. */
export function tasksFromText(text: string, file: string): Line[] {
  const trimmed = text.trim();
  if (trimmed === '') throw new AppError('usage', `${file} is empty`);
  try {
    const whole = JSON.parse(trimmed) as unknown;
    if (Array.isArray(whole)) return whole.map((value, i) => ({ line: i + 1, value }));
    return [{ line: 1, value: whole }];
  } catch {
    return jsonLines(text, file);
  }
}

/** `tasks[3].priority: …` from the daemon → `line 4: priority: …` for the file's reader. */
export function lineError(e: unknown, lines: Line[], key: string): unknown {
  if (!(e instanceof AppError)) return e;
  const m = new RegExp(`^${key}\\[(\\d+)\\]\\.?`).exec(e.message);
  if (!m) return e;
  const line = lines[Number(m[1])]?.line ?? Number(m[1]) + 1;
  return new AppError('usage', `line ${line}: ${e.message.slice(m[0].length)}`, 'nothing was stored', e.details);
}

/** Validation failures of a file a user gave are usage errors (exit 2), keeping the bad path. */
export function asUsage(e: unknown, file: string): unknown {
  if (e instanceof AppError && e.kind === 'validation') return new AppError('usage', `${file}: ${e.message}`, e.hint ?? 'nothing was stored', e.details);
  return e;
}
