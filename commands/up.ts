import type { Command } from 'commander';
import type { CliContext } from '../cli/context.js';
import { runningDaemon } from '../server/state.js';

/** `foundry-op up`: a demo daemon if none is running, then the dashboard. */
export async function runUp(ctx: CliContext): Promise<void> {
  let info = runningDaemon(ctx.home);
  if (!info) {
    // The daemon's code (store, migrations, demo data) is loaded only to start one.
    const { startBackground } = await import('./daemon.js');
    info = await startBackground(ctx, { demo: true });
    ctx.out.info(`started a demo daemon at ${info.url} (stop it with: foundry-op daemon stop)`);
  }
  // On a terminal, open the dashboard on that daemon; in a pipe, say where it is and stop there.
  if (ctx.io.stdin.isTTY && ctx.io.stdout.isTTY && !ctx.options.json) {
    const { runTuiCommand } = await import('./tui.js');
    await runTuiCommand(ctx, { server: info.url });
    return;
  }
  ctx.out.line(`foundry-op is running at ${info.url}`);
  ctx.out.info('try: foundry-op tui | foundry-op tasks list | foundry-op events tail | foundry-op daemon status');
}

export function register(program: Command, ctx: CliContext): void {
  program.command('up').description('start a demo daemon if none is running, then open the dashboard').action(() => runUp(ctx));
}
