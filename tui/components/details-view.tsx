import React from 'react';
import { Box, Text } from 'ink';
import { fit, truncate } from '../render/format.js';

export interface DetailsViewProps {
  readonly title: string;
  readonly item: object | undefined;
  readonly width: number;
  readonly height: number;
}

function show(key: string, value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'number' && /At$/.test(key) && value > 1e11) return new Date(value).toISOString();
  if (Array.isArray(value)) return value.length > 0 && typeof value[0] === 'number' ? `${value.length} points` : value.map(String).join(', ');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** All fields of the selected item, one per line. */
export function DetailsView({ title, item, width, height }: DetailsViewProps): React.JSX.Element {
  const entries = item ? Object.entries(item) : [];
  const keyW = Math.min(16, Math.max(4, ...entries.map(([k]) => k.length)) + 1);
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text bold color="cyan" wrap="truncate">{truncate(`${title} — Esc to go back`, width)}</Text>
      {item === undefined ? <Text color="gray">  this row is gone (it changed since you opened it)</Text> : null}
      {entries.slice(0, Math.max(0, height - 1)).map(([k, v]) => (
        <Text key={k} wrap="truncate">
          <Text color="gray">{fit(k, keyW)}</Text>
          <Text>{truncate(show(k, v), Math.max(0, width - keyW))}</Text>
        </Text>
      ))}
    </Box>
  );
}
