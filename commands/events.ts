import type { Command } from 'commander';
import type { CliContext } from '../cli/context.js';
import { AppError } from '../core/errors.js';
import { followEvents, type StreamedEvent } from '../cli/sse.js';

function summary(data: unknown): string {
  if (data === null || typeof data !== 'object') return data === null || data === undefined ? '' : String(data);
  const d = data as Record<string, unknown>;
  for (const key of ['title', 'name', 'summary', 'message', 'status']) if (typeof d[key] === 'string') return d[key] as string;
  return JSON.stringify(data).slice(0, 120);
}

export function register(program: Command, ctx: CliContext): void {
  const events = program.command('events').description('the live event stream');
  events
    .command('tail')
    .description('follow events until interrupted (NDJSON with --json)')
    .option('--type <types>', 'only these types, comma-separated (e.g. task.created,task.routed)')
    .option('--since <id>', 'replay retained events after this id first')
    .action(async (opts: { type?: string; since?: string }) => {
      let since: number | undefined;
      if (opts.since !== undefined) {
        since = Number(opts.since);
        if (!Number.isInteger(since) || since < 0) throw new AppError('usage', `--since ${opts.since}: expected an event id`);
      }
      const out = ctx.out;
      const stream = await followEvents({
        baseUrl: ctx.serverUrl,
        token: ctx.token,
        types: opts.type?.split(',').map((t) => t.trim()).filter(Boolean),
        since,
        onEvent: (e: StreamedEvent) => {
          if (out.json) out.data(e);
          else out.line(`${out.paint(String(e.id).padStart(6), 'gray')}  ${e.at.slice(11, 19)}  ${out.paint(e.type.padEnd(24), 'cyan')} ${e.subject ?? ''}  ${summary(e.data)}`);
        },
        onState: (state) => {
          if (state === 'reconnecting') out.info('connection lost; reconnecting…');
        },
      });
      const stop = (): void => stream.close();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      await stream.done;
    });
}
