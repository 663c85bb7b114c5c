import { describe, expect, it } from 'vitest';
import { inList, powerOfTwoParts, toPostgresPlaceholders, valueRows } from './sql.js';

describe('the dialect-neutral SQL layer', () => {
  it('numbers placeholders for PostgreSQL, leaving quoted text alone', () => {
    expect(toPostgresPlaceholders("SELECT '?' AS q, a FROM t WHERE b = ? AND c IN (?, ?)")).toBe("SELECT '?' AS q, a FROM t WHERE b = $1 AND c IN ($2, $3)");
  });

  it('pads IN lists to a power of two with the last value, so a few statement shapes serve every length', () => {
    expect(inList(['a'])).toEqual({ marks: '?', values: ['a'] });
    expect(inList(['a', 'b', 'c'])).toEqual({ marks: '?, ?, ?, ?', values: ['a', 'b', 'c', 'c'] });
    const shapes = new Set(Array.from({ length: 500 }, (_, n) => inList(Array.from({ length: n + 1 }, (_, i) => i)).marks));
    expect(shapes.size).toBe(10); // 1, 2, 4, …, 512
  });

  it('cuts multi-row INSERTs into parts of 64, 32, … 1 rows, in order, and writes their VALUES', () => {
    const rows = Array.from({ length: 100 }, (_, i) => i);
    const parts = powerOfTwoParts(rows, 64);
    expect(parts.map((p) => p.length)).toEqual([64, 32, 4]);
    expect(parts.flat()).toEqual(rows);
    expect(powerOfTwoParts([], 64)).toEqual([]);
    expect(valueRows(2, 3)).toBe('(?, ?, ?), (?, ?, ?)');
  });
});
