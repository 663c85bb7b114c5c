import React from 'react';
import { Box } from 'ink';
import type { DashboardData, Loadable } from '../model.js';
import { VIEWS } from '../views/registry.js';
import { KEYMAP } from '../state/keymap.js';
import { topScreen, type UiState } from '../state/ui.js';
import type { ScreenModel, Size } from '../state/screen.js';
import { drawableRows } from '../render/layout.js';
import { Header } from './header.js';
import { Browser } from './browser.js';
import { Overview } from './overview.js';
import { StatusBar } from './status-bar.js';
import { HelpView } from './help-view.js';
import { DetailsView } from './details-view.js';
import { ChatView } from './chat-view.js';

export interface DashboardProps {
  readonly data: DashboardData;
  /** The full record of the row whose details are open, as far as it has loaded. */
  readonly details?: Loadable<object> | null;
  readonly ui: UiState;
  readonly screen: ScreenModel;
  readonly size: Size;
}

const HINTS = '? help  : view  / filter  ↑↓ move  Tab section  Enter details  q quit';

/** The whole screen, drawn from props only. Its height is one line short of the terminal (see drawableRows). */
export function Dashboard({ data, details = null, ui, screen, size }: DashboardProps): React.JSX.Element {
  const width = Math.max(40, size.columns);
  const height = drawableRows(size.rows);
  const body = height - 3;
  const top = topScreen(ui);
  const { view, sections, focus, cursors } = screen;
  let content: React.JSX.Element;
  if (top.kind === 'help') {
    content = <HelpView keys={KEYMAP} views={VIEWS} width={width} height={body} />;
  } else if (top.kind === 'details') {
    const sec = sections.find((s) => s.id === top.section);
    content = (
      <DetailsView title={`${sec?.title ?? top.section} › ${top.key}`} item={sec?.items.get(top.key)} full={details}
        scroll={top.scroll} width={width} height={body} />
    );
  } else if (view.layout === 'chat') {
    content = (
      <ChatView messages={data.chat} busy={data.chatBusy} typing={ui.mode.kind === 'chat'}
        input={ui.mode.kind === 'chat' ? ui.mode.text : ''} width={width} height={body} />
    );
  } else if (view.layout === 'overview') {
    content = <Overview sections={sections} width={width} height={body} focus={focus} cursors={cursors} />;
  } else {
    content = <Browser sections={sections} width={width} height={body} focus={focus} cursors={cursors} />;
  }
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Header header={data.header} connection={data.connection} views={VIEWS} current={view.name} width={width} />
      <Box height={body} width={width}>{content}</Box>
      <StatusBar mode={ui.mode} flash={ui.flash} filter={ui.filter[view.name] ?? ''} width={width} hints={HINTS} />
    </Box>
  );
}
