import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initHome } from '../server/init.js';
import { runCli, tempHome } from './helpers.js';

const hasOpenssl = spawnSync('openssl', ['version'], { stdio: 'ignore' }).status === 0;

function tlsHandshake(port: number, opts: { ca: string; maxVersion?: 'TLSv1.2' | 'TLSv1.3' }): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port, ca: opts.ca, maxVersion: opts.maxVersion, servername: 'localhost' }, () => {
      const v = s.getProtocol() ?? '';
      s.end();
      resolve(v);
    });
    s.on('error', reject);
  });
}

describe.skipIf(!hasOpenssl)('HTTPS: daemon start --tls-cert --tls-key, CLI --ca', () => {
  const dir = mkdtempSync(join(tmpdir(), 'foundry-tls-'));
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  const home = tempHome('foundry-tls-home-');
  let url = '';

  beforeAll(async () => {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert,
      '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ], { stdio: 'ignore' });
    await initHome({ home, demo: true });
    const started = await runCli(['daemon', 'start', '--port', '0', '--tls-cert', cert, '--tls-key', key, '--json'], { home, env: { FOUNDRY_RATE_LIMIT: 'off' } });
    expect(started.code, started.stderr).toBe(0);
    url = (JSON.parse(started.stdout) as { url: string }).url;
  }, 60_000);
  afterAll(async () => {
    await runCli(['daemon', 'stop'], { home });
    rmSync(dir, { recursive: true, force: true });
    rmSync(join(home, '..'), { recursive: true, force: true });
  });

  it('serves HTTPS and the CLI talks to it when given the CA', async () => {
    expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const r = await runCli(['--ca', cert, 'tasks', 'list', '--json'], { home });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(Array.isArray(JSON.parse(r.stdout))).toBe(true);
    const viaEnv = await runCli(['daemon', 'status', '--json'], { home, env: { FOUNDRY_CA: cert } });
    expect(viaEnv.code, viaEnv.stderr).toBe(0);
  });

  it('streams events over HTTPS with the CA (events tail)', async () => {
    const r = await runCli(['--ca', cert, 'events', 'tail', '--since', '0', '--json'], { home, timeoutMs: 6000 });
    const first = r.stdout.split('\n').find(Boolean);
    expect(first, r.stderr).toBeDefined();
    expect(JSON.parse(first!)).toMatchObject({ id: expect.any(Number), type: expect.any(String) });
  });

  it('refuses to trust it without the CA, and says what to pass', async () => {
    const r = await runCli(['tasks', 'list'], { home });
    expect(r.code).toBe(6);
    expect(r.stderr).toMatch(/certificate .*not trusted.*--ca/);
  });

  it('speaks TLS 1.3 and refuses TLS 1.2', async () => {
    const port = Number(new URL(url).port);
    const pem = readFileSync(cert, 'utf8');
    expect(await tlsHandshake(port, { ca: pem })).toBe('TLSv1.3');
    await expect(tlsHandshake(port, { ca: pem, maxVersion: 'TLSv1.2' })).rejects.toThrow(/protocol version|alert|wrong version/i);
  });

  it('refuses a certificate without its key, and files it cannot read, before starting', async () => {
    const h2 = tempHome('foundry-tls-bad-');
    await initHome({ home: h2 });
    try {
      const half = await runCli(['daemon', 'start', '--port', '0', '--tls-cert', cert], { home: h2 });
      expect(half.code).toBe(2);
      expect(half.stderr).toMatch(/--tls-cert and --tls-key go together/);
      const missing = await runCli(['daemon', 'start', '--port', '0', '--tls-cert', cert, '--tls-key', join(dir, 'nope.pem')], { home: h2 });
      expect(missing.code).toBe(2);
      expect(missing.stderr).toMatch(/--tls-key: cannot read .*nope\.pem/);
    } finally {
      rmSync(join(h2, '..'), { recursive: true, force: true });
    }
  });
});
