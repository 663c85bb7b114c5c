import { describe, it, expect } from 'vitest';
import { wrapLines } from './chat-view.js';

describe('chat wrapping', () => {
  it('wraps at word boundaries within the width', () => {
    expect(wrapLines('one two three four', 9)).toEqual(['one two', 'three', 'four']);
    expect(wrapLines('abcdefghij', 4)).toEqual(['abcd', 'efgh', 'ij']);
  });

  it('keeps the indent of a bullet on its continuation lines, and blank lines', () => {
    expect(wrapLines('  - ben (platform): 333% of capacity\n\nok', 20)).toEqual([
      '  - ben (platform):',
      '    333% of capacity',
      '',
      'ok',
    ]);
  });
});
