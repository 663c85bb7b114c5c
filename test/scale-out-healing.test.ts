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
    for (let i = 0; i < homes.length; i++) await startAt(i);
  }, 120_000);

  /** (Re)starts daemon i in its state folder and waits until it listens. */
  async function startAt(i: number): Promise<void> {
    const home = homes[i]!;
    const child = spawn(process.execPath, [BIN, 'daemon', 'run', '--port', '0', '--redis', `${REDIS}?prefix=${prefix}`], {
      env: { ...process.env, FOUNDRY_HOME: home, FOUNDRY_RATE_LIMIT: 'off' }, stdio: 'ignore',
    });
    children[i] = child;
    const info = await eventually(() => {
      if (!existsSync(join(home, 'daemon.json'))) return undefined;
      const d = JSON.parse(readFileSync(join(home, 'daemon.json'), 'utf8')) as { url: string; pid: number };
      return d.pid === child.pid ? d : undefined;
    }, 20_000, 'a daemon to start');
    urls[i] = info.url;
  }

  async function kill(i: number): Promise<void> {
    const child = children[i]!;
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
  }

  const on = (i: number, args: string[], env: NodeJS.ProcessEnv = {}) => runCli(args, { home: homes[i], env: { FOUNDRY_URL: urls[i], ...env } });

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
    expect((await on(0, ['healing', 'playbooks', 'add', '--file', file])).code).toBe(0);
    const manager = JSON.parse((await on(0, ['users', 'add', 'mia', '--role', 'manager', '--json'])).stdout) as { token: string };
    const run = await on(0, ['healing', 'playbooks', 'run', 'gated-restart', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const action = JSON.parse(run.stdout) as { id: string; status: string };
    await eventually(async () => {
      const shown = JSON.parse((await on(1, ['healing', 'actions', 'show', action.id, '--json'])).stdout) as { status: string };
      return shown.status === 'awaiting_approval';
    }, 20_000, 'the action to wait for approval');

    const killedPid = children[0]!.pid;
    await kill(0);

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
    expect(lines[0]).not.toContain(String(killedPid));
    const audit = await on(2, ['audit', 'verify']);
    expect(audit.code, audit.stdout + audit.stderr).toBe(0);
  }, 180_000);

  it('runs playbook steps from the shared Redis queue, and says so', async () => {
    const i = children.findIndex((c) => c.exitCode === null && c.signalCode === null);
    const status = JSON.parse((await on(i, ['daemon', 'status', '--json'])).stdout) as { redis: boolean; jobs: string };
    expect(status).toMatchObject({ redis: true, jobs: 'redis (bullmq)' });
    const token = readFileSync(join(homes[i]!, 'admin.token'), 'utf8').trim();
    const ready = await fetch(`${urls[i]}/readyz`, { headers: { authorization: `Bearer ${token}` } });
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', checks: { store: 'ok', redis: 'ok', jobs: 'ok' } });
  });

  /**
   * kill -9 the daemon whose worker is inside an exec step. The step prints its daemon's pid, then (on its
   * first run only) waits until that daemon is gone. Another daemon takes the job over once its lock runs
   * out, and the step's idempotency declaration decides: repeated when idempotent, the action failed
   * as interrupted when not.
   */
  for (const idempotent of [true, false]) {
    it(`takes over an action whose daemon died inside ${idempotent ? 'an idempotent' : 'a non-idempotent'} step`, async () => {
      const marker = join(dir, `marker-${idempotent}`);
      const file = join(dir, `playbook-${idempotent}.json`);
      const script = `
        const fs = require("fs");
        fs.appendFileSync(process.env.M, process.ppid + "\\n");
        if (fs.readFileSync(process.env.M, "utf8").trim().split("\\n").length > 1) process.exit(0);
        const parent = process.ppid;
        setInterval(() => { if (process.ppid !== parent) process.exit(1); }, 100);`;
      const name = `slow-step-${idempotent}`;
      writeFileSync(file, JSON.stringify({
        name, cooldown: 0,
        steps: [{ id: 'slow', type: 'exec', argv: [process.execPath, '-e', script], env: { M: marker }, timeout: '2m', idempotent }],
      }));
      const live = () => children.map((c, n) => (c.exitCode === null && c.signalCode === null ? n : -1)).filter((n) => n >= 0);
      const first = live()[0]!;
      expect((await on(first, ['healing', 'playbooks', 'add', '--file', file])).code).toBe(0);
      const run = await on(first, ['healing', 'playbooks', 'run', name, '--json']);
      expect(run.code, run.stderr).toBe(0);
      const action = JSON.parse(run.stdout) as { id: string };
      const pid = Number(await eventually(() => (existsSync(marker) ? readFileSync(marker, 'utf8').trim() : ''), 20_000, 'the step to start'));
      const victim = children.findIndex((c) => c.pid === pid);
      expect(victim).toBeGreaterThanOrEqual(0);
      await kill(victim);
      const witness = live()[0]!;
      const done = await eventually(async () => {
        const shown = JSON.parse((await on(witness, ['healing', 'actions', 'show', action.id, '--json'])).stdout) as {
          status: string; error: string | null; steps?: Array<{ stepId: string; status: string; attempt: number; error: string | null }>;
        };
        return ['succeeded', 'failed', 'rolled_back'].includes(shown.status) ? shown : undefined;
      }, 60_000, 'the action to finish');
      const lines = readFileSync(marker, 'utf8').trim().split('\n');
      if (idempotent) {
        expect(done.status).toBe('succeeded');
        expect(lines).toHaveLength(2);
        expect(lines[1]).not.toBe(String(pid));
        expect(done.steps?.find((st) => st.stepId === 'slow')).toMatchObject({ status: 'succeeded', attempt: 2 });
      } else {
        expect(done.status).toBe('failed');
        expect(lines).toEqual([String(pid)]);
        expect(done.steps?.find((st) => st.stepId === 'slow')?.error).toMatch(/^interrupted/);
      }
      // The dead daemon comes back, so the next case has two others to choose from.
      await startAt(victim);
    }, 120_000);
  }
});
