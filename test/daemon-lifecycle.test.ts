import { spawn } from 'node:child_process';
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { daemonConfig } from '../server/config.js';
import { createDaemon } from '../server/daemon.js';
import { route } from '../server/http/route.js';
import { initHome } from '../server/init.js';
import { silentLogger } from '../server/log.js';
import { adminModule } from '../server/modules/admin.js';
import { coreModule } from '../server/modules/core.js';
import { BIN, eventually, runCli, tempHome } from './helpers.js';

describe('daemon lifecycle', () => {
  it('drains in-flight requests on close, refusing new ones', async () => {
    const home = tempHome();
    await initHome({ home });
    let release!: () => void;
    const slow = {
      name: 'slow',
      routes: () => [route({ method: 'GET', path: '/v1/slow', perm: ['events', 'read'], handler: async () => {
        await new Promise<void>((r) => (release = r));
        return { body: { done: true } };
      } })],
    };
    const config = { ...daemonConfig({ home, port: 0 }, {}), logFile: null, drainMs: 5000 };
    const daemon = await createDaemon(config, { log: silentLogger(), modules: [adminModule({ jwtKey: new Uint8Array(32), version: 't', startedAt: 0 }), coreModule, slow] });
    const url = await daemon.listen();
    const { token } = await import('node:fs').then((fs) => ({ token: fs.readFileSync(join(home, 'admin.token'), 'utf8').trim() }));
    const inflight = fetch(`${url}/v1/slow`, { headers: { authorization: `Bearer ${token}` } });
    await eventually(() => release !== undefined, 5000, 'the slow request to arrive');
    const closing = daemon.close();
    await new Promise((r) => setTimeout(r, 100));
    release();
    const res = await inflight;
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ done: true });
    await closing;
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
    rmSync(dirname(home), { recursive: true, force: true });
  });

  it('stops on SIGTERM with exit 0, removes its pid file and leaves no WAL behind', async () => {
    const home = tempHome();
    expect((await runCli(['init', '--demo'], { home })).code).toBe(0);
    const child = spawn(process.execPath, [BIN, 'daemon', 'run', '--port', '0'], { env: { ...process.env, FOUNDRY_HOME: home }, stdio: 'ignore' });
    await eventually(() => existsSync(join(home, 'daemon.json')), 15_000, 'daemon.json');
    expect((await runCli(['tasks', 'create', '--title', 'before shutdown'], { home })).code).toBe(0);
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(existsSync(join(home, 'daemon.json'))).toBe(false);
    const wal = join(home, 'foundry.db-wal');
    expect(!existsSync(wal) || statSync(wal).size === 0).toBe(true);
    rmSync(dirname(home), { recursive: true, force: true });
  });
});

describe('init', () => {
  it('leaves nothing half made when it fails', async () => {
    const home = tempHome();
    const parent = dirname(home);
    await expect(initHome({ home, db: 'postgres://nobody@127.0.0.1:1/none' })).rejects.toThrow();
    expect(existsSync(home)).toBe(false);
    expect(readdirSync(parent)).toEqual([]);
    rmSync(parent, { recursive: true, force: true });
  });

  it('refuses a folder that holds something else', async () => {
    const home = tempHome();
    await import('node:fs').then((fs) => { fs.mkdirSync(home, { recursive: true }); fs.writeFileSync(join(home, 'notes.txt'), 'mine'); });
    await expect(initHome({ home })).rejects.toThrow(/not empty/);
    rmSync(dirname(home), { recursive: true, force: true });
  });
});
