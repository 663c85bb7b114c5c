import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { CliContext } from '../cli/context.js';
import { AppError } from '../core/errors.js';
import { VIEWS, type ViewName } from '../tui/views/registry.js';

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
  if (!ctx.io.stdin.isTTY || !ctx.io.stdout.isTTY) {
    throw new AppError('usage', 'the dashboard needs an interactive terminal', 'in scripts use: foundry-op events tail --json, or the list commands with --json');
  }
  const view = opts.view?.toLowerCase();
  if (view !== undefined && !VIEWS.some((v) => v.name === view)) {
    throw new AppError('usage', `--view ${opts.view}: no such view`, `one of: ${VIEWS.map((v) => v.name).join(', ')}`);
  }
  // Loaded only here: the rest of the CLI never pays for React and Ink.
  const { runTui } = await import('../tui/run.js');
  let source;
  let header;
  if (opts.fixtures) {
    const { createFakeSource } = await import('../tui/fixtures/fake-source.js');
    source = createFakeSource(Date.now());
  } else {
    const { createHttpSource } = await import('../tui/hooks/http-source.js');
    const baseUrl = opts.server ?? ctx.serverUrl;
    const { ApiClient } = await import('../cli/client.js');
    const client = opts.server ? new ApiClient({ baseUrl, token: ctx.token }) : ctx.client();
    source = createHttpSource({ client, baseUrl, token: ctx.token });
    // Fails fast (exit 6, 4) before taking over the screen when the daemon is down or the token is wrong.
    header = await source.describe();
  }
  // Benchmarks read when the first complete frame was drawn, in ms since the process started.
  const paintFile = ctx.env.FOUNDRY_TUI_PAINT_FILE;
  await runTui({
    source,
    header,
    initialView: view as ViewName | undefined,
    stdin: ctx.io.stdin,
    stdout: ctx.io.stdout,
    stderr: ctx.io.stderr,
    onFullPaint: paintFile ? () => writeFileSync(paintFile, `${performance.now().toFixed(1)}\n`) : undefined,
  });
}

export function register(program: Command, ctx: CliContext): void {
  program
    .command('tui')
    .description('the full-screen dashboard, live over the event stream (press ? inside for keys)')
    .option('--view <name>', `view to open first: ${VIEWS.map((v) => v.name).join(', ')}`)
    .option('--fixtures', 'show built-in sample data without a daemon (a preview)')
    .action((opts: TuiOpts) => runTuiCommand(ctx, opts));
}
