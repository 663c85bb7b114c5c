import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Output, type Column } from './output.js';

function capture(opts: { json?: boolean; tty?: boolean; color?: boolean }) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  const o = new Output({ json: opts.json ?? false, tty: opts.tty ?? false, color: opts.color ?? false, stdout, stderr });
  return { o, out: () => out, err: () => err };
}

const rows = [
  { id: 'tsk_1', priority: 'P1', createdAt: '2026-11-25T10:21:37.149Z', tags: { host: 'db-3' } },
  { id: 'tsk_22', priority: 'P3', createdAt: '2026-11-24T08:00:00.000Z', tags: {} },
];
const columns: Column<(typeof rows)[number]>[] = [
  { header: 'id', value: 'id' },
  { header: 'pri', value: 'priority', color: (p) => (p === 'P1' ? 'red' : undefined) },
  { header: 'created', value: 'createdAt' },
  { header: 'tags', value: 'tags' },
];

describe('output', () => {
  it('prints aligned columns with a header on a TTY, times shortened', () => {
    const c = capture({ tty: true });
    c.o.list(rows, columns);
    expect(c.out().split('\n')).toEqual([
      'ID      PRI  CREATED           TAGS',
      'tsk_1   P1   2026-11-25 10:21  host=db-3',
      'tsk_22  P3   2026-11-24 08:00',
      '',
    ]);
  });

  it('prints tab-separated rows without header or colour in a pipe, times kept whole', () => {
    const c = capture({ tty: false });
    c.o.list(rows, columns);
    expect(c.out()).toBe('tsk_1\tP1\t2026-11-25T10:21:37.149Z\thost=db-3\ntsk_22\tP3\t2026-11-24T08:00:00.000Z\t\n');
  });

  it('prints one JSON document with --json, whatever the terminal', () => {
    for (const tty of [true, false]) {
      const c = capture({ json: true, tty });
      c.o.list(rows, columns);
      expect(JSON.parse(c.out())).toEqual(rows);
    }
  });

  it('colours only when asked', () => {
    const plain = capture({ tty: true });
    plain.o.list(rows, columns);
    expect(plain.out()).not.toMatch(/\u001b\[/);
    const coloured = capture({ tty: true, color: true });
    coloured.o.list(rows, columns);
    expect(coloured.out()).toMatch(/\u001b\[31mP1/);
  });

  it('keeps notes on stderr and sentences off stdout with --json', () => {
    const c = capture({ json: true });
    c.o.info('working…');
    c.o.line('created tsk_1');
    expect(c.out()).toBe('');
    expect(c.err()).toBe('working…\n');
  });
});
