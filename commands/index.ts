import type { Command } from 'commander';
import type { CliContext } from '../cli/context.js';

interface Group {
  /** The top-level commands the module registers. */
  names: string[];
  load(): Promise<{ register(program: Command, ctx: CliContext): void }>;
}

/**
 * Every command group, in the order `foundry-op --help` lists them. Modules are loaded lazily: a run of
 * `foundry-op tasks list` loads only commands/tasks.js, which keeps start-up fast.
 */
export const GROUPS: Group[] = [
  { names: ['init'], load: () => import('./init.js') },
  { names: ['up'], load: () => import('./up.js') },
  { names: ['daemon'], load: () => import('./daemon.js') },
  { names: ['users', 'tokens'], load: () => import('./users.js') },
  { names: ['teams', 'members'], load: () => import('./org.js') },
  { names: ['tasks'], load: () => import('./tasks.js') },
  { names: ['route'], load: () => import('./route.js') },
  { names: ['rules'], load: () => import('./rules.js') },
  { names: ['history'], load: () => import('./history.js') },
  { names: ['ask'], load: () => import('./ask.js') },
  { names: ['chat'], load: () => import('./chat.js') },
  { names: ['healing'], load: () => import('./healing.js') },
  { names: ['metrics'], load: () => import('./metrics.js') },
  { names: ['anomaly'], load: () => import('./anomaly.js') },
  { names: ['compliance'], load: () => import('./compliance.js') },
  { names: ['workload'], load: () => import('./workload.js') },
  { names: ['events'], load: () => import('./events.js') },
  { names: ['audit'], load: () => import('./audit.js') },
  { names: ['secrets'], load: () => import('./secrets.js') },
  { names: ['tui'], load: () => import('./tui.js') },
];

const OPTIONS_WITH_VALUES = new Set(['--home', '--server', '--token', '--ca']);

/** The top-level command named on a command line, skipping global options and their values. */
export function commandName(argv: string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (OPTIONS_WITH_VALUES.has(arg)) i++;
    else if (!arg.startsWith('-')) return arg;
  }
  return undefined;
}

/**
 * Registers the group that owns the command being run, or every group when the command is unknown or
 * help is asked for. `--version` alone needs none.
 */
export async function registerFor(program: Command, ctx: CliContext, args: string[]): Promise<void> {
  const name = commandName(args);
  if (name === undefined && (args.includes('--version') || args.includes('-V'))) return;
  const owner = GROUPS.find((g) => name !== undefined && g.names.includes(name));
  const chosen = owner && !(name === 'help') ? [owner] : GROUPS;
  const modules = await Promise.all(chosen.map((g) => g.load()));
  for (const m of modules) m.register(program, ctx);
}
