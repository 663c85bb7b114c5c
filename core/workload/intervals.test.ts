import { describe, expect, it } from 'vitest';
import { coverage, coverageOf, covered, CoverageCursor } from './intervals.js';

describe('interval coverage', () => {
  it('merges overlapping and touching intervals and ignores empty ones', () => {
    const c = coverage([[5, 8], [0, 2], [1, 3], [3, 4], [10, 10]]);
    expect(Array.from(c.starts)).toEqual([0, 5]);
    expect(Array.from(c.ends)).toEqual([4, 8]);
  });

  it('measures the covered part of a window', () => {
    const c = coverageOf([0, 4, 5, 8], [20, 30]);
    expect(covered(c, 2, 6)).toBe(3);
    expect(covered(c, -10, 100)).toBe(17);
    expect(covered(c, 9, 19)).toBe(0);
  });

  it('a cursor gives the same answers for rising queries', () => {
    const c = coverageOf([0, 4, 5, 8, 20, 30]);
    const cur = new CoverageCursor(c);
    const xs = [-1, 0, 2, 4, 4.5, 6, 8, 15, 25, 40];
    expect(xs.map((x) => cur.upTo(x))).toEqual(xs.map((x) => covered(c, -1e9, x)));
  });
});
