import type { Command } from 'commander';
import type { CliContext } from '../cli/context.js';
import { AppError } from '../core/errors.js';
import { parsePriority, parseTags } from './tasks.js';
import { lineError, readInput, tasksFromText } from './routing-files.js';

export interface DecisionView {
  taskId: string | null;
  team: string | null;
  assignee: string | null;
  assigneeName: string | null;
  confidence: number;
  method: string;
  priority: string;
  dryRun: boolean;
  explanation: string[];
  factors: unknown[];
}

interface BatchItem {
  line?: number;
  error?: { code: string; message: string };
}

const collect = (v: string, prev: string[] = []): string[] => [...prev, v];
const BATCH = 1_000;

/** One line for people: what was (or would be) decided. */
export function decisionLine(d: DecisionView): string {
  const who = `${d.team ?? '(no team)'} / ${d.assigneeName ?? '(unassigned)'}`;
  const how = `${d.method}, confidence ${d.confidence.toFixed(2)}, ${d.priority}`;
  return d.dryRun ? `would route to ${who} (${how})` : `created ${d.taskId}, routed to ${who} (${how})`;
}

export interface RouteOptions {
  title?: string;
  description?: string;
  priority?: string;
  tag?: string[];
  file?: string;
  dryRun?: boolean;
  explain?: boolean;
}

export async function run(ctx: CliContext, opts: RouteOptions, stdinArg?: string): Promise<void> {
  const file = opts.file ?? (stdinArg === '-' ? '-' : undefined);
  if (stdinArg !== undefined && stdinArg !== '-') throw new AppError('usage', `unexpected argument ${stdinArg}`, 'use - to read tasks from stdin');
  if (file && opts.title !== undefined) throw new AppError('usage', 'give either --title or --file (or -), not both');
  if (!file && opts.title === undefined) throw new AppError('usage', 'say what to route: --title T, --file F or - for stdin');
  const dryRun = Boolean(opts.dryRun);

  if (!file) {
    const body = { title: opts.title!, description: opts.description, priority: parsePriority(opts.priority), tags: parseTags(opts.tag), source: 'cli', dryRun };
    const d = await ctx.client().post<DecisionView>('/v1/route', body);
    if (ctx.out.json) return ctx.out.data(d);
    ctx.out.line(decisionLine(d));
    if (opts.explain) for (const line of d.explanation) ctx.out.line(`  - ${line}`);
    return;
  }

  const lines = tasksFromText(await readInput(file, ctx.io.stdin), file === '-' ? 'stdin' : file);
  lines.forEach((l) => {
    const v = l.value as { title?: unknown } | null;
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw new AppError('usage', `line ${l.line}: expected a JSON object with a title`, 'nothing was sent');
    if (typeof v.title !== 'string') throw new AppError('usage', `line ${l.line}: title: expected a string`, 'nothing was sent');
  });
  const single = lines.length === 1;
  const client = ctx.client(600_000);
  let failed = 0;
  const emit = (d: DecisionView & BatchItem, line: number): void => {
    if (d.error) {
      failed++;
      if (ctx.out.json) ctx.out.data({ line, error: d.error });
      else ctx.out.warn(`line ${line}: ${d.error.message}`);
      return;
    }
    if (ctx.out.json) return ctx.out.data(d);
    ctx.out.line(lines.length > 1 ? `line ${line}: ${decisionLine(d)}` : decisionLine(d));
    if (opts.explain) for (const e of d.explanation) ctx.out.line(`  - ${e}`);
  };
  if (single) {
    const d = await client.post<DecisionView>('/v1/route', { ...(lines[0]!.value as object), source: (lines[0]!.value as { source?: string }).source ?? 'cli', dryRun });
    emit(d, lines[0]!.line);
    return;
  }
  for (let start = 0; start < lines.length; start += BATCH) {
    const chunk = lines.slice(start, start + BATCH);
    let res: { decisions: (DecisionView & BatchItem)[] };
    try {
      res = await client.post('/v1/route/batch', { tasks: chunk.map((l) => ({ source: 'cli', ...(l.value as object) })), dryRun });
    } catch (e) {
      throw lineError(e, chunk, 'tasks');
    }
    res.decisions.forEach((d, i) => emit(d, chunk[i]!.line));
    if (ctx.isTTY && lines.length > BATCH) ctx.out.info(`routed ${Math.min(start + BATCH, lines.length)} of ${lines.length}`);
  }
  if (failed) throw new AppError('validation', `${failed} of ${lines.length} tasks could not be routed`, 'see the lines above');
}

export function register(program: Command, ctx: CliContext): void {
  program
    .command('route [stdin]')
    .description('decide team and assignee for a task (and create it unless --dry-run); - reads tasks from stdin')
    .option('--title <title>')
    .option('--description <text>')
    .option('--priority <P1|P2|P3|P4>')
    .option('--tag <k=v>', 'a tag (repeatable)', collect)
    .option('--file <file>', 'one JSON task, or JSON Lines of many (one decision per line, in order)')
    .option('--dry-run', 'decide and print, store nothing')
    .option('--explain', 'say why, factor by factor')
    .action(async (stdinArg: string | undefined, opts: RouteOptions) => run(ctx, opts, stdinArg));
}
