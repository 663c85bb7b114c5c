// Colours by meaning; chalk (under Ink) drops them when NO_COLOR is set or output is not a terminal.
import type { Tone } from '../render/columns.js';
import type { ConnectionState } from '../model.js';

export const TONE_COLOR: Record<Tone, string | undefined> = {
  normal: undefined,
  ok: 'green',
  warn: 'yellow',
  bad: 'red',
  dim: 'gray',
  accent: 'cyan',
};

export const CONNECTION_COLOR: Record<ConnectionState, string> = {
  connecting: 'yellow',
  live: 'green',
  reconnecting: 'yellow',
  offline: 'red',
};
