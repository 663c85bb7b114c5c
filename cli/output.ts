import type { Writable } from 'node:stream';
import { createRequire } from 'node:module';
import { Chalk } from 'chalk';
import type TableType from 'cli-table3';

// Loaded on the first table only: --json, streams and the dashboard never pay for cli-table3.
const loadTable = (): typeof TableType => createRequire(import.meta.url)('cli-table3') as typeof TableType;

export interface Column<T = Record<string, unknown>> {
  header: string;
  /** A field name or a function of the row. */
  value: keyof T | ((row: T) => unknown);
  /** Colour for a TTY, chosen from the cell text. */
  color?: (text: string, row: T) => 'red' | 'yellow' | 'green' | 'cyan' | 'gray' | undefined;
}

export interface OutputOptions {
  json: boolean;
  color: boolean;
  tty: boolean;
  stdout: Writable;
  stderr: Writable;
}

/** Results go to stdout (one JSON document with --json); everything else goes to stderr. */
export class Output {
  private readonly chalk: InstanceType<typeof Chalk>;

  constructor(readonly options: OutputOptions) {
    this.chalk = new Chalk({ level: options.color ? 1 : 0 });
  }

  get json(): boolean {
    return this.options.json;
  }

  /** Prints a list: a table on a TTY, tab-separated lines in a pipe, one JSON document with --json. */
  list<T>(rows: T[], columns: Column<T>[]): void {
    if (this.options.json) return this.data(rows);
    if (rows.length === 0) {
      if (this.options.tty) this.info('nothing to show');
      return;
    }
    const cells = rows.map((row) => columns.map((c) => cellText(typeof c.value === 'function' ? c.value(row) : row[c.value], this.options.tty)));
    if (!this.options.tty) {
      for (const line of cells) this.write(`${line.map((c) => c.replace(/\t|\n/g, ' ')).join('\t')}\n`);
      return;
    }
    // gh-style: aligned columns, no borders, long cells clipped.
    const Table = loadTable();
    const table = new Table({
      head: columns.map((c) => this.paint(c.header.toUpperCase(), 'bold')),
      chars: { top: '', 'top-mid': '', 'top-left': '', 'top-right': '', bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '', left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: '  ' },
      style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 },
    });
    rows.forEach((row, r) => {
      table.push(columns.map((c, i) => {
        const raw = cells[r]![i]!;
        const text = raw.length > 60 ? `${raw.slice(0, 59)}…` : raw;
        const colour = c.color?.(raw, row);
        return colour ? this.paint(text, colour) : text;
      }));
    });
    this.write(`${table.toString().split('\n').map((l) => l.trimEnd()).join('\n')}\n`);
  }

  /** Prints one object: `key: value` lines for people, the object itself with --json. */
  object(value: Record<string, unknown>, fields?: [label: string, value: unknown][]): void {
    if (this.options.json) return this.data(value);
    const pairs = fields ?? Object.entries(value).map(([k, v]) => [k, v] as [string, unknown]);
    const width = Math.max(...pairs.map(([k]) => k.length));
    for (const [k, v] of pairs) {
      const text = typeof v === 'object' && v !== null && !Array.isArray(v) ? JSON.stringify(v) : cellText(v, this.options.tty);
      this.write(`${this.paint(`${k}:`.padEnd(width + 1), 'bold')} ${text}\n`);
    }
  }

  /** The raw result as JSON (with --json) or as given text. */
  data(value: unknown): void {
    this.write(`${JSON.stringify(value)}\n`);
  }

  /** One line of text on stdout, for results that are sentences ("created task tsk_…"). */
  line(text: string): void {
    if (!this.options.json) this.write(`${text}\n`);
  }

  info(text: string): void {
    this.options.stderr.write(`${text}\n`);
  }

  warn(text: string): void {
    this.options.stderr.write(`${this.paint('warning:', 'yellow')} ${text}\n`);
  }

  paint(text: string, style: 'red' | 'yellow' | 'green' | 'cyan' | 'gray' | 'bold'): string {
    return this.chalk[style](text);
  }


  private write(text: string): void {
    this.options.stdout.write(text);
  }
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** Cell text: ISO times shortened for people on a TTY (kept whole in a pipe), lists joined, objects as k=v. */
export function cellText(v: unknown, tty: boolean): string {
  if (v === null || v === undefined) return tty ? '-' : '';
  if (typeof v === 'string') return tty && ISO.test(v) ? v.slice(0, 16).replace('T', ' ') : v;
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toFixed(2);
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (Array.isArray(v)) return v.map((x) => cellText(x, tty)).join(',');
  if (typeof v === 'object') return Object.entries(v as Record<string, unknown>).map(([k, x]) => `${k}=${cellText(x, tty)}`).join(',');
  return String(v);
}
