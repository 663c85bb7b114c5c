import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

// End-to-end tests run the real binary, which loads dist/. Build it (incrementally) first so
// `npm test` never exercises stale output. Type errors are reported but do not stop the run: tsc still
// emits, and `npm run build` (which CI runs first) is where they fail.
export default function setup(): void {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  try {
    execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.json')], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (err) {
    const out = String((err as { stdout?: Buffer }).stdout ?? '');
    process.stderr.write(`warning: tsc reported errors (tests still run against what it emitted):\n${out.split('\n').slice(0, 20).join('\n')}\n`);
  }
  // The dashboard's bundle, as `npm run build` makes it: the end-to-end tests then run the dashboard a
  // user runs. Without it the binary loads the modules instead, so a failure here only warns.
  try {
    execFileSync(process.execPath, [join(root, 'tools/bundle-tui.mjs')], { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    process.stderr.write(`warning: the dashboard bundle was not made (the tests use dist/tui's modules): ${String((err as { stderr?: Buffer }).stderr ?? err).split('\n')[0]}\n`);
  }
}
