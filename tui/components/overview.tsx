import React from 'react';
import { Box } from 'ink';
import type { Section } from '../views/registry.js';
import { Browser } from './browser.js';

export interface OverviewProps {
  readonly sections: readonly Section[];
  readonly width: number;
  readonly height: number;
  readonly focus: number;
  readonly cursors: readonly number[];
}

/** Every engine at a glance: one column on small terminals, two side by side from 120 columns. */
export function Overview({ sections, width, height, focus, cursors }: OverviewProps): React.JSX.Element {
  if (width < 120) {
    return <Browser sections={sections} width={width} height={height} focus={focus} cursors={cursors} showHeaders={false} />;
  }
  const split = Math.floor(sections.length / 2);
  const leftW = Math.floor((width - 1) / 2);
  const rightW = width - leftW - 1;
  const pick = (from: number, to: number) => ({
    sections: sections.slice(from, to),
    focus: focus - from,
    cursors: cursors.slice(from, to),
  });
  const l = pick(0, split);
  const r = pick(split, sections.length);
  return (
    <Box flexDirection="row" width={width} height={height}>
      <Browser {...l} width={leftW} height={height} showHeaders />
      <Box width={1} />
      <Browser {...r} width={rightW} height={height} showHeaders />
    </Box>
  );
}
