import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { systemClock } from '../core/ports.js';
import { InProcessBus } from '../server/bus/memory.js';
import { initHome, type InitResult } from '../server/init.js';
import { sign } from '../server/routing/webhooks.js';
import { Keyring, isSealed, keyFile } from '../server/secrets/keyring.js';
import { SecretVault } from '../server/secrets/vault.js';
import { openStore } from '../server/store/index.js';
import { spawnDaemon, stopDaemon, type SpawnedDaemon } from './hardening-daemon.js';
import { eventually, runCli, tempHome, type CliResult } from './helpers.js';

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

describe('the keyring', () => {
  const home = tempHome('foundry-keys-');
  afterAll(() => rmSync(join(home, '..'), { recursive: true, force: true }));

  it('seals with AES-256-GCM: random per value, bound to its context, tamper-evident', () => {
    const ring = Keyring.open(home);
    expect(statSync(keyFile(home)).mode & 0o777).toBe(0o600);
    const a = ring.seal('s3cret', 'org/slack');
    expect(a).not.toBe(ring.seal('s3cret', 'org/slack'));
    expect(isSealed(a) && !a.includes('s3cret')).toBe(true);
    expect(ring.open(a, 'org/slack')).toBe('s3cret');
    expect(() => ring.open(a, 'org/other')).toThrow(/integrity/);
    const parts = a.split(':');
    parts[5] = Buffer.from('x').toString('base64url') + parts[5]!.slice(2);
    expect(() => ring.open(parts.join(':'), 'org/slack')).toThrow(/integrity/);
  });

  it('rotates in two steps: old values open until re-sealed, then the old key is gone', () => {
    const ring = Keyring.open(home);
    const before = ring.seal('v', 'c');
    const oldId = ring.currentKeyId;
    const newId = ring.addKey();
    expect(newId).not.toBe(oldId);
    expect(ring.open(before, 'c')).toBe('v');
    expect(Keyring.keyOf(ring.seal('v', 'c'))).toBe(newId);
    expect(ring.retireOldKeys()).toContain(oldId);
    expect(() => ring.open(before, 'c')).toThrow(/no longer holds/);
    // A second process sharing the state folder sees the rotation.
    expect(Keyring.open(home).currentKeyId).toBe(newId);
  });
});

describe('key rotation interrupted by a crash', () => {
  const home = tempHome('foundry-rotate-');
  afterAll(() => rmSync(join(home, '..'), { recursive: true, force: true }));

  it('leaves every secret readable, and the next rotation finishes the job', async () => {
    const init = await initHome({ home });
    const store = await openStore(init.db, { migrate: false });
    try {
      const vault = (ring: Keyring) => new SecretVault(store.db, ring, new InProcessBus(store.events), systemClock);
      const actor = { orgId: init.orgId, name: 'admin', userId: null, role: 'admin' as const };
      const before = Keyring.open(home);
      const firstKey = before.currentKeyId;
      await vault(before).set(actor, 'slack_webhook', 'https://hooks.slack.com/services/A/B/C');
      await vault(before).set(actor, 'smtp_url', 'smtp://u:p@mail:587');
      // The crash: a new key was written, nothing re-sealed, old keys not retired.
      before.addKey();
      const after = Keyring.open(home);
      expect(after.keyIds).toHaveLength(2);
      expect(await vault(after).get(init.orgId, 'slack_webhook')).toBe('https://hooks.slack.com/services/A/B/C');
      const r = await vault(after).rotate(actor);
      expect(r).toMatchObject({ resealed: 2, retired: expect.arrayContaining([firstKey]) });
      expect(Keyring.open(home).keyIds).toEqual([r.keyId]);
      expect((await vault(Keyring.open(home)).list(init.orgId)).map((s) => s.keyId)).toEqual([r.keyId, r.keyId]);
      expect(await vault(Keyring.open(home)).get(init.orgId, 'smtp_url')).toBe('smtp://u:p@mail:587');
    } finally {
      await store.close();
    }
  });
});

describe('secrets at rest, end to end', () => {
  const home = tempHome('foundry-secrets-');
  // A local Slack: the path of an incoming-webhook URL is its secret.
  const slackPath = `/services/T0000/B0000/${randomBytes(12).toString('hex')}`;
  const slackMessages: { path: string; body: string }[] = [];
  const slackServer = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      slackMessages.push({ path: req.url ?? '', body });
      res.writeHead(200).end('ok');
    });
  });
  let slack = '';
  const smtpPassword = `pw-${randomBytes(10).toString('hex')}`;
  const smtp = `smtp://ops:${smtpPassword}@mail.example.com:587`;
  const apiKey = `sk-ant-${randomBytes(16).toString('hex')}`;
  // Routing webhook HMAC secrets: one stored in plain text by an older version, one configured over the API.
  const legacyHookSecret = `legacy-${randomBytes(12).toString('hex')}`;
  const hookSecret = `hook-${randomBytes(12).toString('hex')}`;
  const outputs: CliResult[] = [];
  let init: InitResult;
  let daemon: SpawnedDaemon | null = null;
  afterAll(async () => {
    slackServer.close();
    if (daemon) await stopDaemon(daemon, 'SIGKILL');
    rmSync(join(home, '..'), { recursive: true, force: true });
  });
  const cli = async (args: string[], opts: { input?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> => {
    const r = await runCli(args, { home, input: opts.input, env: { FOUNDRY_URL: daemon!.url, ...opts.env } });
    outputs.push(r);
    return r;
  };

  it('stores integration secrets encrypted and shows them nowhere: db, logs, audit, events, --json output', async () => {
    await new Promise<void>((r) => slackServer.listen(0, '127.0.0.1', () => r()));
    slack = `http://127.0.0.1:${(slackServer.address() as AddressInfo).port}${slackPath}`;
    init = await initHome({ home, demo: true });
    const old = await openStore(init.db, { migrate: false });
    try {
      await old.routing.upsertWebhook({ orgId: init.orgId, source: 'legacy', kind: 'generic', secret: legacyHookSecret, mapping: { title: 'title' }, enabled: true, createdAt: 1, updatedAt: 1 });
    } finally {
      await old.close();
    }
    daemon = await spawnDaemon(home);
    const api = async (path: string, init2: { method?: string; json?: unknown; headers?: Record<string, string>; raw?: string; token?: string | null } = {}) => {
      const headers: Record<string, string> = { ...init2.headers };
      if (init2.token !== null) headers.authorization = `Bearer ${init2.token ?? init.token}`;
      if (init2.json !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(`${daemon!.url}${path}`, { method: init2.method ?? 'GET', headers, body: init2.raw ?? (init2.json === undefined ? undefined : JSON.stringify(init2.json)) });
      const text = await res.text();
      outputs.push({ code: res.status, stdout: text, stderr: '' });
      return { status: res.status, text };
    };

    // The plain-text row was sealed when the daemon started, and still verifies signatures.
    const payload = JSON.stringify({ title: 'disk full on db-7' });
    const legacy = await api('/v1/integrations/webhook/legacy', { method: 'POST', raw: payload, headers: { 'content-type': 'application/json', 'x-foundry-signature': sign(legacyHookSecret, payload) }, token: null });
    expect(legacy.status, legacy.text).toBe(201);
    // A new source: the answer, the list and the audit entry name it, never its secret.
    const put = await api('/v1/integrations/webhooks/gh', { method: 'PUT', json: { kind: 'github', secret: hookSecret } });
    expect(put.status, put.text).toBe(200);
    expect(JSON.parse(put.text)).toMatchObject({ source: 'gh', kind: 'github', path: '/v1/integrations/webhook/gh' });
    expect((await api('/v1/integrations/webhooks')).status).toBe(200);
    const ping = JSON.stringify({ zen: 'Keep it logically awesome.' });
    const signed = { 'content-type': 'application/json', 'x-github-event': 'ping', 'x-hub-signature-256': sign(hookSecret, ping) };
    expect((await api('/v1/integrations/webhook/gh', { method: 'POST', raw: ping, headers: signed, token: null })).status).toBe(202);
    expect((await api('/v1/integrations/webhook/gh', { method: 'POST', raw: ping, headers: { ...signed, 'x-hub-signature-256': sign('wrong-secret', ping) }, token: null })).status).toBe(401);

    const set = await cli(['secrets', 'set', 'slack_webhook', '--json'], { input: `${slack}\n` });
    expect(set.code, set.stderr).toBe(0);
    expect(JSON.parse(set.stdout)).toMatchObject({ name: 'slack_webhook', keyId: expect.any(String) });
    expect((await cli(['secrets', 'set', 'smtp_url', '--from-env', 'SMTP_URL'], { env: { SMTP_URL: smtp } })).code).toBe(0);
    expect((await cli(['secrets', 'set', 'anthropic_api_key'], { input: apiKey })).code).toBe(0);

    // The daemon has no FOUNDRY_SETTING_SLACK_WEBHOOK: a playbook's Slack step finds the stored secret.
    const playbook = join(home, '..', 'tell-slack.yaml');
    writeFileSync(playbook, 'name: tell-slack\ncooldown: 0\nsteps:\n  - {id: tell, type: notify, channel: slack, text: "disk cleanup done"}\n');
    expect((await cli(['healing', 'playbooks', 'add', '--file', playbook])).code).toBe(0);
    const run = await cli(['healing', 'playbooks', 'run', 'tell-slack', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const actionId = (JSON.parse(run.stdout) as { id: string }).id;
    await eventually(async () => {
      const shown = await cli(['healing', 'actions', 'show', actionId, '--json']);
      return (JSON.parse(shown.stdout) as { status: string }).status === 'succeeded';
    }, 20_000, 'the notify action to succeed');
    // (The demo's compliance sweep may post its high violations to the same webhook meanwhile.)
    expect(slackMessages.filter((m) => m.body.includes('disk cleanup done'))).toEqual([{ path: slackPath, body: JSON.stringify({ text: 'disk cleanup done' }) }]);

    const list = await cli(['secrets', 'list', '--json']);
    expect(JSON.parse(list.stdout).map((s: { name: string }) => s.name)).toEqual(['anthropic_api_key', 'slack_webhook', 'smtp_url']);
    const rotated = await cli(['secrets', 'rotate-key', '--json']);
    expect(rotated.code, rotated.stderr).toBe(0);
    // Three integration secrets and two webhook secrets.
    expect(JSON.parse(rotated.stdout)).toMatchObject({ resealed: 5, retired: [expect.any(String)] });
    // Signatures still verify under the new key.
    expect((await api('/v1/integrations/webhook/gh', { method: 'POST', raw: ping, headers: signed, token: null })).status).toBe(202);
    for (const args of [['audit', 'list', '--json'], ['audit', 'verify', '--json'], ['secrets', 'list'], ['daemon', 'status', '--json']]) {
      const r = await cli(args);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
    }
    const events = await fetch(`${daemon.url}/v1/events/recent?limit=1000`, { headers: { authorization: `Bearer ${init.token}` } });
    const eventText = await events.text();
    expect(eventText).toContain('secret.updated');
    // Without a valid admin token nothing is listed.
    expect((await cli(['secrets', 'list'], { env: { FOUNDRY_TOKEN: 'x' } })).code).toBe(4);

    await stopDaemon(daemon);
    const daemonOutput = daemon.stderr();
    daemon = null;

    // The secrets are there, and only the key file opens them.
    const store = await openStore(init.db, { migrate: false });
    try {
      const vault = new SecretVault(store.db, Keyring.open(home), new InProcessBus(store.events), systemClock);
      expect(await vault.get(init.orgId, 'slack_webhook')).toBe(slack);
      expect(await vault.get(init.orgId, 'smtp_url')).toBe(smtp);
      expect(await vault.get(init.orgId, 'anthropic_api_key')).toBe(apiKey);
      const ring = Keyring.open(home);
      for (const [source, secret] of [['legacy', legacyHookSecret], ['gh', hookSecret]] as const) {
        const stored = (await store.routing.getWebhook(source))!.secret;
        expect(isSealed(stored) && Keyring.keyOf(stored)).toBe(JSON.parse(rotated.stdout).keyId);
        expect(ring.open(stored, `routing_webhooks/${source}`)).toBe(secret);
      }
    } finally {
      await store.close();
    }

    const planted = [slack.split('/').pop()!, smtpPassword, apiKey, legacyHookSecret, hookSecret];
    const written = filesUnder(home).filter((f) => !f.endsWith('secrets.key'));
    expect(written.some((f) => f.endsWith('foundry.db'))).toBe(true);
    expect(written.some((f) => f.endsWith('daemon.log'))).toBe(true);
    const leaks: string[] = [];
    for (const f of written) {
      const bytes = readFileSync(f);
      for (const p of planted) if (bytes.includes(p)) leaks.push(`${f} holds ${p.slice(0, 8)}…`);
    }
    const texts = [...outputs.map((o) => `${o.stdout}\n${o.stderr}`), eventText, daemonOutput];
    for (const t of texts) for (const p of planted) if (t.includes(p)) leaks.push(`output holds ${p.slice(0, 8)}…: ${t.slice(0, 200)}`);
    expect(leaks).toEqual([]);

    // The log is JSON lines (Loki-ready), each request with its request id and trace id.
    const lines = readFileSync(join(home, 'logs', 'daemon.log'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
    const requests = lines.filter((l) => l.msg === 'request');
    expect(requests.length).toBeGreaterThan(5);
    for (const r of requests) expect(r).toMatchObject({ time: expect.any(String), level: 'info', requestId: expect.any(String), traceId: expect.stringMatching(/^[0-9a-f]{32}$/) });
  }, 120_000);

  it('keeps API tokens only as their id: no token text in the database or logs', () => {
    const signature = init.token.split('.')[2]!;
    expect(signature.length).toBeGreaterThan(20);
    const holders = filesUnder(home).filter((f) => !f.endsWith('admin.token') && readFileSync(f).includes(signature));
    expect(holders).toEqual([]);
  });
});
