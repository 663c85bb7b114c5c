// The dashboard's single-file bundle (tools/bundle-tui.mjs, made by `npm run build` and by this suite's
// global setup) is what `foundry-op tui` loads: it must be current, and it must run the dashboard with
// the project modules it shares with the command (one React, one copy of each class).
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it, expect } from 'vitest';
import { ROOT } from './helpers.js';

const DIST = join(ROOT, 'dist');

/** Runs the bundled dashboard on the fixture source in a plain Node process, quitting after the first full paint. */
const SCRIPT = `
import { PassThrough, Writable } from 'node:stream';
const dist = ${JSON.stringify(DIST)};
const { bundleUnusable } = await import(dist + '/tui/load-ui.js');
const why = bundleUnusable({});
if (why !== null) {
  console.log(JSON.stringify({ why }));
  process.exit(0);
}
const { runTui } = await import(dist + '/tui/run.bundle.js');
const { createFakeSource } = await import(dist + '/tui/fixtures/fake-source.js');
const { DEMO_HEADER } = await import(dist + '/tui/fixtures/demo-data.js');
let screen = '';
const stdout = Object.assign(new Writable({ write(c, _e, done) { screen += c.toString(); done(); } }), { isTTY: true, columns: 100, rows: 30 });
const stdin = Object.assign(new PassThrough(), { isTTY: true, setRawMode() {}, ref() {}, unref() {} });
let painted = false;
await runTui({
  source: createFakeSource(Date.now()), header: DEMO_HEADER, stdin, stdout, stderr: stdout,
  onFullPaint: () => { painted = true; setTimeout(() => stdin.write('q'), 20); },
});
console.log(JSON.stringify({ why, painted, screen }));
process.exit(0);
`;

function runBundled(extraEnv: NodeJS.ProcessEnv = {}): { why: string | null; painted?: boolean; screen?: string } {
  // Under CI, Ink prints only static output; the dashboard must run as on a person's terminal.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'CI' && k !== 'CONTINUOUS_INTEGRATION' && !k.startsWith('CI_')));
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', SCRIPT], { encoding: 'utf8', timeout: 20_000, env: { ...env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
  return JSON.parse(out.trim().split('\n').pop()!) as { why: string | null; painted?: boolean; screen?: string };
}

describe('the dashboard bundle', () => {
  it('is current, so the binary loads it, and draws the dashboard until q', () => {
    const result = runBundled();
    expect(result.why).toBeNull();
    expect(result.painted).toBe(true);
    expect(result.screen).toContain('\x1b[?1049h');
    expect(result.screen).toContain('acme-ops');
    expect(result.screen).toContain('Postgres replication lag on db-2');
    expect(result.screen!.endsWith('\x1b[?1049l')).toBe(true);
  });

  it('still finds the files its packages read beside themselves (Ink reads its package.json with DEV=true)', () => {
    const result = runBundled({ DEV: 'true' });
    expect(result.painted).toBe(true);
    expect(result.screen).toContain('Postgres replication lag on db-2');
  });
});
