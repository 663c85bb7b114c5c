import { describe, it, expect } from 'vitest';
import { allocateHeights, drawableRows, scrollOffset } from './layout.js';

describe('screen geometry', () => {
  it('draws one line short of the terminal so Ink never clears it', () => {
    expect(drawableRows(24)).toBe(23);
  });

  it('shares height by need and never beyond the total', () => {
    expect(allocateHeights([5, 5], 20)).toEqual([5, 5]);
    expect(allocateHeights([30, 4], 20)).toEqual([16, 4]);
    const tight = allocateHeights([10, 10, 10, 10, 10, 10, 10], 20, 2);
    expect(tight.reduce((a, b) => a + b, 0)).toBe(20);
    expect(Math.min(...tight)).toBeGreaterThanOrEqual(2);
  });

  it('scrolls only when the cursor would leave the window', () => {
    expect(scrollOffset(0, 100, 10)).toBe(0);
    expect(scrollOffset(9, 100, 10)).toBe(0);
    expect(scrollOffset(10, 100, 10)).toBe(1);
    expect(scrollOffset(99, 100, 10)).toBe(90);
    expect(scrollOffset(3, 5, 10)).toBe(0);
  });
});
