import { AppError } from '../errors.js';
import { metricProblem, parseTimestamp, type MetricPoint } from './model.js';

export interface MetricsCsvOptions {
  /** Series name for the `timestamp,value` format (required there). */
  name?: string;
  tags?: Record<string, string>;
}

/**
 * Parses a metrics CSV: `timestamp,value` (one series, named by the caller) or
 * `timestamp,name,value[,tags]` with tags as `k=v;k=v`. All or nothing: the first bad row throws a
 * usage error naming its line, so an import never stores half a file.
 */
export function parseMetricsCsv(text: string, opts: MetricsCsvOptions = {}): MetricPoint[] {
  const lines = text.split('\n');
  const header = (lines[0] ?? '').replace(/\r$/, '').replace(/\s/g, '').toLowerCase();
  const wide = header === 'timestamp,name,value' || header === 'timestamp,name,value,tags';
  if (!wide && header !== 'timestamp,value') {
    throw new AppError('usage', `line 1: expected header "timestamp,value" or "timestamp,name,value[,tags]"`);
  }
  const baseTags = opts.tags ?? {};
  if (!wide) {
    if (!opts.name) throw new AppError('usage', 'a timestamp,value file needs --name');
    const problem = metricProblem(opts.name, baseTags);
    if (problem) throw new AppError('usage', problem);
  }
  const points: MetricPoint[] = [];
  for (let i = 1; i < lines.length; i++) {
    const row = lines[i]!.replace(/\r$/, '');
    if (row.trim() === '') continue;
    const lineNo = i + 1;
    const cols = row.split(',');
    const bad = (what: string): AppError => new AppError('usage', `line ${lineNo}: ${what}`);
    if (wide ? cols.length < 3 || cols.length > 4 : cols.length !== 2) {
      throw bad(`expected ${wide ? 'timestamp,name,value[,tags]' : 'timestamp,value'}`);
    }
    const at = parseTimestamp(cols[0]!);
    if (at === null) throw bad(`timestamp "${cols[0]}" is neither ISO-8601 nor epoch seconds`);
    const valueText = (wide ? cols[2] : cols[1])!.trim();
    const value = Number(valueText);
    if (valueText === '' || !Number.isFinite(value)) throw bad(`value "${valueText}" is not a number`);
    let name = opts.name!;
    let tags = baseTags;
    if (wide) {
      name = cols[1]!.trim();
      if (cols[3] !== undefined && cols[3].trim() !== '') {
        tags = { ...baseTags };
        for (const pair of cols[3].split(';')) {
          const eq = pair.indexOf('=');
          if (eq <= 0) throw bad(`tag "${pair}" must look like key=value`);
          tags[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
        }
      }
      const problem = metricProblem(name, tags);
      if (problem) throw bad(problem);
    }
    points.push({ name, value, at, tags });
  }
  return points;
}
