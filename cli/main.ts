import { Command, CommanderError, Option } from 'commander';
import { AppError, EXIT_CODE } from '../core/errors.js';
import { registerFor } from '../commands/index.js';
import { CliContext } from './context.js';
import { packageVersion } from '../server/version.js';

/** Builds the command tree for these arguments (only the groups they need); tests call this with their own context. */
export async function buildProgram(ctx: CliContext, args: string[] = []): Promise<Command> {
  const program = new Command('foundry-op')
    .description('Terminal-first operations console: routing, self-healing, compliance, workload and an assistant')
    .version(packageVersion(), '-V, --version')
    .option('--home <dir>', 'state folder (db, token, pid, logs) [FOUNDRY_HOME]')
    .option('--server <url>', 'daemon URL [FOUNDRY_URL]')
    .option('--token <token>', 'API token [FOUNDRY_TOKEN]')
    .option('--json', 'print JSON (one document; NDJSON for streams)')
    .option('--no-color', 'no colour [NO_COLOR]')
    .option('-y, --yes', 'answer yes to confirmations; never wait for input')
    .addOption(new Option('--ca <file>', 'CA certificate to trust for an HTTPS daemon').hideHelp())
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => ctx.io.stdout.write(s), writeErr: (s) => ctx.io.stderr.write(s) });
  program.hook('preAction', (_root, action) => ctx.setGlobals(action.optsWithGlobals()));
  await registerFor(program, ctx, args);
  // Every subcommand inherits the root's error handling and output.
  const apply = (cmd: Command): void => {
    for (const sub of cmd.commands) {
      sub.exitOverride().configureOutput({ writeOut: (s) => ctx.io.stdout.write(s), writeErr: (s) => ctx.io.stderr.write(s) });
      sub.showHelpAfterError('(run with --help for usage)');
      apply(sub);
    }
  };
  apply(program);
  return program;
}

/** Maps any failure to `error: … (hint)` on stderr and an exit code from CONTRACT.md. */
export function exitCodeFor(err: unknown, stderr: NodeJS.WritableStream): number {
  if (err instanceof CommanderError) {
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0;
    return err.exitCode === 0 ? 0 : 2;
  }
  if (err instanceof AppError) {
    stderr.write(`error: ${err.message}${err.hint ? ` (${err.hint})` : ''}\n`);
    const details = err.details as { path?: string; message?: string }[] | undefined;
    if (Array.isArray(details) && details.length > 1) {
      for (const d of details.slice(0, 10)) if (d && d.path !== undefined) stderr.write(`  ${d.path}: ${d.message}\n`);
    }
    return EXIT_CODE[err.kind];
  }
  if ((err as { name?: string }).name === 'ExitPromptError') return 130;
  stderr.write(`error: ${(err as Error)?.message ?? String(err)} (this is a bug; please report it)\n`);
  if (process.env.FOUNDRY_DEBUG) stderr.write(`${(err as Error)?.stack}\n`);
  return 1;
}

export async function main(argv: string[]): Promise<void> {
  const ctx = new CliContext();
  let code = 0;
  try {
    const program = await buildProgram(ctx, argv.slice(2));
    await program.parseAsync(argv);
  } catch (err) {
    code = exitCodeFor(err, process.stderr);
  }
  // Keep-alive sockets and timers must not hold a finished command open.
  process.exit(code || Number(process.exitCode ?? 0));
}
