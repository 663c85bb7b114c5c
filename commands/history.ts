import type { Command } from 'commander';
import type { CliContext } from '../cli/context.js';
import { AppError } from '../core/errors.js';
import { PRIORITIES } from '../core/model.js';
import { jsonLines, lineError, readInput } from './routing-files.js';

interface ImportResult {
  imported: number;
  teamsCreated: string[];
  historySize: number;
}

/** The checks a line must pass before anything is sent: a bad line is reported by its number. */
function checkLine(v: unknown, line: number): void {
  const fail = (msg: string): never => {
    throw new AppError('usage', `line ${line}: ${msg}`, 'nothing was imported');
  };
  if (!v || typeof v !== 'object' || Array.isArray(v)) fail('expected a JSON object');
  const o = v as Record<string, unknown>;
  if (typeof o.title !== 'string') fail('title: expected a string');
  if (typeof o.team !== 'string' || o.team.trim() === '') fail('team: expected a team name');
  if (o.description !== undefined && typeof o.description !== 'string') fail('description: expected a string');
  if (o.priority !== undefined && !(PRIORITIES as readonly unknown[]).includes(o.priority)) fail(`priority: expected one of ${PRIORITIES.join(', ')}`);
  if (o.createdAt !== undefined && !Number.isFinite(typeof o.createdAt === 'number' ? o.createdAt : Date.parse(String(o.createdAt)))) fail('createdAt: not a time');
}

export async function runImport(ctx: CliContext, file: string): Promise<void> {
  const text = await readInput(file, ctx.io.stdin);
  const lines = jsonLines(text, file);
  if (lines.length === 0) throw new AppError('usage', `${file} has no lines to import`);
  for (const l of lines) checkLine(l.value, l.line);
  ctx.out.info(`read ${lines.length} lines from ${file}; importing…`);
  // only the fields of CONTRACT.md travel; anything else on a line is ignored
  const items = lines.map((l) => {
    const o = l.value as Record<string, unknown>;
    const pick = ['title', 'description', 'team', 'assignee', 'priority', 'tags', 'skills', 'createdAt'];
    return Object.fromEntries(pick.filter((k) => o[k] !== undefined && o[k] !== null).map((k) => [k, o[k]]));
  });
  let res: ImportResult;
  try {
    res = await ctx.client(600_000).post<ImportResult>('/v1/routing/history', { items });
  } catch (e) {
    throw lineError(e, lines, 'items');
  }
  if (ctx.out.json) return ctx.out.data(res);
  ctx.out.line(`imported ${res.imported} history items (history now ${res.historySize})`);
  if (res.teamsCreated.length) ctx.out.line(`created teams: ${res.teamsCreated.join(', ')}`);
  ctx.out.info('the classifier learns the new history in the background');
}

export function register(program: Command, ctx: CliContext): void {
  const history = program.command('history').description('the routing history the classifier learns from');
  history
    .command('import <file>')
    .description('load past tasks with their team (JSON Lines: title, description, team, assignee, priority, tags, createdAt)')
    .action(async (file: string) => runImport(ctx, file));
  history.command('status').description('how much history there is and whether the classifier has learned it').action(async () => {
    const s = await ctx.client().get<{ size: number; classifier: string; learned: number; teams: string[] }>('/v1/routing/history');
    if (ctx.out.json) return ctx.out.data(s);
    ctx.out.object(s as unknown as Record<string, unknown>, [['history', s.size], ['classifier', s.classifier], ['learned', s.learned], ['teams', s.teams.join(', ')]]);
  });
}
