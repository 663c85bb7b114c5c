import { describe, it, expect } from 'vitest';
import { age, bar, compact, fit, sparkline, truncate, until } from './format.js';

describe('text helpers', () => {
  it('truncates with an ellipsis and never exceeds the width', () => {
    expect(truncate('replication lag', 8)).toBe('replica…');
    expect(truncate('short', 8)).toBe('short');
    expect(fit('ab', 4, 'right')).toBe('  ab');
    expect(truncate('line\none', 20)).toBe('line one');
  });

  it('shows ages in the largest sensible unit', () => {
    const now = 1_000_000_000;
    expect(age(now - 5_000, now)).toBe('5s');
    expect(age(now - 3 * 60_000, now)).toBe('3m');
    expect(age(now - 5 * 3_600_000, now)).toBe('5h');
    expect(age(now - 72 * 3_600_000, now)).toBe('3d');
    expect(until(now + 4 * 60_000, now)).toBe('in 4m');
    expect(until(now - 10 * 60_000, now)).toBe('10m late');
  });

  it('draws load bars that fill completely when overloaded', () => {
    expect(bar(0.5, 10)).toBe('█████░░░░░');
    expect(bar(1.7, 4)).toBe('████');
    expect(bar(Number.NaN, 3)).toBe('░░░');
  });

  it('draws sparklines of the most recent points, right-aligned', () => {
    expect(sparkline([0, 1, 2, 3, 4, 5, 6, 7], 8)).toBe('▁▂▃▄▅▆▇█');
    expect(sparkline([1, 2], 4)).toBe('  ▁█');
    expect(sparkline([9, 0, 5, 5], 2)).toBe('▄▄');
    expect(sparkline([], 3)).toBe('   ');
  });

  it('prints numbers compactly', () => {
    expect(compact(0.8312)).toBe('0.83');
    expect(compact(15)).toBe('15');
    expect(compact(12_345)).toBe('12.3k');
    expect(compact(null)).toBe('-');
  });
});
