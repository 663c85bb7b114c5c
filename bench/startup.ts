/** `foundry-op --version` start-up against `node -e 0`, medians over interleaved runs in the same run. */
import { spawnSync } from 'node:child_process';
import { BIN, fmt, median } from './lib.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 21);
function time(args: string[]): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { stdio: 'ignore' });
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}`);
  return performance.now() - t0;
}
const node: number[] = [];
const ours: number[] = [];
for (let i = 0; i < RUNS; i++) {
  node.push(time(['-e', '0']));
  ours.push(time([BIN, '--version']));
}
const ratio = median(ours) / median(node);
console.log(`node -e 0: median ${fmt(median(node))} ms; foundry-op --version: median ${fmt(median(ours))} ms; ratio ${fmt(ratio, 2)} (target <= 2.00 -> ${ratio <= 2 ? 'met' : 'NOT met'})`);
