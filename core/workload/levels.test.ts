import { describe, expect, it } from 'vitest';
import { nextLevel, walkLevels } from './levels.js';

const series = (scores: number[]) => scores.map((score, i) => ({ day: `d${i}`, score }));

describe('risk levels with hysteresis', () => {
  it('enters high at 70 and stays until the score falls below 60', () => {
    expect(nextLevel('ok', 70)).toBe('high');
    expect(nextLevel('high', 61)).toBe('high');
    expect(nextLevel('high', 59)).toBe('elevated');
  });

  it('does not flap when a score wobbles around a threshold', () => {
    const { changes } = walkLevels('m1', series([45, 52, 48, 51, 47, 53, 49, 71, 66, 69, 62, 72, 65]));
    expect(changes.map((c) => `${c.from}>${c.to}`)).toEqual(['ok>elevated', 'elevated>high']);
  });

  it('clears only once the score is well below the threshold', () => {
    const { level, changes } = walkLevels('m1', series([75, 55, 42, 39]));
    expect(level).toBe('ok');
    expect(changes.map((c) => c.kind)).toEqual(['raised', 'lowered', 'cleared']);
  });

  it('resumes from a stored level', () => {
    expect(walkLevels('m1', series([45]), 'elevated').changes).toEqual([]);
    expect(walkLevels('m1', series([45]), 'ok').changes).toEqual([]);
  });
});
