import React from 'react';
import { Box, Text } from 'ink';
import type { ConnectionState, HeaderVM } from '../model.js';
import type { ViewDef, ViewName } from '../views/registry.js';
import { CONNECTION_COLOR } from './theme.js';
import { truncate } from '../render/format.js';

export interface HeaderProps {
  readonly header: HeaderVM;
  readonly connection: ConnectionState;
  readonly views: readonly ViewDef[];
  readonly current: ViewName;
  readonly width: number;
}

/** Two lines: who and where (with the live/reconnecting state), then the views with their keys. */
export function Header({ header, connection, views, current, width }: HeaderProps): React.JSX.Element {
  const conn = `● ${connection}`;
  const who = `${header.user} (${header.role})`;
  const left = truncate(`foundry-op │ ${header.org} │ ${header.url} │ ${who}`, Math.max(10, width - conn.length - 1));
  const wide = width >= 100;
  return (
    <Box flexDirection="column" width={width}>
      <Box>
        <Text bold wrap="truncate">{left.padEnd(Math.max(0, width - conn.length))}</Text>
        <Text color={CONNECTION_COLOR[connection]} bold>{conn}</Text>
      </Box>
      <Text wrap="truncate">
        {views.map((v) => {
          const label = `${v.key}:${wide ? v.title : v.name}`;
          return v.name === current
            ? <Text key={v.name}> <Text inverse bold>{label}</Text></Text>
            : <Text key={v.name} color="gray">{` ${label}`}</Text>;
        })}
      </Text>
    </Box>
  );
}
