// Starts the full-screen dashboard on a terminal and resolves when the user quits.
import React from 'react';
import { render } from 'ink';
import { App } from './app.js';
import type { HeaderVM, Panels } from './model.js';
import type { DashboardSource } from './source.js';
import type { ViewName } from './views/registry.js';

export interface RunTuiOptions {
  readonly source: DashboardSource;
  readonly header?: HeaderVM;
  readonly initialPanels?: Partial<Panels>;
  readonly initialView?: ViewName;
  readonly stdin: NodeJS.ReadStream;
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
  readonly onFullPaint?: () => void;
}

// The alternate screen keeps the user's scrollback intact and is what k9s and lazygit use; Ink then
// redraws only what changed, so nothing here ever clears the screen.
const ENTER_ALT = '\x1b[?1049h';
const LEAVE_ALT = '\x1b[?1049l';

export async function runTui(opts: RunTuiOptions): Promise<void> {
  opts.stdout.write(ENTER_ALT);
  const instance = render(
    <App source={opts.source} header={opts.header} initialView={opts.initialView} onFullPaint={opts.onFullPaint}
      dataOptions={opts.initialPanels ? { initialPanels: opts.initialPanels } : undefined} />,
    {
      stdin: opts.stdin,
      stdout: opts.stdout,
      stderr: opts.stderr,
      exitOnCtrlC: true,
      patchConsole: true,
      // Output is throttled (and state updates are batched in the data hook), so a burst of events
      // costs a bounded number of frames and key presses are never stuck behind rendering.
      maxFps: 60,
      incrementalRendering: false,
    },
  );
  const stop = () => instance.unmount();
  process.once('SIGTERM', stop);
  try {
    await instance.waitUntilExit();
  } finally {
    process.off('SIGTERM', stop);
    opts.stdout.write(LEAVE_ALT);
  }
}
