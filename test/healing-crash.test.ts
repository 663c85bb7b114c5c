import { afterEach, describe, it, expect } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually, runCli, tempHome } from './helpers.js';

/**
 * kill -9 the real daemon in the middle of a playbook step, start it again, and look at what happened:
 * the action resumes (the interrupted step is declared idempotent) or is marked failed (it is not),
 * and no step that finished before the crash ever runs a second time.
 */

interface Ctx { home: string; dir: string; pids: number[] }
const open: Ctx[] = [];

afterEach(async () => {
  for (const c of open.splice(0)) {
    await runCli(['daemon', 'stop'], { home: c.home });
    for (const pid of c.pids) {
      try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
    }
    rmSync(join(c.home, '..'), { recursive: true, force: true });
    rmSync(c.dir, { recursive: true, force: true });
  }
});

async function startDaemon(home: string): Promise<number> {
  const r = await runCli(['daemon', 'start', '--port', '0', '--json'], { home });
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { pid: number }).pid;
}

/** A playbook of three steps that write to a marker file; the middle one blocks while BLOCK exists. */
function playbook(dir: string, idempotent: boolean): string {
  const marker = join(dir, 'marker');
  const block = join(dir, 'block');
  const write = (word: string) => `require("fs").appendFileSync(process.env.M, "${word}\\n")`;
  const slow = `${write('slow-start')}; require("fs").appendFileSync(process.env.P, process.pid + "\\n"); if (require("fs").existsSync(process.env.B)) setTimeout(() => {}, 120000)`;
  const file = join(dir, 'playbook.json');
  writeFileSync(file, JSON.stringify({
    name: 'crash-test',
    cooldown: 0,
    steps: [
      { id: 'first', type: 'exec', argv: [process.execPath, '-e', write('first')], env: { M: marker } },
      { id: 'slow', type: 'exec', argv: [process.execPath, '-e', slow], env: { M: marker, B: block, P: join(dir, 'pids') }, timeout: '5m', idempotent },
      { id: 'last', type: 'exec', argv: [process.execPath, '-e', write('last')], env: { M: marker } },
    ],
  }));
  writeFileSync(block, '');
  return file;
}

async function crashMidStep(idempotent: boolean): Promise<{ c: Ctx; actionId: string; marker: string }> {
  const home = tempHome();
  const dir = mkdtempSync(join(tmpdir(), 'foundry-crash-'));
  const c: Ctx = { home, dir, pids: [] };
  open.push(c);
  expect((await runCli(['init'], { home })).code).toBe(0);
  const pid = await startDaemon(home);
  c.pids.push(pid);
  const file = playbook(dir, idempotent);
  expect((await runCli(['healing', 'playbooks', 'add', '--file', file], { home })).code).toBe(0);
  const run = await runCli(['healing', 'playbooks', 'run', 'crash-test', '--json'], { home });
  expect(run.code, run.stderr).toBe(0);
  const actionId = (JSON.parse(run.stdout) as { id: string }).id;
  const marker = join(dir, 'marker');
  await eventually(() => existsSync(marker) && readFileSync(marker, 'utf8').includes('slow-start'), 15_000, 'the slow step to start');
  process.kill(pid, 'SIGKILL');
  await eventually(() => { try { process.kill(pid, 0); return false; } catch { return true; } }, 5_000, 'the daemon to die');
  // The step's own process outlives the daemon (as a real `systemctl restart` would); let the rerun finish.
  for (const line of readFileSync(join(dir, 'pids'), 'utf8').trim().split('\n')) c.pids.push(Number(line));
  unlinkSync(join(dir, 'block'));
  c.pids.push(await startDaemon(home));
  return { c, actionId, marker };
}

async function finalAction(home: string, id: string): Promise<{ status: string; error: string | null; steps: Array<{ stepId: string; status: string; attempt: number; error: string | null }> }> {
  return eventually(async () => {
    const r = await runCli(['healing', 'actions', 'show', id, '--json'], { home });
    const a = JSON.parse(r.stdout) as { status: string; error: string | null; steps: Array<{ stepId: string; status: string; attempt: number; error: string | null }> };
    return ['succeeded', 'failed', 'rolled_back'].includes(a.status) ? a : undefined;
  }, 20_000, `action ${id} to finish`);
}

describe('a daemon killed with -9 in the middle of a playbook', () => {
  it('resumes the action after a restart when the interrupted step is idempotent, without repeating finished steps', async () => {
    const { c, actionId, marker } = await crashMidStep(true);
    const a = await finalAction(c.home, actionId);
    expect(a.status).toBe('succeeded');
    expect(readFileSync(marker, 'utf8').trim().split('\n')).toEqual(['first', 'slow-start', 'slow-start', 'last']);
    expect(a.steps.map((s) => [s.stepId, s.status, s.attempt])).toEqual([['first', 'succeeded', 1], ['slow', 'succeeded', 2], ['last', 'succeeded', 1]]);
  }, 90_000);

  it('marks the action failed instead of running a non-idempotent step twice', async () => {
    const { c, actionId, marker } = await crashMidStep(false);
    const a = await finalAction(c.home, actionId);
    expect(a.status).toBe('failed');
    expect(a.error).toMatch(/interrupted/);
    expect(readFileSync(marker, 'utf8').trim().split('\n')).toEqual(['first', 'slow-start']);
    expect(a.steps.map((s) => [s.stepId, s.status])).toEqual([['first', 'succeeded'], ['slow', 'failed']]);
  }, 90_000);
});

describe('a daemon stopped (SIGTERM) in the middle of a long step', () => {
  it('does not wait for the step to end, and finishes the action after the restart', async () => {
    const home = tempHome();
    const dir = mkdtempSync(join(tmpdir(), 'foundry-stop-'));
    const c: Ctx = { home, dir, pids: [] };
    open.push(c);
    expect((await runCli(['init'], { home })).code).toBe(0);
    c.pids.push(await startDaemon(home));
    const marker = join(dir, 'marker');
    const write = (word: string) => `require("fs").appendFileSync(process.env.M, "${word}\\n")`;
    const file = join(dir, 'playbook.json');
    writeFileSync(file, JSON.stringify({
      name: 'long-wait',
      steps: [
        { id: 'first', type: 'exec', argv: [process.execPath, '-e', write('first')], env: { M: marker } },
        { id: 'pause', type: 'wait', duration: '9s' },
        { id: 'last', type: 'exec', argv: [process.execPath, '-e', write('last')], env: { M: marker } },
      ],
    }));
    expect((await runCli(['healing', 'playbooks', 'add', '--file', file], { home })).code).toBe(0);
    const id = (JSON.parse((await runCli(['healing', 'playbooks', 'run', 'long-wait', '--json'], { home })).stdout) as { id: string }).id;
    await eventually(() => existsSync(marker), 15_000, 'the first step');
    expect((await runCli(['daemon', 'stop'], { home })).code).toBe(0);
    c.pids.push(await startDaemon(home));
    const a = await finalAction(home, id);
    expect(a.status).toBe('succeeded');
    expect(readFileSync(marker, 'utf8').trim().split('\n')).toEqual(['first', 'last']);
    // Attempt 2: the stop did not sit out the wait (it gives running steps 5 s), the restart ran it again.
    expect(a.steps.find((s) => s.stepId === 'pause')).toMatchObject({ status: 'succeeded', attempt: 2 });
  }, 90_000);
});
