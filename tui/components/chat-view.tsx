import React from 'react';
import { Box, Text } from 'ink';
import type { ChatMessageVM } from '../model.js';
import { truncate } from '../render/format.js';

export interface ChatViewProps {
  readonly messages: readonly ChatMessageVM[];
  readonly busy: boolean;
  readonly typing: boolean;
  readonly input: string;
  readonly width: number;
  readonly height: number;
}

/** Hard-wraps text to `width`; continuation lines keep the indent of their paragraph (and its bullet). */
export function wrapLines(text: string, width: number): string[] {
  const out: string[] = [];
  for (const para of text.split('\n')) {
    const indent = ' '.repeat(Math.min(width - 1, (/^\s*(?:[-*•]\s+|\d+[.)]\s+)?/.exec(para)?.[0] ?? '').length));
    let rest = para;
    let first = true;
    if (rest === '') out.push('');
    while (rest.length > 0) {
      const prefix = first ? '' : indent;
      const room = Math.max(1, width - prefix.length);
      let cut = rest.length <= room ? rest.length : rest.lastIndexOf(' ', room);
      if (cut <= 0) cut = Math.min(room, rest.length);
      out.push(prefix + rest.slice(0, cut));
      rest = rest.slice(cut).replace(/^ +/, '');
      first = false;
    }
  }
  return out;
}

const WHO = { user: 'you', assistant: 'assistant', system: 'note' } as const;
const WHO_COLOR = { user: 'cyan', assistant: 'green', system: 'gray' } as const;

/** The conversation, newest at the bottom, and the input line. */
export function ChatView({ messages, busy, typing, input, width, height }: ChatViewProps): React.JSX.Element {
  const lines = messages.flatMap((m, i) => [
    { key: `${i}h`, text: `${WHO[m.role]}:`, color: WHO_COLOR[m.role], bold: true },
    ...wrapLines(m.text, Math.max(10, width - 2)).map((t, j) => ({ key: `${i}.${j}`, text: `  ${t}`, color: undefined, bold: false })),
  ]);
  if (busy) lines.push({ key: 'busy', text: 'assistant is thinking…', color: 'gray', bold: false });
  const room = Math.max(0, height - 2);
  const shown = lines.slice(-room);
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Box flexDirection="column" height={height - 1}>
        <Text bold color="cyan">{truncate('Assistant — i or Enter to type', width)}</Text>
        {messages.length === 0 && !busy ? <Text color="gray">  Ask about tasks, issues, violations or workload.</Text> : null}
        {shown.map((l) => (
          <Text key={l.key} color={l.color} bold={l.bold} wrap="truncate">{l.text}</Text>
        ))}
      </Box>
      <Text color={typing ? 'cyan' : 'gray'} wrap="truncate">
        {truncate(typing ? `> ${input}▌` : '> (press i to type)', width)}
      </Text>
    </Box>
  );
}
