import React from 'react';
import { Box, Text } from 'ink';
import type { Loadable } from '../model.js';
import { fit, truncate } from '../render/format.js';

export interface DetailsViewProps {
  readonly title: string;
  /** The row's own fields, shown until (or unless) the full record arrives. */
  readonly item: object | undefined;
  readonly full: Loadable<object> | null;
  readonly scroll: number;
  readonly width: number;
  readonly height: number;
}

function show(key: string, value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'number' && /(At|^at)$/.test(key) && value > 1e11) return new Date(value).toISOString();
  if (Array.isArray(value)) {
    if (value.length > 0 && typeof value[0] === 'number') return `${value.length} points, last ${String(value[value.length - 1])}`;
    return value.every((v) => typeof v !== 'object' || v === null) ? value.map(String).join(', ') : JSON.stringify(value);
  }
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** Key/value lines of a record: nested objects one level deep as `a.b`, lists of records one line each. */
export function detailLines(record: object): [string, string][] {
  const out: [string, string][] = [];
  for (const [k, v] of Object.entries(record)) {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const entries = Object.entries(v);
      if (entries.length === 0) out.push([k, '{}']);
      for (const [k2, v2] of entries) out.push([`${k}.${k2}`, show(k2, v2)]);
    } else if (Array.isArray(v) && v.some((x) => x && typeof x === 'object')) {
      if (v.length === 0) out.push([k, '[]']);
      v.forEach((x, i) => out.push([`${k}[${i}]`, show(k, x)]));
    } else {
      out.push([k, show(k, v)]);
    }
  }
  return out;
}

/** All fields of the selected row's record, one per line, scrolled with j/k. */
export function DetailsView({ title, item, full, scroll, width, height }: DetailsViewProps): React.JSX.Element {
  const record = full?.status === 'ready' ? full.data : item;
  const lines = record ? detailLines(record) : [];
  const keyW = Math.min(22, Math.max(4, ...lines.map(([k]) => k.length)) + 1);
  const room = Math.max(0, height - 2);
  const start = Math.max(0, Math.min(scroll, lines.length - room));
  const note =
    full?.status === 'loading' ? 'loading the full record…'
      : full?.status === 'error' ? `could not load the full record: ${full.message}`
        : lines.length > room ? `lines ${start + 1}-${Math.min(lines.length, start + room)} of ${lines.length} (j/k to scroll)` : '';
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text bold color="cyan" wrap="truncate">{truncate(`${title} — Esc to go back`, width)}</Text>
      <Text color={full?.status === 'error' ? 'red' : 'gray'} wrap="truncate">{truncate(note, width)}</Text>
      {record === undefined ? <Text color="gray">  this row is gone (it changed since you opened it)</Text> : null}
      {lines.slice(start, start + room).map(([k, v], i) => (
        <Text key={`${i}:${k}`} wrap="truncate">
          <Text color="gray">{fit(k, keyW)}</Text>
          <Text>{truncate(v, Math.max(0, width - keyW))}</Text>
        </Text>
      ))}
    </Box>
  );
}
