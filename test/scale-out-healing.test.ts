import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, eventually, freshPgUrl, runCli, tempHome } from './helpers.js';

const PG = process.env.FOUNDRY_TEST_PG;
const REDIS = process.env.FOUNDRY_TEST_REDIS;

/**
 * Three real daemons (separate processes and state folders sharing one JWT key) on one PostgreSQL
 * schema and one Redis. kill -9 the one that started a gated playbook; approve it through another; the
 * exec step runs exactly once somewhere else.
 */
describe.skipIf(!PG || !REDIS)('a playbook survives the death of the daemon that started it', () => {
  const homes: string[] = [];
  const children: ChildProcess[] = [];
  const urls: string[] = [];
  let dropPg: () => Promise<void>;
  let dir = '';
  const prefix = `h${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    const pg = await freshPgUrl();
    dropPg = pg.drop;
    dir = mkdtempSync(join(tmpdir(), 'foundry-scaled-'));
    const first = tempHome();
    expect((await runCli(['init', '--db', pg.url], { home: first })).code).toBe(0);
    homes.push(first);
    for (let i = 1; i < 3; i++) {
      const h = tempHome();
      cpSync(first, h, { recursive: true });
      homes.push(h);
    }
    for (const home of homes) {
      const child = spawn(process.execPath, [BIN, 'daemon', 'run', '--port', '0', '--redis', `${REDIS}?prefix=${prefix}`], {
        env: { ...process.env, FOUNDRY_HOME: home, FOUNDRY_RATE_LIMIT: 'off' }, stdio: 'ignore',
      });
      children.push(child);
      await eventually(() => existsSync(join(home, 'daemon.json')), 20_000, 'a daemon to start');
      urls.push((JSON.parse(readFileSync(join(home, 'daemon.json'), 'utf8')) as { url: string }).url);
    }
  }, 120_000);

  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    await dropPg?.();
    const redis = new Redis(REDIS!);
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
    for (const h of homes) rmSync(dirname(h), { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  });

  it('finishes the action exactly once on another daemon', async () => {
    const marker = join(dir, 'marker');
    const file = join(dir, 'playbook.json');
    writeFileSync(file, JSON.stringify({
      name: 'gated-restart',
      cooldown: 0,
      steps: [
        { id: 'ok', type: 'approve', timeout: '15m' },
        { id: 'restart', type: 'exec', argv: [process.execPath, '-e', 'require("fs").appendFileSync(process.env.M, "ran on " + process.ppid + "\\n")'], env: { M: marker } },
      ],
    }));
    const on = (i: number, args: string[], env: NodeJS.ProcessEnv = {}) => runCli(args, { home: homes[i], env: { FOUNDRY_URL: urls[i], ...env } });
    expect((await on(0, ['healing', 'playbooks', 'add', '--file', file])).code).toBe(0);
    const manager = JSON.parse((await on(0, ['users', 'add', 'mia', '--role', 'manager', '--json'])).stdout) as { token: string };
    const run = await on(0, ['healing', 'playbooks', 'run', 'gated-restart', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const action = JSON.parse(run.stdout) as { id: string; status: string };
    await eventually(async () => {
      const shown = JSON.parse((await on(1, ['healing', 'actions', 'show', action.id, '--json'])).stdout) as { status: string };
      return shown.status === 'awaiting_approval';
    }, 20_000, 'the action to wait for approval');

    children[0]!.kill('SIGKILL');
    await new Promise((r) => children[0]!.once('exit', r));

    const approve = await on(1, ['healing', 'actions', 'approve', action.id, '--yes'], { FOUNDRY_TOKEN: manager.token });
    expect(approve.code, approve.stderr).toBe(0);
    const done = await eventually(async () => {
      const shown = JSON.parse((await on(2, ['healing', 'actions', 'show', action.id, '--json'])).stdout) as { status: string };
      return ['succeeded', 'failed', 'rolled_back'].includes(shown.status) ? shown : undefined;
    }, 60_000, 'the action to finish');
    expect(done.status).toBe('succeeded');
    await new Promise((r) => setTimeout(r, 2000));
    const lines = readFileSync(marker, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain(String(children[0]!.pid));
    const audit = await on(2, ['audit', 'verify']);
    expect(audit.code, audit.stdout + audit.stderr).toBe(0);
  }, 180_000);
});
