import { spawn } from 'node:child_process';
import { rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, eventually, freePort, runCli, tempHome } from './helpers.js';

describe('the foundry-op binary', () => {
  const home = tempHome();
  let port: number;
  const cli = (args: string[], env: NodeJS.ProcessEnv = {}) => runCli(args, { home, env });

  beforeAll(async () => {
    port = await freePort();
    const init = await cli(['init', '--demo', '--json']);
    expect(init.code).toBe(0);
    const start = await cli(['daemon', 'start', '--port', String(port)]);
    expect(start.code).toBe(0);
    expect(start.stdout.trim()).toBe(`http://127.0.0.1:${port}`);
  });
  afterAll(async () => {
    await cli(['daemon', 'stop']);
    rmSync(join(home, '..'), { recursive: true, force: true });
  });

  it('prints its version', async () => {
    const r = await runCli(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('keeps the admin token private and refuses a second init', async () => {
    expect(statSync(join(home, 'admin.token')).mode & 0o777).toBe(0o600);
    expect(statSync(join(home, 'jwt.key')).mode & 0o777).toBe(0o600);
    const again = await cli(['init']);
    expect(again.code).toBe(7);
    expect(again.stderr).toMatch(/^error: .*already initialised \(/);
  });

  it('shows status with the feature flags', async () => {
    const r = await cli(['daemon', 'status', '--json']);
    expect(r.code).toBe(0);
    const status = JSON.parse(r.stdout);
    expect(status).toMatchObject({ running: true, store: 'sqlite', flags: { ENABLE_AUTO_HEALING: true } });
    const text = await cli(['daemon', 'status']);
    expect(text.stdout).toMatch(/ENABLE_AI_ROUTING:\s+on/);
  });

  it('creates, lists, shows, acknowledges, reassigns and resolves a task', async () => {
    const created = await cli(['tasks', 'create', '--title', 'Replica lag on db-2', '--priority', 'p2', '--tag', 'host=db-2', '--team', 'dba', '--json']);
    expect(created.code).toBe(0);
    const task = JSON.parse(created.stdout);
    expect(task).toMatchObject({ title: 'Replica lag on db-2', priority: 'P2', tags: { host: 'db-2' } });
    const list = await cli(['tasks', 'list', '--team', 'dba', '--status', 'open']);
    expect(list.stdout.split('\n')[0]).toMatch(new RegExp(`^${task.id}\\tP2\\topen\\tdba`));
    expect(list.stdout).not.toMatch(/\u001b\[/);
    expect((await cli(['tasks', 'ack', task.id])).stdout).toMatch(/acknowledged/);
    const moved = JSON.parse((await cli(['tasks', 'reassign', task.id, '--to', 'nina', '--json'])).stdout);
    expect(moved.assigneeId).toMatch(/^mem_/);
    expect((await cli(['tasks', 'resolve', task.id])).code).toBe(0);
    const shown = JSON.parse((await cli(['tasks', 'show', task.id, '--json'])).stdout);
    expect(shown).toMatchObject({ status: 'resolved', assignee: 'nina', team: 'dba' });
  });

  it('lists teams and members as one JSON document', async () => {
    const teams = JSON.parse((await cli(['teams', 'list', '--json'])).stdout);
    expect(teams).toHaveLength(6);
    const members = JSON.parse((await cli(['members', 'list', '--team', 'dba', '--json'])).stdout);
    expect(members.length).toBeGreaterThan(3);
    const updated = await cli(['members', 'update', 'nina', '--capacity', '4', '--skill', 'postgres=5', '--json']);
    expect(JSON.parse(updated.stdout)).toMatchObject({ capacity: 4, skills: { postgres: 5 } });
  });

  it('adds a user whose token works once printed, and stops working when revoked', async () => {
    const r = await cli(['users', 'add', 'otto', '--role', 'operator', '--json']);
    const user = JSON.parse(r.stdout);
    expect(Object.keys(user)).toEqual(expect.arrayContaining(['id', 'name', 'role', 'token']));
    const asOtto = await cli(['tasks', 'list', '--limit', '1'], { FOUNDRY_TOKEN: user.token });
    expect(asOtto.code).toBe(0);
    const forbidden = await cli(['users', 'list'], { FOUNDRY_TOKEN: user.token });
    expect(forbidden.code).toBe(4);
    expect((await cli(['tokens', 'revoke', user.tokenId])).code).toBe(0);
    const refused = await cli(['tasks', 'list'], { FOUNDRY_TOKEN: user.token });
    expect(refused.code).toBe(4);
    expect(refused.stderr).toMatch(/^error: token revoked/);
  });

  it('uses the exit codes of the contract', async () => {
    expect((await cli(['tasks', 'list', '--bogus'])).code).toBe(2);
    expect((await cli(['tasks', 'create', '--title', 'x', '--priority', 'P9'])).code).toBe(2);
    const missing = await cli(['tasks', 'show', 'tsk_missing']);
    expect(missing.code).toBe(5);
    expect(missing.stderr).toMatch(/^error: task tsk_missing not found/);
    expect((await cli(['tasks', 'ack', 'tsk_missing'])).code).toBe(5);
    const nobody = await runCli(['tasks', 'list'], { home, env: { FOUNDRY_URL: 'http://127.0.0.1:1' } });
    expect(nobody.code).toBe(6);
    expect(nobody.stderr).toMatch(/start it with: foundry-op daemon start/);
    expect((await cli(['tasks', 'list'], { FOUNDRY_TOKEN: 'garbage' })).code).toBe(4);
  });

  it('verifies the audit trail, and exits 3 once an entry is edited in the database', async () => {
    const ok = await cli(['audit', 'verify']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/audit chain ok/);
    const db = new Database(join(home, 'foundry.db'));
    const row = db.prepare('SELECT id, summary FROM audit_log ORDER BY id LIMIT 1 OFFSET 1').get() as { id: number; summary: string };
    db.prepare('UPDATE audit_log SET summary = ? WHERE id = ?').run('quietly edited', row.id);
    const broken = await cli(['audit', 'verify', '--json']);
    expect(broken.code).toBe(3);
    expect(JSON.parse(broken.stdout)).toMatchObject({ ok: false, firstBad: { entry: { id: row.id }, reason: 'hash_mismatch' } });
    db.prepare('UPDATE audit_log SET summary = ? WHERE id = ?').run(row.summary, row.id);
    db.close();
    expect((await cli(['audit', 'verify'])).code).toBe(0);
  });

  it('tails events as NDJSON, and resumes across a daemon restart without gaps or duplicates', async () => {
    const tail = spawn(process.execPath, [BIN, 'events', 'tail', '--json', '--type', 'task.created'], {
      env: { ...process.env, FOUNDRY_HOME: home, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    tail.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const lines = () => out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { id: number; data: { title: string } });
    try {
      await new Promise((r) => setTimeout(r, 500));
      for (const t of ['one', 'two']) await cli(['tasks', 'create', '--title', `tail ${t}`]);
      await eventually(() => lines().length >= 2, 10_000, 'two events');
      expect((await cli(['daemon', 'stop'])).code).toBe(0);
      expect((await cli(['daemon', 'start', '--port', String(port)])).code).toBe(0);
      // Created while the tail is still reconnecting: it must replay these.
      for (const t of ['three', 'four']) await cli(['tasks', 'create', '--title', `tail ${t}`]);
      await eventually(() => lines().length >= 4, 15_000, 'the events from the downtime');
      await cli(['tasks', 'create', '--title', 'tail five']);
      await eventually(() => lines().length >= 5, 10_000, 'the next live event');
      const got = lines();
      expect(got.map((e) => e.data.title)).toEqual(['tail one', 'tail two', 'tail three', 'tail four', 'tail five']);
      expect(new Set(got.map((e) => e.id)).size).toBe(5);
    } finally {
      tail.kill('SIGINT');
    }
  });
});

describe('the binary without a state folder', () => {
  it('says how to start when no daemon answers', async () => {
    const home = tempHome();
    const r = await runCli(['tasks', 'list'], { home, env: { FOUNDRY_URL: 'http://127.0.0.1:9' } });
    expect(r.code).toBe(6);
    expect(r.stderr.trim()).toBe('error: no daemon answers at http://127.0.0.1:9 (start it with: foundry-op daemon start)');
  });

  it('fails a daemon start on an uninitialised home with a hint (exit 2)', async () => {
    const r = await runCli(['daemon', 'start', '--port', '0'], { home: tempHome() });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not initialised \(run: foundry-op init/);
  });
});
