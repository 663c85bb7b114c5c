/**
 * `npm run bench`: runs every benchmark in its own process and prints what each measured.
 * `npm run bench -- NAME…` runs only those. Benchmarks never decide whether the test suite passes.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Each entry is a compiled script in dist/bench (without .js). Areas add one line for theirs. */
export const BENCHMARKS: string[] = [
  'assistant-offline',
  'assistant-first-token',
  'startup',
  'tasks-http',
  'sse-fanout',
  'idle-rss',
  'scale-out',
  'routing-accuracy',
  'routing-decision',
  'routing-http',
  'nab',
  'ingest',
  'alertmanager',
  'workload-snapshots',
  'workload-show',
  'healing-latency',
  'compliance-sweep',
  'tui',
  'load',
];

const here = fileURLToPath(new URL('.', import.meta.url));
const only = process.argv.slice(2);
const chosen = only.length > 0 ? BENCHMARKS.filter((b) => only.includes(b)) : BENCHMARKS;
let failed = 0;
for (const name of chosen) {
  const script = `${here}${name}.js`;
  if (!existsSync(script)) {
    console.log(`\n== ${name}: skipped (dist/bench/${name}.js not built)`);
    continue;
  }
  console.log(`\n== ${name}`);
  const r = spawnSync(process.execPath, [script], { stdio: 'inherit' });
  if (r.status !== 0) {
    failed++;
    console.log(`== ${name} exited with ${r.status}`);
  }
}
if (failed > 0) process.exitCode = 1;
