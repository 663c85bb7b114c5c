import { readFile, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { CliContext } from '../cli/context.js';
import { AppError } from '../core/errors.js';
import { detectorConfig, DETECTORS } from '../core/healing/anomaly/detectors.js';
import { scanCsv } from '../core/healing/anomaly/scan.js';
import { DEFAULT_ALERT_THRESHOLD } from '../core/healing/anomaly/threshold.js';

export interface ScanOptions {
  file: string;
  out?: string;
  detector?: string;
}

/** `anomaly scan`: offline, no daemon; the same detector the daemon runs, row t scored from rows 0..t. */
export async function runScan(ctx: CliContext, opts: ScanOptions): Promise<void> {
  const config = detectorConfig(opts.detector);
  let text: string;
  try {
    text = await readFile(opts.file, 'utf8');
  } catch (e) {
    throw new AppError('usage', `${opts.file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  const started = performance.now();
  let result;
  try {
    result = scanCsv(text, { config });
  } catch (e) {
    if (e instanceof AppError) throw new AppError(e.kind, `${opts.file}: ${e.message}`, e.hint);
    throw e;
  }
  const seconds = (performance.now() - started) / 1000;
  const summary = {
    file: opts.file,
    out: opts.out ?? null,
    detector: opts.detector ?? 'default',
    rows: result.rows,
    maxScore: result.maxScore,
    threshold: DEFAULT_ALERT_THRESHOLD,
    anomalies: result.alarms,
    seconds: Math.round(seconds * 1000) / 1000,
  };
  if (!opts.out && ctx.out.json) {
    // one JSON document: the summary with every scored row
    const scores = result.csv
      .trimEnd()
      .split('\n')
      .slice(1)
      .map((line) => {
        const [timestamp, value, score] = line.split(',');
        return { timestamp, value: Number(value), anomalyScore: Number(score) };
      });
    return ctx.out.data({ ...summary, scores });
  }
  if (!opts.out) {
    // the scores are the result: stdout carries the CSV, the summary goes to stderr
    ctx.io.stdout.write(result.csv);
    ctx.out.info(`${result.rows} rows scored, ${result.alarms} at or above ${DEFAULT_ALERT_THRESHOLD}`);
    return;
  }
  await writeFile(opts.out, result.csv);
  if (ctx.out.json) return ctx.out.data(summary);
  ctx.out.line(`${result.rows} rows scored into ${opts.out}; ${result.alarms} at or above the alerting threshold ${DEFAULT_ALERT_THRESHOLD} (max ${result.maxScore.toFixed(3)})`);
}

export function register(program: Command, ctx: CliContext): void {
  const anomaly = program.command('anomaly').description('the streaming anomaly detector, offline');
  anomaly
    .command('scan')
    .description('score a timestamp,value CSV: writes timestamp,value,anomaly_score (no daemon needed)')
    .argument('<file>', 'CSV with header timestamp,value')
    .option('--out <file>', 'where to write the scored CSV (default: stdout)')
    .option('--detector <name>', `detector configuration: ${Object.keys(DETECTORS).join(', ')}`, 'default')
    .action(async (file: string, opts: { out?: string; detector?: string }) => runScan(ctx, { file, ...opts }));
}
