import type { Command } from 'commander';
import type { CliContext } from '../cli/context.js';
import { AppError } from '../core/errors.js';

interface Entry { id: number; at: string; actor: string; action: string; subject: string | null; summary: string; hash: string }
interface Report { ok: boolean; entries: number; firstBad: { entry: Entry; reason: string } | null }

export function register(program: Command, ctx: CliContext): void {
  const audit = program.command('audit').description('the hash-chained audit trail');
  audit
    .command('list')
    .description('newest entries first')
    .option('--limit <n>', 'how many (default 50)')
    .action(async (opts: { limit?: string }) => {
      const list = await ctx.client().get<Entry[]>('/v1/audit', { limit: opts.limit });
      ctx.out.list(list, [
        { header: 'id', value: 'id' }, { header: 'at', value: 'at' }, { header: 'actor', value: 'actor' },
        { header: 'action', value: 'action' }, { header: 'subject', value: 'subject' }, { header: 'summary', value: 'summary' },
      ]);
    });
  audit
    .command('verify')
    .description('check every link of the chain; exit 3 at the first entry that was edited, deleted or moved')
    .action(async () => {
      const report = await ctx.client().get<Report>('/v1/audit/verify');
      if (ctx.out.json) ctx.out.data(report);
      if (report.ok) {
        ctx.out.line(`audit chain ok: ${report.entries} entries verified`);
        return;
      }
      const bad = report.firstBad!;
      const what = { hash_mismatch: 'was edited', broken_link: 'does not follow the entry before it (one was deleted or edited)', out_of_order: 'is out of order' }[bad.reason] ?? bad.reason;
      throw new AppError('check_failed', `audit chain broken at entry ${bad.entry.id} (${bad.entry.action} by ${bad.entry.actor} at ${bad.entry.at}): it ${what}`);
    });
}
