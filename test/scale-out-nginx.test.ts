import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { daemonConfig } from '../server/config.js';
import { createDaemon, type Daemon } from '../server/daemon.js';
import { initHome } from '../server/init.js';
import { silentLogger } from '../server/log.js';
import { eventually, freePort, freshPgUrl, ROOT, tempHome } from './helpers.js';

const PG = process.env.FOUNDRY_TEST_PG;
const REDIS = process.env.FOUNDRY_TEST_REDIS;
const NGINX = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => spawnSync(p, ['-v']).status === 0);

/** The example configuration of docs/deploy/nginx.conf, run for real in front of two daemons. */
describe.skipIf(!PG || !REDIS || !NGINX)('two daemons behind nginx (docs/deploy/nginx.conf)', () => {
  const daemons: Daemon[] = [];
  let nginx: ChildProcess;
  let prefixDir = '';
  let lb = '';
  let token = '';
  let home = '';
  let dropPg: () => Promise<void>;
  const keyPrefix = `n${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    const pg = await freshPgUrl();
    dropPg = pg.drop;
    home = tempHome();
    token = (await initHome({ home, db: pg.url, demo: true })).token;
    const ports: number[] = [];
    for (let i = 0; i < 2; i++) {
      const config = { ...daemonConfig({ home, port: 0, db: pg.url, redis: `${REDIS}?prefix=${keyPrefix}` }, {}), logFile: null, drainMs: 1000 };
      const d = await createDaemon(config, { log: silentLogger() });
      ports.push(Number(new URL(await d.listen()).port));
      daemons.push(d);
    }
    prefixDir = mkdtempSync(join(tmpdir(), 'foundry-nginx-'));
    for (const sub of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(prefixDir, sub));
    const port = await freePort();
    const conf = readFileSync(join(ROOT, 'docs', 'deploy', 'nginx.conf'), 'utf8')
      .replaceAll('@PREFIX@', prefixDir)
      .replaceAll('@PORT@', String(port))
      .replace('@UPSTREAMS@', ports.map((p) => `    server 127.0.0.1:${p};`).join('\n'));
    const file = join(prefixDir, 'nginx.conf');
    writeFileSync(file, conf);
    const check = spawnSync(NGINX!, ['-t', '-p', prefixDir, '-c', file, '-g', 'daemon off;'], { encoding: 'utf8' });
    if (check.status !== 0) throw new Error(`nginx -t: ${check.stderr}`);
    nginx = spawn(NGINX!, ['-p', prefixDir, '-c', file, '-g', 'daemon off;'], { stdio: 'ignore' });
    lb = `http://127.0.0.1:${port}`;
    await eventually(async () => (await fetch(`${lb}/healthz`)).ok, 10_000, 'nginx to answer');
  }, 120_000);

  afterAll(async () => {
    nginx?.kill('SIGTERM');
    for (const d of daemons) await d.close();
    await dropPg?.();
    const redis = new Redis(REDIS!);
    const keys = await redis.keys(`${keyPrefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
    rmSync(prefixDir, { recursive: true, force: true });
    rmSync(dirname(home), { recursive: true, force: true });
  });

  it('serves requests through either daemon and streams events unbuffered', async () => {
    const auth = { authorization: `Bearer ${token}` };
    const abort = new AbortController();
    const res = await fetch(`${lb}/v1/events?types=task.created`, { headers: auth, signal: abort.signal });
    expect(res.headers.get('content-type')).toMatch(/event-stream/);
    const reader = res.body!.getReader();
    let text = '';
    void (async () => {
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return;
          text += new TextDecoder().decode(value);
        }
      } catch {
        // aborted
      }
    })();
    for (let i = 0; i < 10; i++) {
      const r = await fetch(`${lb}/v1/tasks`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ title: `via nginx ${i}` }) });
      expect(r.status).toBe(201);
    }
    await eventually(() => (text.match(/event: task.created/g) ?? []).length >= 10, 15_000, 'ten events through nginx');
    abort.abort();
  });
});
