import type { Command } from 'commander';
import type { CliContext } from '../cli/context.js';
import { AppError } from '../core/errors.js';
import { describeCondition, type Condition } from '../core/conditions/index.js';
import { asUsage, parseDocument, readInput } from './routing-files.js';

interface RuleView {
  id: string;
  name: string;
  description?: string;
  priority: number;
  enabled: boolean;
  conditions: Condition;
  actions: { team?: string; assignee?: string; priority?: string; skills?: string[]; tags?: Record<string, string>; stop?: boolean };
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

interface ReplayOutcome {
  team: string | null;
  priority: string;
  assignee: string | null;
  skills: string[];
  tags: Record<string, string>;
  rules: string[];
}

interface TestReport {
  valid: boolean;
  rules?: string[];
  checked?: number;
  changed?: number;
  unchanged?: number;
  drafts?: string[];
  changes?: { taskId: string; title: string; createdAt: string; before: ReplayOutcome; after: ReplayOutcome; fields: string[] }[];
}

const actionsText = (a: RuleView['actions']): string =>
  [
    a.team && `team=${a.team}`,
    a.assignee && `assignee=${a.assignee}`,
    a.priority && `priority=${a.priority}`,
    a.skills?.length && `skills=${a.skills.join('+')}`,
    a.tags && Object.keys(a.tags).length && `tags=${Object.entries(a.tags).map(([k, v]) => `${k}:${v}`).join('+')}`,
    a.stop && 'stop',
  ].filter(Boolean).join(' ');

const RULE_COLUMNS = [
  { header: 'id', value: 'id' as const },
  { header: 'pri', value: 'priority' as const },
  { header: 'on', value: 'enabled' as const, color: (t: string) => (t === 'yes' ? ('green' as const) : ('gray' as const)) },
  { header: 'name', value: 'name' as const },
  { header: 'actions', value: (r: RuleView) => actionsText(r.actions) },
];

async function readRules(ctx: CliContext, file: string): Promise<unknown> {
  return parseDocument(await readInput(file, ctx.io.stdin), file);
}

function showRule(ctx: CliContext, r: RuleView): void {
  if (ctx.out.json) return ctx.out.data(r);
  ctx.out.object(r as unknown as Record<string, unknown>, [
    ['id', r.id], ['name', r.name], ['priority', r.priority], ['enabled', r.enabled], ['when', describeCondition(r.conditions)],
    ['then', actionsText(r.actions)], ['description', r.description ?? null], ['created', `${r.createdAt} by ${r.createdBy}`], ['updated', r.updatedAt],
  ]);
}

const change = (v: ReplayOutcome, fields: string[]): string =>
  fields.map((f) => {
    const x = (v as unknown as Record<string, unknown>)[f];
    return Array.isArray(x) ? x.join('+') || '-' : x && typeof x === 'object' ? Object.entries(x).map(([k, y]) => `${k}:${String(y)}`).join('+') || '-' : String(x ?? '-');
  }).join(' ');

export async function runTest(ctx: CliContext, opts: { file: string; replay?: boolean; since?: string; failOnChange?: boolean }): Promise<void> {
  const doc = await readRules(ctx, opts.file);
  const rules = Array.isArray(doc) ? doc : [doc];
  let report: TestReport;
  try {
    report = await ctx.client(300_000).post<TestReport>('/v1/rules/test', { rules, replay: Boolean(opts.replay), since: opts.since });
  } catch (e) {
    throw asUsage(e, opts.file);
  }
  if (ctx.out.json) ctx.out.data(report);
  else if (!opts.replay) ctx.out.line(`valid: ${(report.rules ?? []).join(', ')}`);
  else {
    ctx.out.line(`${report.changed} of ${report.checked} recorded tasks would be routed differently with ${(report.drafts ?? []).join(', ')}`);
    const rows = (report.changes ?? []).map((c) => ({
      task: c.taskId, title: c.title, changes: c.fields.join(','), before: change(c.before, c.fields), after: change(c.after, c.fields),
      rules: `${c.before.rules.join('+') || '-'} → ${c.after.rules.join('+') || '-'}`,
    }));
    ctx.out.list(rows, [
      { header: 'task', value: 'task' as const }, { header: 'changes', value: 'changes' as const }, { header: 'before', value: 'before' as const },
      { header: 'after', value: 'after' as const }, { header: 'rules', value: 'rules' as const }, { header: 'title', value: 'title' as const },
    ]);
  }
  if (opts.failOnChange && (report.changed ?? 0) > 0) {
    throw new AppError('check_failed', `${report.changed} decisions would change`, 'review the changes, then apply with: foundry-op rules update|add --file F');
  }
}

export function register(program: Command, ctx: CliContext): void {
  const rules = program.command('rules').description('routing rules: tried in priority order; actions apply until one says stop');

  rules.command('list').description('list routing rules in the order they are tried').action(async () => {
    ctx.out.list(await ctx.client().get<RuleView[]>('/v1/rules'), RULE_COLUMNS);
  });

  rules.command('show <id>').description('show a rule (by id or name)').action(async (id: string) => {
    showRule(ctx, await ctx.client().get<RuleView>(`/v1/rules/${encodeURIComponent(id)}`));
  });

  rules.command('add').description('add a rule from a JSON or YAML file (- for stdin)').requiredOption('--file <file>').action(async (opts: { file: string }) => {
    const doc = await readRules(ctx, opts.file);
    let r: RuleView;
    try {
      r = await ctx.client().post<RuleView>('/v1/rules', doc);
    } catch (e) {
      throw asUsage(e, opts.file);
    }
    if (ctx.out.json) return ctx.out.data(r);
    ctx.out.line(`created rule ${r.name} (${r.id})`);
  });

  rules.command('update <id>').description('replace a rule with the one in a file').requiredOption('--file <file>').action(async (id: string, opts: { file: string }) => {
    const doc = await readRules(ctx, opts.file);
    let r: RuleView;
    try {
      r = await ctx.client().put<RuleView>(`/v1/rules/${encodeURIComponent(id)}`, doc);
    } catch (e) {
      throw asUsage(e, opts.file);
    }
    if (ctx.out.json) return ctx.out.data(r);
    ctx.out.line(`updated rule ${r.name} (${r.id})`);
  });

  for (const verb of ['enable', 'disable'] as const) {
    rules.command(`${verb} <id>`).description(`${verb} a rule`).action(async (id: string) => {
      const r = await ctx.client().post<RuleView>(`/v1/rules/${encodeURIComponent(id)}/${verb}`);
      if (ctx.out.json) return ctx.out.data(r);
      ctx.out.line(`${verb}d rule ${r.name}`);
    });
  }

  rules.command('delete <id>').description('delete a rule').action(async (id: string) => {
    const r = await ctx.client().delete<RuleView>(`/v1/rules/${encodeURIComponent(id)}`);
    if (ctx.out.json) return ctx.out.data(r);
    ctx.out.line(`deleted rule ${r.name}`);
  });

  rules
    .command('test')
    .description('check draft rules; with --replay, show which recorded decisions they would change (stores nothing)')
    .requiredOption('--file <file>', 'one rule or a list of rules (JSON or YAML)')
    .option('--replay', 'run recorded tasks through the current rules with the drafts applied')
    .option('--since <age>', 'how far back to replay: 30d, 24h, 2w or an ISO time', '30d')
    .option('--fail-on-change', 'exit 3 when any decision would change (for CI)')
    .action(async (opts: { file: string; replay?: boolean; since?: string; failOnChange?: boolean }) => runTest(ctx, opts));
}
