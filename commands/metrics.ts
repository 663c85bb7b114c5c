import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import type { Command } from 'commander';
import type { CliContext } from '../cli/context.js';
import { AppError } from '../core/errors.js';
import { parseMetricsCsv } from '../core/metrics/csv.js';
import { metricProblem, parseTagPairs, parseTimestamp, type MetricPoint } from '../core/metrics/model.js';

const collect = (v: string, prev: string[] = []): string[] => [...prev, v];
const BATCH = 20_000;

interface Bucket {
  startAt: string;
  count: number;
  avg: number;
  min: number;
  max: number;
}

export async function runPush(ctx: CliContext, name: string, valueText: string, opts: { tag?: string[]; at?: string }): Promise<void> {
  const value = Number(valueText);
  if (valueText.trim() === '' || !Number.isFinite(value)) throw new AppError('usage', `VALUE "${valueText}" is not a number`);
  const tags = parseTagPairs(opts.tag ?? []);
  const problem = metricProblem(name, tags);
  if (problem) throw new AppError('usage', problem);
  let at: number | undefined;
  if (opts.at !== undefined) {
    const t = parseTimestamp(opts.at);
    if (t === null) throw new AppError('usage', `--at ${opts.at}: expected ISO-8601 or epoch seconds`);
    at = t;
  }
  const r = await ctx.client().post<{ accepted: number; anomalies: number; point: Record<string, unknown> }>('/v1/metrics', { name, value, tags, at });
  if (ctx.out.json) return ctx.out.data(r.point);
  ctx.out.line(`pushed ${name}=${value}${r.anomalies > 0 ? ' (anomalous)' : ''}`);
}

/** Parses the whole file first (a bad row imports nothing), then sends it in batches. */
export async function runImport(ctx: CliContext, file: string, opts: { name?: string; tag?: string[] }): Promise<void> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new AppError('usage', `${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  let points: MetricPoint[];
  try {
    // a timestamp,value file without --name is named after the file
    const name = opts.name ?? basename(file, extname(file)).replace(/[^a-zA-Z0-9_:.-]/g, '_').replace(/^([^a-zA-Z_:])/, '_$1');
    points = parseMetricsCsv(text, { name, tags: parseTagPairs(opts.tag ?? []) });
  } catch (e) {
    if (e instanceof AppError) throw new AppError('usage', `${file}: ${e.message}`, 'nothing was imported');
    throw e;
  }
  const client = ctx.client(120_000);
  const progress = ctx.io.stderr.isTTY && !ctx.out.json;
  const started = performance.now();
  let sent = 0;
  let anomalies = 0;
  for (let i = 0; i < points.length; i += BATCH) {
    const chunk = points.slice(i, i + BATCH);
    const r = await client.post<{ accepted: number; anomalies: number }>('/v1/metrics/batch', { points: chunk });
    sent += r.accepted;
    anomalies += r.anomalies;
    if (progress) ctx.io.stderr.write(`\rimported ${sent}/${points.length} points`);
  }
  if (progress) ctx.io.stderr.write('\n');
  const seconds = (performance.now() - started) / 1000;
  const summary = { file, points: sent, anomalies, seconds: Math.round(seconds * 1000) / 1000 };
  if (ctx.out.json) return ctx.out.data(summary);
  ctx.out.line(`imported ${sent} points from ${file} in ${seconds.toFixed(1)} s${anomalies > 0 ? ` (${anomalies} anomalous)` : ''}`);
}

export async function runQuery(ctx: CliContext, name: string, opts: { since?: string; until?: string; bucket?: string; tag?: string[] }): Promise<void> {
  const tags = Object.entries(parseTagPairs(opts.tag ?? [])).map(([k, v]) => `${k}=${v}`).join(',');
  const r = await ctx.client().get<{ name: string; bucketSeconds: number; buckets: Bucket[] }>('/v1/metrics/query', {
    name, since: opts.since ?? '24h', until: opts.until, bucket: opts.bucket ?? '1h', tags: tags || undefined,
  });
  if (ctx.out.json) return ctx.out.data(r);
  const fmt = (n: number): string => (Number.isInteger(n) ? String(n) : n.toPrecision(6).replace(/\.?0+$/, ''));
  ctx.out.list(r.buckets, [
    { header: 'bucket', value: 'startAt' },
    { header: 'count', value: 'count' },
    { header: 'avg', value: (b) => fmt(b.avg) },
    { header: 'min', value: (b) => fmt(b.min) },
    { header: 'max', value: (b) => fmt(b.max) },
  ]);
}

export function register(program: Command, ctx: CliContext): void {
  const metrics = program.command('metrics').description('system metrics: push, import, query (the anomaly detector watches every series)');
  metrics
    .command('push')
    .description('push one value')
    .argument('<name>')
    .argument('<value>')
    .option('--tag <k=v>', 'a tag (repeatable)', collect)
    .option('--at <time>', 'ISO-8601 or epoch seconds (default: now)')
    .action(async (name: string, value: string, opts: { tag?: string[]; at?: string }) => runPush(ctx, name, value, opts));
  metrics
    .command('import')
    .description('import a CSV: timestamp,value (with --name) or timestamp,name,value[,tags]; a bad row imports nothing')
    .argument('<file>')
    .option('--name <name>', 'metric name for a timestamp,value file (default: the file name)')
    .option('--tag <k=v>', 'a tag for every point (repeatable)', collect)
    .action(async (file: string, opts: { name?: string; tag?: string[] }) => runImport(ctx, file, opts));
  metrics
    .command('query')
    .description('avg/min/max per bucket (whole-hour buckets come from the hourly rollup)')
    .argument('<name>')
    .option('--since <when>', 'duration back (24h, 7d) or a time', '24h')
    .option('--until <when>', 'duration back or a time (default: now)')
    .option('--bucket <size>', 'bucket size: 1m, 5m, 1h, 1d …', '1h')
    .option('--tag <k=v>', 'only series with this tag (repeatable)', collect)
    .action(async (name: string, opts: { since?: string; until?: string; bucket?: string; tag?: string[] }) => runQuery(ctx, name, opts));
  metrics
    .command('list')
    .description('metric names with their series and point counts')
    .action(async () => {
      const r = await ctx.client().get<Array<{ name: string; series: number; points: number; lastAt: string }>>('/v1/metrics');
      ctx.out.list(r, [
        { header: 'name', value: 'name' },
        { header: 'series', value: 'series' },
        { header: 'points', value: 'points' },
        { header: 'last hour', value: 'lastAt' },
      ]);
    });
}
