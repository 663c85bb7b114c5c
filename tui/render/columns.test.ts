import { describe, it, expect } from 'vitest';
import { fitColumns, headerLine, layoutLine, rowMatches, type Column } from './columns.js';

const cols: Column[] = [
  { title: 'ID', width: 6, drop: 1 },
  { title: 'TITLE', width: 20, grow: true },
  { title: 'TEAM', width: 8 },
  { title: 'AGE', width: 3, align: 'right', drop: 2 },
];

describe('table geometry', () => {
  it('gives the growing column what the fixed ones leave', () => {
    const f = fitColumns(cols, 60);
    expect(f.map((c) => c.title)).toEqual(['ID', 'TITLE', 'TEAM', 'AGE']);
    expect(f.find((c) => c.title === 'TITLE')!.fitted).toBe(60 - 6 - 8 - 3 - 3);
    expect(headerLine(f)).toHaveLength(60);
  });

  it('drops the most expendable columns first when narrow', () => {
    expect(fitColumns(cols, 36).map((c) => c.title)).toEqual(['TITLE', 'TEAM', 'AGE']);
    expect(fitColumns(cols, 22).map((c) => c.title)).toEqual(['TITLE', 'TEAM']);
  });

  it('lays out a row at exactly the fitted width, cutting long cells', () => {
    const f = fitColumns(cols, 40);
    const line = layoutLine(['tsk_123456', 'a very long title that cannot fit at all', 'platform', '3m'], f);
    expect(line).toHaveLength(40);
    expect(line).toContain('tsk_1…');
    expect(line.endsWith(' 3m')).toBe(true);
  });

  it('renders width-aware cells at their column width', () => {
    const f = fitColumns([{ title: 'BAR', width: 5, grow: true }], 12);
    expect(layoutLine([(w) => '#'.repeat(w)], f)).toBe('#'.repeat(12));
  });

  it('filters rows on every word, case-insensitively', () => {
    const row = { key: 'tsk_1', cells: ['P1', 'Postgres lag', 'dba'] };
    expect(rowMatches(row, 'postgres DBA')).toBe(true);
    expect(rowMatches(row, 'postgres api')).toBe(false);
    expect(rowMatches(row, 'tsk_1')).toBe(true);
    expect(rowMatches(row, '  ')).toBe(true);
  });
});
