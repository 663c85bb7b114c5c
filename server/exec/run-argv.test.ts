import { describe, it, expect } from 'vitest';
import { runArgv } from './run-argv.js';

const node = process.execPath;

describe('running a program from an argv array', () => {
  it('passes each item as one argument, never through a shell', async () => {
    const evil = 'api; echo INJECTED > /dev/stderr; $(touch /tmp/pwned)';
    const r = await runArgv({ argv: [node, '-e', 'console.log(JSON.stringify(process.argv.slice(1)))', evil, 'a b'], timeoutMs: 10_000, maxOutput: 10_000 });
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([evil, 'a b']);
    expect(r.stderr).toBe('');
  });

  it('gives the program only a small environment plus what the step sets', async () => {
    process.env.FOUNDRY_SECRET_FOR_TEST = 'hunter2';
    const r = await runArgv({ argv: [node, '-e', 'console.log(JSON.stringify(process.env))'], env: { SERVICE: 'api' }, timeoutMs: 10_000, maxOutput: 100_000 });
    const env = JSON.parse(r.stdout) as Record<string, string>;
    expect(env.SERVICE).toBe('api');
    expect(env.FOUNDRY_SECRET_FOR_TEST).toBeUndefined();
    expect(env.PATH).toBe(process.env.PATH);
  });

  it('kills a program that hangs at its timeout', async () => {
    const r = await runArgv({ argv: [node, '-e', 'setInterval(() => {}, 1000)'], timeoutMs: 300, maxOutput: 1000 });
    expect(r.timedOut).toBe(true);
    expect(r.exitCode).toBeNull();
    expect(r.signal).toBe('SIGTERM');
  });

  it('kills with SIGKILL a program that ignores SIGTERM', async () => {
    const r = await runArgv({
      argv: [node, '-e', 'process.on("SIGTERM", () => {}); console.log("ready"); setInterval(() => {}, 1000)'],
      timeoutMs: 500, killGraceMs: 200, maxOutput: 1000,
    });
    expect(r.timedOut).toBe(true);
    expect(r.signal).toBe('SIGKILL');
  });

  it('keeps at most maxOutput bytes of output and says it cut the rest', async () => {
    const r = await runArgv({ argv: [node, '-e', 'process.stdout.write("x".repeat(1_000_000))'], timeoutMs: 10_000, maxOutput: 1024 });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toHaveLength(1024);
    expect(r.truncated).toBe(true);
  });

  it('reports a program that does not exist instead of throwing', async () => {
    const r = await runArgv({ argv: ['/nonexistent/program-xyz'], timeoutMs: 1000, maxOutput: 1000 });
    expect(r.spawnError).toMatch(/ENOENT/);
    expect(r.exitCode).toBeNull();
  });

  it('returns the exit code of a failing program', async () => {
    const r = await runArgv({ argv: [node, '-e', 'process.exit(3)'], timeoutMs: 10_000, maxOutput: 1000 });
    expect(r.exitCode).toBe(3);
  });
});
