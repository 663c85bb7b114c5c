import React from 'react';
import { Box, Text } from 'ink';
import type { KeyHelp } from '../state/keymap.js';
import type { ViewDef } from '../views/registry.js';
import { fit, truncate } from '../render/format.js';

export interface HelpViewProps {
  readonly keys: readonly KeyHelp[];
  readonly views: readonly ViewDef[];
  readonly width: number;
  readonly height: number;
}

/** Every key, one per line; on a short terminal it keeps the order and cuts the tail. */
export function HelpView({ keys, views, width, height }: HelpViewProps): React.JSX.Element {
  const keyW = Math.min(26, Math.max(...keys.map((k) => k.keys.length)) + 1);
  const lines = keys.slice(0, Math.max(0, height - 1));
  // The `:` commands of every view, when the screen has room for them below the keys.
  const commands = height - 1 - lines.length >= views.length + 1 ? views : [];
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text bold color="cyan">{truncate('Keys — Esc or ? to close', width)}</Text>
      {lines.map((k) => (
        <Text key={k.keys} wrap="truncate">
          <Text bold>{fit(k.keys, keyW)}</Text>
          <Text>{truncate(` ${k.does}`, Math.max(0, width - keyW))}</Text>
        </Text>
      ))}
      {commands.length > 0 ? <Text bold>{truncate('Views and their : commands', width)}</Text> : null}
      {commands.map((v) => (
        <Text key={v.name} wrap="truncate">
          <Text bold>{fit(`${v.key} ${v.title}`, keyW)}</Text>
          <Text>{truncate(` :${v.commands.join('  :')}`, Math.max(0, width - keyW))}</Text>
        </Text>
      ))}
    </Box>
  );
}
