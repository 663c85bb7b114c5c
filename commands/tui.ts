import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { CliContext } from '../cli/context.js';
import { AppError } from '../core/errors.js';
import { VIEWS, type ViewName } from '../tui/views/registry.js';
import { ApiClient } from '../cli/client.js';
import { PANEL_KEYS, type HeaderVM, type Panels } from '../tui/model.js';
import { prefetchPanels, type DashboardSource } from '../tui/source.js';
import { loadUi, type UiModule } from '../tui/load-ui.js';

export interface TuiOpts {
  view?: string;
  fixtures?: boolean;
  /** The daemon to show, when the caller knows it better than the config does (`up`). */
  server?: string;
}

/**
 * `foundry-op tui`: the full-screen dashboard. It needs a terminal on both ends; without one it
 * refuses (exit 2) instead of drawing escape codes into a pipe.
 */
export async function runTuiCommand(ctx: CliContext, opts: TuiOpts): Promise<void> {
  const commandStartedAt = performance.now();
  if (!ctx.io.stdin.isTTY || !ctx.io.stdout.isTTY) {
    throw new AppError('usage', 'the dashboard needs an interactive terminal', 'in scripts use: foundry-op events tail --json, or the list commands with --json');
  }
  const view = opts.view?.toLowerCase();
  if (view !== undefined && !VIEWS.some((v) => v.name === view)) {
    throw new AppError('usage', `--view ${opts.view}: no such view`, `one of: ${VIEWS.map((v) => v.name).join(', ')}`);
  }
  // --no-color and NO_COLOR reach chalk (under Ink) before it is loaded; the selection stays visible
  // as a marker in the first column.
  if (ctx.options.color === false || ctx.env.NO_COLOR) process.env.FORCE_COLOR = '0';
  // React's production build: a fraction of the import time and of the work per frame.
  process.env.NODE_ENV ??= 'production';
  // Loaded only here: the rest of the CLI never pays for React and Ink. The daemon is asked for the
  // header and every panel first, so the network and the import of Ink overlap.
  let source: DashboardSource;
  let header: HeaderVM | undefined;
  let initialPanels: Partial<Panels> | undefined;
  let ui: Promise<UiModule>;
  if (opts.fixtures) {
    const { createFakeSource } = await import('../tui/fixtures/fake-source.js');
    source = createFakeSource(Date.now());
    ui = loadUi(ctx.env, ctx.io.stderr);
  } else {
    const { createHttpSource } = await import('../tui/hooks/http-source.js');
    const baseUrl = opts.server ?? ctx.serverUrl;
    const client = opts.server ? new ApiClient({ baseUrl, token: ctx.token }) : ctx.client();
    source = createHttpSource({ client, baseUrl, token: ctx.token });
    const described = source.describe();
    const early = prefetchPanels(source, PANEL_KEYS, 1500);
    ui = loadUi(ctx.env, ctx.io.stderr);
    ui.catch(() => undefined);
    // Fails fast (exit 6, 4) before taking over the screen when the daemon is down or the token is wrong.
    header = await described;
    initialPanels = await early;
  }
  const { runTui } = await ui;
  // Benchmarks read when the first complete frame was drawn: ms since the process started, since
  // this command began (after Node and the CLI were loaded), and the CPU time used by then.
  const paintFile = ctx.env.FOUNDRY_TUI_PAINT_FILE;
  await runTui({
    source,
    header,
    initialPanels,
    initialView: view as ViewName | undefined,
    stdin: ctx.io.stdin,
    stdout: ctx.io.stdout,
    stderr: ctx.io.stderr,
    onFullPaint: paintFile ? () => writeFileSync(paintFile, `${performance.now().toFixed(1)} ${(performance.now() - commandStartedAt).toFixed(1)} ${cpuMs().toFixed(1)}\n`) : undefined,
  });
}

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

export function register(program: Command, ctx: CliContext): void {
  program
    .command('tui')
    .description('the full-screen dashboard, live over the event stream (press ? inside for keys)')
    .option('--view <name>', `view to open first: ${VIEWS.map((v) => v.name).join(', ')}`)
    .option('--fixtures', 'show built-in sample data without a daemon (a preview)')
    .action((opts: TuiOpts) => runTuiCommand(ctx, opts));
}
