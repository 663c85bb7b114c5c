import { useInput, type Key } from 'ink';
import type { KeyPress } from '../state/ui.js';

const CONTROL: Record<string, KeyPress['name']> = { '\r': 'enter', '\n': 'enter', '\t': 'tab', '\x7f': 'backspace', '\b': 'backspace', '\x1b': 'escape' };

/** Ink's key flags to named keys, the vocabulary the reducer speaks. A pasted chunk becomes one key per character. */
export function toKeyPresses(input: string, key: Key): KeyPress[] {
  const named = (name: KeyPress['name']): KeyPress[] => [{ name, char: '', ctrl: key.ctrl }];
  if (key.upArrow) return named('up');
  if (key.downArrow) return named('down');
  if (key.leftArrow) return named('left');
  if (key.rightArrow) return named('right');
  if (key.pageUp) return named('pageup');
  if (key.pageDown) return named('pagedown');
  if (key.home) return named('home');
  if (key.end) return named('end');
  if (key.return) return named('enter');
  if (key.escape) return named('escape');
  if (key.tab) return named(key.shift ? 'backtab' : 'tab');
  if (key.backspace || key.delete) return named('backspace');
  // Esc pressed quickly before a key reaches us as one "Alt+key" sequence: treat it as both.
  if (key.meta && !key.ctrl && input.length === 1) return [{ name: 'escape', char: '', ctrl: false }, { name: 'char', char: input, ctrl: false }];
  if (key.ctrl || input.length <= 1) return [{ name: 'char', char: input, ctrl: key.ctrl }];
  return [...input].map((c) => (CONTROL[c] ? { name: CONTROL[c], char: '', ctrl: false } : { name: 'char', char: c, ctrl: false }));
}

export function useKeys(onKey: (k: KeyPress) => void): void {
  useInput((input, key) => {
    for (const k of toKeyPresses(input, key)) onKey(k);
  });
}
