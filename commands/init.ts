import type { Command } from 'commander';
import type { CliContext } from '../cli/context.js';
import { initHome } from '../server/init.js';
import { statePaths } from '../server/state.js';

export interface InitOpts {
  demo?: boolean;
  db?: string;
  org?: string;
}

export async function runInit(ctx: CliContext, opts: InitOpts): Promise<void> {
  const result = await initHome({ home: ctx.home, db: opts.db ?? ctx.env.FOUNDRY_DB, demo: opts.demo, orgName: opts.org });
  const tokenFile = statePaths(result.home).adminToken;
  const out = ctx.out;
  if (out.json) {
    out.data({ home: result.home, db: result.db, orgId: result.orgId, orgName: result.orgName, admin: result.admin, tokenFile, demo: result.demo });
    return;
  }
  out.line(`initialised ${result.home}`);
  out.line(`  organisation  ${result.orgName} (${result.orgId})`);
  out.line(`  database      ${result.db}`);
  out.line(`  admin token   ${tokenFile} (mode 0600)`);
  if (result.demo) out.line(`  demo data     ${result.demo.teams} teams, ${result.demo.members} members, ${result.demo.tasks} tasks`);
  out.info('next: foundry-op daemon start');
}

export function register(program: Command, ctx: CliContext): void {
  program
    .command('init')
    .description('create the state folder, database and admin token')
    .option('--demo', 'load the demo organisation from fixtures/')
    .option('--db <url>', 'store URL (default: SQLite in the state folder) [FOUNDRY_DB]')
    .option('--org <name>', 'organisation name')
    .action((opts: InitOpts) => runInit(ctx, opts));
}
