import React from 'react';
import { Box, Text } from 'ink';
import type { Section } from '../views/registry.js';
import { fitColumns, headerLine, layoutLine } from '../render/columns.js';
import { scrollOffset } from '../render/layout.js';
import { TONE_COLOR } from './theme.js';
import { truncate } from '../render/format.js';

export interface TableProps {
  readonly section: Section;
  readonly width: number;
  /** Lines including the title line. */
  readonly height: number;
  readonly focused: boolean;
  readonly cursor: number;
  readonly showHeader?: boolean;
}

/** One titled table of rows; the selected row is shown inverted while the table has the focus. */
export function Table({ section, width, height, focused, cursor, showHeader = true }: TableProps): React.JSX.Element {
  // A one-column gutter carries the selection marker, so the selection shows without colour too.
  const fitted = fitColumns(section.columns, width - 1);
  const count = section.rows.length;
  const counter = section.state === 'ready' ? (count === section.total ? ` (${count})` : ` (${count}/${section.total})`) : '';
  const title = truncate(`${focused ? '▶ ' : '  '}${section.title}${counter}`, width);
  const headerShown = showHeader && height >= 3 && section.state === 'ready' && count > 0;
  const visible = Math.max(0, height - 1 - (headerShown ? 1 : 0));
  const offset = scrollOffset(cursor, count, visible);
  const rows = section.rows.slice(offset, offset + visible);
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text bold color={focused ? 'cyan' : undefined} wrap="truncate">{title}</Text>
      {section.state !== 'ready' ? (
        height > 1 ? <Text color={section.state === 'error' ? 'red' : 'gray'} wrap="truncate">{truncate(`  ${section.note ?? ''}`, width)}</Text> : null
      ) : count === 0 ? (
        height > 1 ? <Text color="gray" wrap="truncate">{'  nothing here'}</Text> : null
      ) : (
        <>
          {headerShown ? <Text color="gray" wrap="truncate">{` ${headerLine(fitted)}`}</Text> : null}
          {rows.map((row, i) => {
            const selected = focused && offset + i === cursor;
            return (
              <Text key={row.key} inverse={selected} color={TONE_COLOR[row.tone ?? 'normal']} wrap="truncate">
                {`${selected ? '›' : ' '}${layoutLine(row.cells, fitted)}`}
              </Text>
            );
          })}
        </>
      )}
    </Box>
  );
}
