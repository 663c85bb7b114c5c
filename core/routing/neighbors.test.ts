import { describe, expect, it } from 'vitest';
import { kthLargest } from './neighbors.js';

describe('kthLargest (the cut for the candidates rescored exactly)', () => {
  it('agrees with sorting, with ties and repeated values, for every k', () => {
    let seed = 7;
    const rand = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (const n of [1, 2, 3, 10, 65, 500]) {
      const values = Float32Array.from({ length: n }, () => Math.round(rand() * 20) / 4);
      const sorted = [...values].sort((a, b) => b - a);
      for (let k = 1; k <= n; k++) expect(kthLargest(Float32Array.from(values), k)).toBe(sorted[k - 1]);
    }
  });
});
