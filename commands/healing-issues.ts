import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import type { CliContext } from '../cli/context.js';
import { AppError } from '../core/errors.js';
import { healthCheckSchema } from '../core/healing/health.js';

interface IssueView {
  id: string; source: string; severity: string; status: string; title: string; description: string | null;
  labels: Record<string, string>; annotations: Record<string, string>; metric: string | null; value: number | null;
  score: number | null; occurrences: number; firstSeenAt: string; lastSeenAt: string; resolvedAt: string | null;
  resolution: string | null; resolvedBy: string | null; fingerprint: string;
}

const severityColor = (s: string): 'red' | 'yellow' | 'gray' | undefined =>
  s === 'critical' || s === 'high' ? 'red' : s === 'medium' ? 'yellow' : s === 'low' ? 'gray' : undefined;
const statusColor = (s: string): 'yellow' | 'green' | undefined => (s === 'open' ? 'yellow' : s === 'resolved' ? 'green' : undefined);

export function showIssue(ctx: CliContext, i: IssueView): void {
  if (ctx.out.json) return ctx.out.data(i);
  ctx.out.object(i as unknown as Record<string, unknown>, [
    ['id', i.id], ['title', i.title], ['status', i.status], ['severity', i.severity], ['source', i.source], ['labels', i.labels],
    ['metric', i.metric], ['value', i.value], ['score', i.score], ['occurrences', i.occurrences], ['first seen', i.firstSeenAt],
    ['last seen', i.lastSeenAt], ['resolved', i.resolvedAt ? `${i.resolvedAt} (${i.resolution}${i.resolvedBy ? ` by ${i.resolvedBy}` : ''})` : null],
    ['fingerprint', i.fingerprint],
  ]);
  if (i.description) ctx.out.line(`\n${i.description}`);
  const notes = Object.entries(i.annotations);
  if (notes.length > 0) ctx.out.line(`\n${notes.map(([k, v]) => `${k}: ${v}`).join('\n')}`);
}

/** Reads a JSON or YAML file and validates it; a bad field is named by its path (exit 2). */
async function readCheck(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new AppError('usage', `${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  let data: unknown;
  try {
    data = /^\s*[[{]/.test(text) ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    throw new AppError('usage', `${file}: not valid JSON or YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  const r = healthCheckSchema.safeParse(data);
  if (!r.success) {
    const first = r.error.issues[0]!;
    const path = first.path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join('');
    throw new AppError('usage', `${file}: ${path || '(root)'}: ${first.message}`, 'nothing was stored');
  }
  // the daemon validates again; send what the user wrote
  return data;
}

/** `healing issues …` and `healing checks …`, added to the `healing` group by commands/healing.ts. */
export function registerHealingIssues(healing: Command, ctx: CliContext): void {
  const issues = healing.command('issues').description('problems found by alerts, the anomaly detector and health checks');
  issues
    .command('list')
    .description('issues, newest first (open ones unless --status says otherwise)')
    .option('--status <status>', 'open, resolved or all', 'open')
    .option('--source <source>', 'alert, anomaly, health_check or manual')
    .option('--severity <severity>', 'low, medium, high or critical')
    .option('--limit <n>', 'at most this many', '100')
    .action(async (opts: { status: string; source?: string; severity?: string; limit: string }) => {
      const r = await ctx.client().get<IssueView[]>('/v1/healing/issues', {
        status: opts.status, source: opts.source, severity: opts.severity, limit: opts.limit,
      });
      ctx.out.list(r, [
        { header: 'id', value: 'id' },
        { header: 'severity', value: 'severity', color: severityColor },
        { header: 'status', value: 'status', color: statusColor },
        { header: 'source', value: 'source' },
        { header: 'seen', value: 'occurrences' },
        { header: 'last seen', value: 'lastSeenAt' },
        { header: 'title', value: 'title' },
      ]);
    });
  issues
    .command('show')
    .argument('<id>')
    .description('one issue with its labels and history')
    .action(async (id: string) => showIssue(ctx, await ctx.client().get<IssueView>(`/v1/healing/issues/${encodeURIComponent(id)}`)));
  issues
    .command('resolve')
    .argument('<id>')
    .option('--reason <text>', 'why (kept with the issue and in the audit trail)')
    .description('resolve an issue by hand')
    .action(async (id: string, opts: { reason?: string }) => {
      const i = await ctx.client().post<IssueView>(`/v1/healing/issues/${encodeURIComponent(id)}/resolve`, { reason: opts.reason });
      if (ctx.out.json) return ctx.out.data(i);
      ctx.out.line(`resolved ${i.id}: ${i.title}`);
    });

  const checks = healing.command('checks').description('health checks: HTTP status/latency, TCP connect, command exit code');
  checks
    .command('list')
    .description('configured checks with their last result')
    .action(async () => {
      const r = await ctx.client().get<Array<Record<string, unknown>>>('/v1/healing/checks');
      ctx.out.list(r, [
        { header: 'name', value: 'name' },
        { header: 'type', value: 'type' },
        { header: 'every', value: (c) => `${c.intervalSeconds}s` },
        { header: 'ok', value: (c) => (c.lastOk === null ? '-' : c.lastOk ? 'yes' : 'no'), color: (t) => (t === 'no' ? 'red' : t === 'yes' ? 'green' : undefined) },
        { header: 'last', value: 'lastAt' },
        { header: 'target', value: 'target' },
        { header: 'error', value: 'lastError' },
      ]);
    });
  checks
    .command('add')
    .description('add (or replace, by name) a check from a JSON or YAML file')
    .requiredOption('--file <file>')
    .action(async (opts: { file: string }) => {
      const spec = await readCheck(opts.file);
      const c = await ctx.client().post<{ id: string; spec: { name: string; type: string } }>('/v1/healing/checks', spec);
      if (ctx.out.json) return ctx.out.data(c);
      ctx.out.line(`added ${c.spec.type} check ${c.spec.name} (${c.id})`);
    });
  checks
    .command('remove')
    .argument('<name>')
    .action(async (name: string) => {
      const r = await ctx.client().delete<{ removed: boolean }>(`/v1/healing/checks/${encodeURIComponent(name)}`);
      if (ctx.out.json) return ctx.out.data(r);
      ctx.out.line(`removed ${name}`);
    });
  checks
    .command('run')
    .argument('<name>')
    .description('run a check now')
    .action(async (name: string) => {
      const r = await ctx.client().post<{ ok: boolean; latencyMs: number; error: string | null }>(`/v1/healing/checks/${encodeURIComponent(name)}/run`, {});
      if (ctx.out.json) return ctx.out.data(r);
      ctx.out.line(r.ok ? `${name}: ok in ${Math.round(r.latencyMs)} ms` : `${name}: failing: ${r.error}`);
      if (!r.ok) throw new AppError('check_failed', `health check ${name} is failing`);
    });
}
