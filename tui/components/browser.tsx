import React from 'react';
import { Box } from 'ink';
import type { Section } from '../views/registry.js';
import { allocateHeights } from '../render/layout.js';
import { Table } from './table.js';

export interface BrowserProps {
  readonly sections: readonly Section[];
  readonly width: number;
  readonly height: number;
  readonly focus: number;
  readonly cursors: readonly number[];
  readonly showHeaders?: boolean;
}

/** Sections stacked top to bottom, sharing the height by what each needs. */
export function Browser({ sections, width, height, focus, cursors, showHeaders = true }: BrowserProps): React.JSX.Element {
  const needs = sections.map((s) => 1 + (showHeaders && s.rows.length > 0 ? 1 : 0) + Math.max(1, s.rows.length));
  const heights = allocateHeights(needs, height, showHeaders ? 4 : 2);
  return (
    <Box flexDirection="column" width={width} height={height}>
      {sections.map((s, i) =>
        heights[i]! > 0 ? (
          <Table key={s.id} section={s} width={width} height={heights[i]!} focused={i === focus} cursor={cursors[i] ?? 0} showHeader={showHeaders} />
        ) : null,
      )}
    </Box>
  );
}
