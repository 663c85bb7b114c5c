// The real binary in a real terminal (tmux): paint, live updates, keys, quitting. Reads the screen
// with capture-pane, as a person would see it.
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, it, expect } from 'vitest';
import { BIN, eventually, runCli, spawnDaemon, startDaemon, tempHome, type TestDaemon } from './helpers.js';
import { daemonConfig } from '../server/config.js';
import { createDaemon, type Daemon } from '../server/daemon.js';
import { silentLogger } from '../server/log.js';

const hasTmux = spawnSync('tmux', ['-V']).status === 0;

class Tmux {
  readonly socket = `foundry-tui-${randomBytes(4).toString('hex')}`;
  constructor(readonly session = 'tui') {}
  private run(...args: string[]): string {
    return execFileSync('tmux', ['-L', this.socket, ...args], { encoding: 'utf8' });
  }
  start(command: string[], env: Record<string, string>, columns: number, rows: number): void {
    // CI=true makes Ink print only static output; the dashboard must run as on a person's terminal.
    const envArgs = ['env', '-u', 'CI', ...Object.entries(env).map(([k, v]) => `${k}=${v}`)];
    this.run('new-session', '-d', '-s', this.session, '-x', String(columns), '-y', String(rows), ...envArgs, ...command, ';', 'set-option', 'remain-on-exit', 'on');
  }
  keys(...keys: string[]): void {
    for (const k of keys) this.run('send-keys', '-t', this.session, k);
  }
  literal(text: string): void {
    this.run('send-keys', '-t', this.session, '-l', text);
  }
  screen(): string {
    return this.run('capture-pane', '-p', '-t', this.session);
  }
  /** Whether the program in the pane has exited (remain-on-exit keeps the pane). */
  exited(): boolean {
    return this.run('display-message', '-p', '-t', this.session, '#{pane_dead}').trim() === '1';
  }
  async waitFor(text: string | RegExp, timeoutMs = 20_000): Promise<string> {
    let last = '';
    try {
      return await eventually(() => {
        last = this.screen();
        return (typeof text === 'string' ? last.includes(text) : text.test(last)) ? last : null;
      }, timeoutMs, `screen showing ${text}`);
    } catch (err) {
      throw new Error(`${(err as Error).message}\n--- last screen ---\n${last}`);
    }
  }
  kill(): void {
    try {
      this.run('kill-server');
    } catch {
      // already gone
    }
  }
}

describe.skipIf(!hasTmux)('foundry-op tui in a terminal', () => {
  // The daemon runs as its own process: this test's tmux calls are synchronous and would stall one in here.
  let d: Awaited<ReturnType<typeof spawnDaemon>>;
  const tmux = new Tmux();

  beforeAll(async () => {
    d = await spawnDaemon({ demo: true });
    tmux.start([process.execPath, BIN, 'tui'], { FOUNDRY_HOME: d.home, FOUNDRY_URL: d.url, FOUNDRY_TOKEN: d.token, TERM: 'xterm-256color' }, 80, 24);
  });

  afterAll(async () => {
    tmux.kill();
    await d?.stop();
  });

  it('paints the header and the overview at 80x24', async () => {
    const screen = await tmux.waitFor('● live');
    expect(screen).toMatch(/foundry-op │ .+ │ http:\/\/127\.0\.0\.1:\d+ │ admin \(admin\)/);
    expect(screen).toContain('Incoming and unassigned tasks');
    for (const line of screen.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
  });

  it('shows a task created elsewhere within moments, over the event stream', async () => {
    tmux.keys(':');
    tmux.literal('tasks');
    tmux.keys('Enter');
    await tmux.waitFor('Recent routing decisions');
    const res = await d.api('/v1/tasks', { method: 'POST', json: { title: 'Kafka consumer lag e2e', priority: 'P1' } });
    expect(res.status).toBe(201);
    await tmux.waitFor('Kafka consumer lag e2e');
    await d.api('/v1/tasks', { method: 'POST', json: { title: 'Redis eviction storm e2e', priority: 'P3' } });
    await tmux.waitFor('Redis eviction storm e2e');
    tmux.keys('7');
    await tmux.waitFor(/task\.created\s+\S+\s+Kafka consumer lag e2e/);
  });

  it('filters, shows help and goes back with Esc', async () => {
    tmux.keys('/');
    tmux.literal('kafka');
    tmux.keys('Enter');
    const filtered = await tmux.waitFor('filter: kafka');
    expect(filtered).toMatch(/Live events \(live\) \(1\/\d+\)/);
    expect(filtered).not.toContain('Redis eviction storm e2e');
    tmux.keys('?');
    await tmux.waitFor('Keys — Esc or ? to close');
    tmux.keys('Escape');
    await tmux.waitFor('filter: kafka');
  });

  it('approves an action awaiting approval, after confirming, and shows the result', async () => {
    // Someone else starts the action: the person who started one may not approve it.
    const manager = await d.tokenFor('manager');
    const source = 'name: e2e-restart\ntrigger: {source: manual}\nsteps:\n  - {id: ok, type: approve, timeout: 15m}\n  - {id: pause, type: wait, duration: 1s}\n';
    const pb = await d.api('/v1/healing/playbooks', { method: 'POST', json: { source } });
    expect(pb.status).toBe(201);
    const { id: playbookId } = (await pb.json()) as { id: string };
    const run = await d.api(`/v1/healing/playbooks/${playbookId}/run`, { method: 'POST', json: {}, token: manager });
    expect(run.status).toBe(201);
    const { id: actionId } = (await run.json()) as { id: string };

    tmux.keys(':');
    tmux.literal('healing');
    tmux.keys('Enter');
    await tmux.waitFor(new RegExp(`${actionId.slice(0, 12)}\\S*\\s+e2e-restart\\s+awaiting_approval`));
    tmux.keys('a');
    await tmux.waitFor(`Approve action ${actionId}? [y/N]`);
    let action = (await (await d.api(`/v1/healing/actions/${actionId}`)).json()) as { status: string };
    expect(action.status).toBe('awaiting_approval');
    tmux.keys('y');
    await tmux.waitFor(new RegExp(`approved ${actionId}: now \\w+`));
    action = (await (await d.api(`/v1/healing/actions/${actionId}`)).json()) as { status: string };
    expect(action.status).not.toBe('awaiting_approval');
  });

  it('quits on q and gives the terminal back', async () => {
    tmux.keys('q');
    await eventually(() => tmux.exited(), 5000, 'the dashboard to exit');
    expect(tmux.screen()).not.toContain('● live');
  });
});

describe.skipIf(!hasTmux)('foundry-op tui when the daemon restarts', () => {
  let d: TestDaemon;
  let second: Daemon | null = null;
  const tmux = new Tmux();

  afterAll(async () => {
    tmux.kill();
    await second?.close();
    await d?.stop().catch(() => undefined);
  });

  it('shows reconnecting while the daemon is away and follows events again once it is back', async () => {
    d = await startDaemon({ demo: true });
    const port = Number(new URL(d.url).port);
    tmux.start([process.execPath, BIN, 'tui', '--view', 'events'], { FOUNDRY_HOME: d.home, FOUNDRY_URL: d.url, FOUNDRY_TOKEN: d.token }, 100, 24);
    await tmux.waitFor('● live');
    await d.daemon.close();
    await tmux.waitFor('● reconnecting');

    second = await createDaemon({ ...daemonConfig({ home: d.home, port, db: d.init.db }, {}), logFile: null }, { log: silentLogger() });
    await second.listen();
    await tmux.waitFor('● live', 20_000);
    const res = await fetch(`${d.url}/v1/tasks`, {
      method: 'POST', headers: { authorization: `Bearer ${d.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'Created after the restart', priority: 'P3' }),
    });
    expect(res.status).toBe(201);
    await tmux.waitFor(/task\.created\s+\S+\s+Created after the restart/);
  });
});

describe.skipIf(!hasTmux)('foundry-op tui without a daemon', () => {
  const tmux = new Tmux();
  afterAll(() => tmux.kill());

  it('says so and exits 6 before taking over the screen', async () => {
    const home = tempHome();
    // The shell stays alive after the command: a dead pane's notice would scroll the first line away.
    tmux.start(['sh', '-c', `${process.execPath} ${BIN} tui; echo "exit=$?"; sleep 60`], { FOUNDRY_HOME: home, FOUNDRY_URL: 'http://127.0.0.1:9' }, 100, 10);
    const screen = await tmux.waitFor('exit=');
    expect(screen).toContain('error: no daemon answers at http://127.0.0.1:9 (start it with: foundry-op daemon start)');
    expect(screen).toContain('exit=6');
  });
});

describe('foundry-op tui without a terminal', () => {
  it('refuses with exit 2 and a hint instead of drawing into a pipe', async () => {
    const r = await runCli(['tui'], { home: tempHome() });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^error: the dashboard needs an interactive terminal \(.*events tail --json.*\)\n$/);
  });
});
