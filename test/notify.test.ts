import { afterEach, describe, it, expect } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { ChannelNotifier, notifierSettings } from '../server/notify/notifier.js';
import type { Commit } from '../core/ports.js';

/** Slack and e-mail notifications, each against a real local peer on port 0. */

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

const noCommit: Commit = async () => {
  throw new Error('not used');
};

async function slackReceiver(status = 200): Promise<{ url: string; received: Array<{ contentType: string | undefined; body: unknown }> }> {
  const received: Array<{ contentType: string | undefined; body: unknown }> = [];
  const server: Server = createServer((req, res) => {
    let data = '';
    req.on('data', (c) => (data += c));
    req.on('end', () => {
      received.push({ contentType: req.headers['content-type'], body: JSON.parse(data) });
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ok' : 'invalid_payload');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => new Promise((r) => server.close(() => r())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/services/T000/B000/XXX`, received };
}

async function smtpReceiver(): Promise<{ url: string; mails: Array<{ from: string; to: string[]; raw: string }> }> {
  const mails: Array<{ from: string; to: string[]; raw: string }> = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, session, callback) {
      let raw = '';
      stream.on('data', (c: Buffer) => (raw += c.toString()));
      stream.on('end', () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw,
        });
        callback();
      });
    },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.server.address() as AddressInfo).port;
  closers.push(() => new Promise((r) => server.close(() => r())));
  return { url: `smtp://127.0.0.1:${port}?ignoreTLS=true`, mails };
}

describe('Slack notifications', () => {
  it('post incoming-webhook JSON with the text', async () => {
    const slack = await slackReceiver();
    const n = new ChannelNotifier(notifierSettings({ slack_webhook: slack.url }), noCommit);
    const r = await n.send('org_1', { channel: 'slack', subject: 'api restarted', text: 'restart of api did not help', source: 'healing' });
    expect(r).toEqual({ ok: true, detail: 'slack 200' });
    expect(slack.received).toEqual([{ contentType: 'application/json', body: { text: '*api restarted*\nrestart of api did not help' } }]);
  });

  it('report a webhook that refuses the message', async () => {
    const slack = await slackReceiver(400);
    const n = new ChannelNotifier(notifierSettings({}), noCommit);
    const r = await n.send('org_1', { channel: 'slack', webhook: slack.url, text: 'x', source: 'healing' });
    expect(r.ok).toBe(false);
    expect(r.detail).toContain('400');
  });

  it('say what is missing when no webhook is configured', async () => {
    const n = new ChannelNotifier(notifierSettings({}), noCommit);
    expect(await n.send('org_1', { channel: 'slack', text: 'x', source: 'healing' })).toMatchObject({ ok: false, detail: expect.stringContaining('FOUNDRY_SETTING_SLACK_WEBHOOK') });
  });
});

describe('e-mail notifications', () => {
  it('reach an SMTP server with sender, recipients, subject and text', async () => {
    const smtp = await smtpReceiver();
    const n = new ChannelNotifier(notifierSettings({ smtp_url: smtp.url, mail_from: 'ops@example.com', mail_to: 'oncall@example.com, lead@example.com' }), noCommit);
    const r = await n.send('org_1', { channel: 'email', subject: 'P1: api down', text: 'restart of api did not help', source: 'healing' });
    n.close();
    expect(r.ok).toBe(true);
    expect(smtp.mails).toHaveLength(1);
    expect(smtp.mails[0]).toMatchObject({ from: 'ops@example.com', to: ['oncall@example.com', 'lead@example.com'] });
    expect(smtp.mails[0]!.raw).toContain('Subject: P1: api down');
    expect(smtp.mails[0]!.raw).toContain('restart of api did not help');
  });

  it('send to the recipients a step names instead of the default list', async () => {
    const smtp = await smtpReceiver();
    const n = new ChannelNotifier(notifierSettings({ smtp_url: smtp.url, mail_to: 'oncall@example.com' }), noCommit);
    await n.send('org_1', { channel: 'email', to: ['dba@example.com'], text: 'db slow', source: 'healing' });
    n.close();
    expect(smtp.mails[0]!.to).toEqual(['dba@example.com']);
  });

  it('report an SMTP server that cannot be reached', async () => {
    const n = new ChannelNotifier(notifierSettings({ smtp_url: 'smtp://127.0.0.1:1?ignoreTLS=true', mail_to: 'a@example.com' }), noCommit);
    const r = await n.send('org_1', { channel: 'email', text: 'x', source: 'healing' });
    n.close();
    expect(r.ok).toBe(false);
    expect(r.detail).toMatch(/smtp/);
  });
});

describe('Slack and SMTP from an organisation\'s encrypted integration secrets', () => {
  /** The vault's read side, as the notifier sees it: what `foundry-op secrets set NAME` stored, per organisation. */
  const vault = (stored: Record<string, Record<string, string>>) => ({ get: async (orgId: string, name: string) => stored[orgId]?.[name] ?? null });

  it('use the organisation\'s stored webhook and SMTP URL before the daemon-wide settings', async () => {
    const [own, shared] = [await slackReceiver(), await slackReceiver()];
    const smtp = await smtpReceiver();
    const n = new ChannelNotifier(notifierSettings({ slack_webhook: shared.url, mail_to: 'oncall@example.com' }), noCommit,
      vault({ org_a: { slack_webhook: own.url, smtp_url: smtp.url } }));
    expect(await n.send('org_a', { channel: 'slack', text: 'from the vault', source: 'healing' })).toEqual({ ok: true, detail: 'slack 200' });
    expect(await n.send('org_b', { channel: 'slack', text: 'from the settings', source: 'healing' })).toEqual({ ok: true, detail: 'slack 200' });
    expect(own.received.map((r) => r.body)).toEqual([{ text: 'from the vault' }]);
    expect(shared.received.map((r) => r.body)).toEqual([{ text: 'from the settings' }]);
    expect((await n.send('org_a', { channel: 'email', subject: 's', text: 'mail via the stored SMTP URL', source: 'healing' })).ok).toBe(true);
    n.close();
    expect(smtp.mails[0]!.raw).toContain('mail via the stored SMTP URL');
    // An organisation with neither is told both ways to configure one.
    expect(await n.send('org_b', { channel: 'email', text: 'x', source: 'healing' })).toMatchObject({
      ok: false, detail: expect.stringMatching(/^no SMTP server \(store one with foundry-op secrets set smtp_url, or set FOUNDRY_SETTING_SMTP_URL\)$/),
    });
  });

  it('pick up a secret stored (or replaced) after the daemon started', async () => {
    const [first, second] = [await slackReceiver(), await slackReceiver()];
    const stored: Record<string, Record<string, string>> = {};
    const n = new ChannelNotifier(notifierSettings({}), noCommit, vault(stored));
    expect((await n.send('org_a', { channel: 'slack', text: 'x', source: 'healing' })).detail).toMatch(/^no Slack webhook .*foundry-op secrets set slack_webhook/);
    stored.org_a = { slack_webhook: first.url };
    await n.send('org_a', { channel: 'slack', text: 'one', source: 'healing' });
    stored.org_a = { slack_webhook: second.url };
    await n.send('org_a', { channel: 'slack', text: 'two', source: 'healing' });
    expect([first.received.length, second.received.length]).toEqual([1, 1]);
  });
});
