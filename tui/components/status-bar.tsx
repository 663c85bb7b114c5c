import React from 'react';
import { Text } from 'ink';
import type { Flash, Mode } from '../state/ui.js';
import { completeCommand } from '../views/registry.js';
import { truncate } from '../render/format.js';

export interface StatusBarProps {
  readonly mode: Mode;
  readonly flash: Flash | null;
  readonly filter: string;
  readonly width: number;
  readonly hints: string;
}

const FLASH_COLOR = { info: 'cyan', ok: 'green', error: 'red' } as const;

/** The bottom line: the prompt being typed, a question to confirm, the last result, or key hints. */
export function StatusBar({ mode, flash, filter, width, hints }: StatusBarProps): React.JSX.Element {
  const line = (text: string, color?: string, bold = false) => (
    <Text color={color} bold={bold} wrap="truncate">{truncate(text, width)}</Text>
  );
  switch (mode.kind) {
    case 'command': {
      const guess = mode.text ? completeCommand(mode.text) : undefined;
      return line(`:${mode.text}▌${guess && guess !== mode.text ? `   Tab → ${guess}` : '   Enter to go, Esc to cancel'}`, 'cyan', true);
    }
    case 'filter':
      return line(`/${mode.text}▌   Enter keeps the filter, Esc clears it`, 'cyan', true);
    case 'reason':
      return line(`reason for rejecting ${mode.id}: ${mode.text}▌   Enter, Esc cancels`, 'yellow', true);
    case 'confirm':
      return line(`${mode.prompt} [y/N]`, 'yellow', true);
    case 'chat':
      return line(`Enter sends, Esc stops typing`, 'gray');
    case 'normal':
      if (flash) return line(flash.text, FLASH_COLOR[flash.tone], true);
      return line(filter ? `filter: ${filter} (Esc clears)   ${hints}` : hints, 'gray');
  }
}
