import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import type { CliContext } from '../cli/context.js';
import type { Column } from '../cli/output.js';
import { AppError } from '../core/errors.js';
import { parseRule, SEVERITIES } from '../core/compliance/rule.js';

interface RuleView {
  id: string; name: string; type: string; severity: string; enabled: boolean; gracePeriod: number; entity: string;
  description?: string; conditions: unknown; sla?: unknown; maxAge?: string; createdAt: string; updatedAt: string;
}
interface ViolationView {
  id: string; ruleName: string; severity: string; status: string; entityKind: string; entityId: string; teamId: string | null;
  message: string; since: string; openedAt: string | null; detectedAt: string; resolvedAt: string | null; waiverReason: string | null;
  waiverExpiresAt: string | null; acknowledgedBy: string | null;
}
interface SweepView { tasks: number; actions: number; detected: number; resolved: number; pending: number; ms: number }
interface ScoreLine { score: number; penalty: number; entities: number; open: Record<string, number> }

const sevColor = (s: string): 'red' | 'yellow' | 'gray' | undefined => (s === 'critical' || s === 'high' ? 'red' : s === 'medium' ? 'yellow' : s === 'low' ? 'gray' : undefined);
const statusColor = (s: string): 'red' | 'yellow' | 'green' | 'gray' | undefined =>
  s === 'open' ? 'red' : s === 'acknowledged' || s === 'pending' ? 'yellow' : s === 'resolved' ? 'green' : s === 'waived' ? 'gray' : undefined;

const RULE_COLUMNS: Column<RuleView>[] = [
  { header: 'id', value: 'id' },
  { header: 'name', value: 'name' },
  { header: 'type', value: 'type' },
  { header: 'severity', value: 'severity', color: sevColor },
  { header: 'grace', value: (r) => `${r.gracePeriod}s` },
  { header: 'enabled', value: (r) => (r.enabled ? 'yes' : 'no'), color: (t) => (t === 'no' ? 'gray' : undefined) },
];

const VIOLATION_COLUMNS: Column<ViolationView>[] = [
  { header: 'id', value: 'id' },
  { header: 'severity', value: 'severity', color: sevColor },
  { header: 'status', value: 'status', color: statusColor },
  { header: 'rule', value: 'ruleName' },
  { header: 'entity', value: (v) => `${v.entityKind}:${v.entityId}` },
  { header: 'since', value: (v) => v.openedAt ?? v.since },
  { header: 'message', value: 'message' },
];

/** Reads a rule file (JSON or YAML, `-` for stdin) and validates it here: a bad file exits 2 and sends nothing. */
export function readRuleFile(file: string, stdin: () => string = () => readFileSync(0, 'utf8')): unknown {
  let text: string;
  try {
    text = file === '-' ? stdin() : readFileSync(file, 'utf8');
  } catch (e) {
    throw new AppError('usage', `--file ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  let value: unknown;
  try {
    value = parseYaml(text);
  } catch (e) {
    throw new AppError('usage', `${file}: not valid JSON or YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  try {
    parseRule(value);
  } catch (e) {
    if (e instanceof AppError) throw new AppError('usage', `${file}: ${e.message}`, 'nothing was stored', (e.details as { issues?: unknown[] } | undefined)?.issues);
    throw e;
  }
  return value;
}

/** Errors the daemon finds in a rule (an unknown calendar) are bad input too: exit 2. */
async function asUsage<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    if (e instanceof AppError && e.kind === 'validation') throw new AppError('usage', e.message, e.hint ?? 'nothing was stored', e.details);
    throw e;
  }
}

function severity(text: string): string {
  const s = text.toLowerCase();
  if (!(SEVERITIES as readonly string[]).includes(s)) throw new AppError('usage', `--fail-on ${text}: expected one of ${SEVERITIES.join(', ')}`);
  return s;
}

const enc = encodeURIComponent;

function sweepLine(s: SweepView | null): string {
  return s ? ` (evaluated ${s.tasks} tasks${s.actions ? ` and ${s.actions} actions` : ''}: ${s.detected} violation(s) detected, ${s.resolved} resolved, ${s.pending} pending)` : '';
}

export function register(program: Command, ctx: CliContext): void {
  const compliance = program.command('compliance').description('compliance rules, violations, SLA clocks, score, reports and the CI gate');

  const rules = compliance.command('rules').description('compliance rules: list, show, add, enable, disable, test');
  rules.command('list').description('list compliance rules').action(async () => {
    ctx.out.list(await ctx.client().get<RuleView[]>('/v1/compliance/rules'), RULE_COLUMNS);
  });
  rules.command('show <id>').description('show a rule (id or name) as its file would hold it').action(async (id: string) => {
    const r = await ctx.client().get<RuleView>(`/v1/compliance/rules/${enc(id)}`);
    if (ctx.out.json) return ctx.out.data(r);
    ctx.out.line(JSON.stringify(r, null, 2));
  });
  rules.command('add').description('add a rule from a JSON or YAML file (validated first)').requiredOption('--file <F>', 'rule file, - for stdin')
    .action(async (opts: { file: string }) => {
      const rule = readRuleFile(opts.file);
      const r = await asUsage(() => ctx.client().post<{ rule: RuleView; sweep: SweepView }>('/v1/compliance/rules', rule));
      if (ctx.out.json) return ctx.out.data(r.rule);
      ctx.out.line(`added ${r.rule.name} (${r.rule.id})${sweepLine(r.sweep)}`);
    });
  for (const verb of ['enable', 'disable'] as const) {
    rules.command(`${verb} <id>`).description(`${verb} a rule${verb === 'disable' ? ' (its open violations resolve)' : ''}`).action(async (id: string) => {
      const r = await ctx.client().post<{ rule: RuleView; sweep: SweepView | null }>(`/v1/compliance/rules/${enc(id)}/${verb}`);
      if (ctx.out.json) return ctx.out.data(r.rule);
      ctx.out.line(`${verb}d ${r.rule.name}${sweepLine(r.sweep)}`);
    });
  }
  rules.command('delete <id>').description('delete a rule (its open violations resolve)').action(async (id: string) => {
    await ctx.client().delete(`/v1/compliance/rules/${enc(id)}`);
    if (ctx.out.json) return ctx.out.data({ id, deleted: true });
    ctx.out.line(`deleted ${id}`);
  });
  rules.command('test').description('list the violations a draft rule would have raised over recorded history; stores nothing')
    .requiredOption('--file <F>', 'rule file, - for stdin')
    .option('--replay', 'replay recorded history (the default, kept for symmetry with `rules test`)')
    .option('--since <d>', 'how far back', '30d')
    .action(async (opts: { file: string; since: string }) => {
      const rule = readRuleFile(opts.file);
      if (ctx.isTTY && !ctx.out.json) ctx.out.info(`replaying ${opts.since} of history…`);
      const r = await asUsage(() => ctx.client().post<{ count: number; evaluated: { tasks: number; actions: number }; violations: Record<string, unknown>[] }>(
        '/v1/compliance/rules/test', { rule, since: opts.since }));
      if (ctx.out.json) return ctx.out.data(r);
      ctx.out.list(r.violations, [
        { header: 'entity', value: (v) => `${String(v.entityKind)}:${String(v.entityId)}` },
        { header: 'team', value: 'team' }, { header: 'pri', value: 'priority' },
        { header: 'opened', value: 'openedAt' }, { header: 'cleared', value: 'resolvedAt' }, { header: 'message', value: 'message' },
      ]);
      ctx.out.info(`${r.count} violation(s) over ${r.evaluated.tasks} task(s)${r.evaluated.actions ? ` and ${r.evaluated.actions} action(s)` : ''}; nothing was stored`);
    });

  compliance.command('check').description('the CI gate: exit 3 when an open violation at or above --fail-on exists')
    .option('--fail-on <severity>', `one of ${SEVERITIES.join(', ')}`, 'high')
    .option('--no-sweep', 'use the last evaluation instead of evaluating now')
    .action(async (opts: { failOn: string; sweep: boolean }) => {
      const failOn = severity(opts.failOn);
      const r = await ctx.client().get<{ failed: boolean; count: number; violations: ViolationView[] }>('/v1/compliance/check', { failOn, sweep: opts.sweep ? '1' : '0' });
      if (ctx.out.json) ctx.out.data(r);
      else if (r.count > 0) ctx.out.list(r.violations, VIOLATION_COLUMNS);
      else ctx.out.line(`ok: no open violation at or above ${failOn}`);
      if (r.failed) throw new AppError('check_failed', `${r.count} open violation(s) at or above ${failOn}`);
    });

  const violations = compliance.command('violations').description('violations: list, show, ack, resolve, waive');
  violations.command('list').description('list violations (active ones by default)')
    .option('--status <s>', 'pending, open, acknowledged, resolved, waived (comma-separated), active or all')
    .option('--rule <rule>').option('--team <team>').option('--limit <n>')
    .action(async (opts: { status?: string; rule?: string; team?: string; limit?: string }) => {
      ctx.out.list(await ctx.client().get<ViolationView[]>('/v1/compliance/violations', { status: opts.status, rule: opts.rule, team: opts.team, limit: opts.limit }), VIOLATION_COLUMNS);
    });
  violations.command('show <id>').description('show one violation').action(async (id: string) => {
    const v = await ctx.client().get<ViolationView & Record<string, unknown>>(`/v1/compliance/violations/${enc(id)}`);
    ctx.out.object(v);
  });
  for (const [verb, word] of [['ack', 'acknowledged'], ['resolve', 'resolved']] as const) {
    violations.command(`${verb} <id>`).description(`mark a violation ${word}`).action(async (id: string) => {
      const v = await ctx.client().post<ViolationView>(`/v1/compliance/violations/${enc(id)}/${verb}`);
      if (ctx.out.json) return ctx.out.data(v);
      ctx.out.line(`${word} ${v.id}`);
    });
  }
  violations.command('waive <id>').description('accept a violation for a while, with a reason')
    .requiredOption('--reason <text>', 'why it is accepted')
    .option('--expires <when>', 'ISO date or a duration from now (default 30d)')
    .action(async (id: string, opts: { reason: string; expires?: string }) => {
      const v = await ctx.client().post<ViolationView>(`/v1/compliance/violations/${enc(id)}/waive`, { reason: opts.reason, expires: opts.expires });
      if (ctx.out.json) return ctx.out.data(v);
      ctx.out.line(`waived ${v.id} until ${v.waiverExpiresAt}`);
    });

  compliance.command('sla').description('running SLA clocks of open tasks, most urgent first (at risk from 80 % of the target)')
    .option('--status <s>', 'running, at_risk or breached (comma-separated)')
    .action(async (opts: { status?: string }) => {
      const list = await ctx.client().get<Record<string, unknown>[]>('/v1/compliance/sla', { status: opts.status });
      const minutes = (ms: unknown): string => `${Math.round(Number(ms) / 60_000)}m`;
      ctx.out.list(list, [
        { header: 'task', value: 'taskId' }, { header: 'pri', value: 'priority' }, { header: 'team', value: 'team' },
        { header: 'rule', value: 'rule' }, { header: 'clock', value: 'clock' },
        { header: 'status', value: (c) => `${String(c.status)}${c.paused ? ' (paused)' : ''}`, color: (t) => (t.startsWith('breached') ? 'red' : t.startsWith('at_risk') ? 'yellow' : undefined) },
        { header: 'elapsed', value: (c) => `${minutes(c.elapsedMs)} / ${minutes(c.targetMs)}` }, { header: '%', value: 'percent' },
        { header: 'due', value: 'dueAt' }, { header: 'title', value: 'title' },
      ]);
    });

  compliance.command('score').description('compliance score 0-100 per team and for the organisation (docs/compliance.md)')
    .option('--window <d>', 'history that counts', '30d')
    .action(async (opts: { window: string }) => {
      const s = await ctx.client().get<{ org: ScoreLine; teams: (ScoreLine & { team: string })[] }>('/v1/compliance/score', { window: opts.window });
      if (ctx.out.json) return ctx.out.data(s);
      const rows = [{ team: '(organisation)', ...s.org }, ...s.teams];
      const scoreColor = (t: string): 'red' | 'yellow' | 'green' => (Number(t) >= 90 ? 'green' : Number(t) >= 70 ? 'yellow' : 'red');
      ctx.out.list(rows, [
        { header: 'team', value: 'team' }, { header: 'score', value: (r) => r.score.toFixed(1), color: scoreColor },
        { header: 'critical', value: (r) => r.open.critical }, { header: 'high', value: (r) => r.open.high },
        { header: 'medium', value: (r) => r.open.medium }, { header: 'low', value: (r) => r.open.low },
        { header: 'penalty', value: 'penalty' }, { header: 'tasks', value: 'entities' },
      ]);
    });

  compliance.command('report').description('violations by rule, severity and team, time to resolve, SLA attainment, waivers')
    .option('--format <f>', 'md, json or csv', 'md')
    .option('--since <d>', 'how far back', '30d')
    .option('--out <F>', 'write to a file instead of stdout')
    .action(async (opts: { format: string; since: string; out?: string }) => {
      const format = ctx.out.json ? 'json' : opts.format;
      if (!['md', 'json', 'csv'].includes(format)) throw new AppError('usage', `--format ${opts.format}: expected md, json or csv`);
      if (ctx.isTTY && !ctx.out.json) ctx.out.info(`building the report for the last ${opts.since}…`);
      const r = await ctx.client().get<{ content?: string } & Record<string, unknown>>('/v1/compliance/report', { format, since: opts.since });
      const text = format === 'json' ? `${JSON.stringify(r, null, ctx.out.json ? undefined : 2)}\n` : r.content ?? '';
      if (opts.out) {
        writeFileSync(opts.out, text);
        if (ctx.out.json) return ctx.out.data({ out: opts.out, format });
        ctx.out.info(`wrote ${opts.out}`);
        return;
      }
      ctx.io.stdout.write(text);
    });

  const calendars = compliance.command('calendars').description('business-hours calendars that SLA rules can name');
  calendars.command('list').description('list stored calendars').action(async () => {
    const list = await ctx.client().get<{ name: string; timeZone: string; days: number[]; hours: { start: string; end: string }[]; holidays: string[] }[]>('/v1/compliance/calendars');
    ctx.out.list(list, [
      { header: 'name', value: 'name' }, { header: 'zone', value: 'timeZone' }, { header: 'days', value: (c) => c.days.join(',') },
      { header: 'hours', value: (c) => c.hours.map((h) => `${h.start}-${h.end}`).join(' ') }, { header: 'holidays', value: (c) => c.holidays.length },
    ]);
  });
  calendars.command('add').description('add or replace a calendar from a JSON or YAML file').requiredOption('--file <F>')
    .action(async (opts: { file: string }) => {
      let value: unknown;
      try {
        value = parseYaml(opts.file === '-' ? readFileSync(0, 'utf8') : readFileSync(opts.file, 'utf8'));
      } catch (e) {
        throw new AppError('usage', `--file ${opts.file}: ${(e as Error).message.split('\n')[0]}`);
      }
      const c = await asUsage(() => ctx.client().post<{ name: string }>('/v1/compliance/calendars', value));
      if (ctx.out.json) return ctx.out.data(c);
      ctx.out.line(`saved calendar ${c.name}`);
    });
}
