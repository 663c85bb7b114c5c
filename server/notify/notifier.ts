import { NOTIFICATION_EVENT, type Notification, type Notifier, type NotifyResult } from '../../core/notify/ports.js';
import { systemActor } from '../../core/model.js';
import type { Commit } from '../../core/ports.js';
import { sendSlack } from './slack.js';
import { SmtpSender } from './smtp.js';

/** The integration secrets (`foundry-op secrets set NAME`) the notifier reads, per organisation. */
export const SLACK_WEBHOOK_SECRET = 'slack_webhook';
export const SMTP_URL_SECRET = 'smtp_url';

/** What the notifier needs of the secrets vault (server/secrets/vault.ts). */
export interface SecretSource {
  get(orgId: string, name: string): Promise<string | null>;
}

/** Where notifications go when a step or rule does not say. From FOUNDRY_SETTING_* (see notifierSettings). */
export interface NotifierSettings {
  slackWebhook: string | null;
  smtpUrl: string | null;
  mailFrom: string;
  mailTo: string[];
}

/** Reads `slack_webhook`, `smtp_url`, `mail_from`, `mail_to` (comma-separated) from the daemon's settings. */
export function notifierSettings(settings: Record<string, string>): NotifierSettings {
  return {
    slackWebhook: settings['slack_webhook'] || null,
    smtpUrl: settings['smtp_url'] || null,
    mailFrom: settings['mail_from'] || 'foundry-op <foundry-op@localhost>',
    mailTo: (settings['mail_to'] ?? '').split(',').map((s) => s.trim()).filter(Boolean),
  };
}

const MAX_SMTP_TRANSPORTS = 16;

/**
 * The one notifier: Slack webhook, SMTP, or an event on the bus. The Slack webhook and SMTP URL of an
 * organisation come from its encrypted integration secrets (`slack_webhook`, `smtp_url`) when it has
 * them, else from the daemon's settings (FOUNDRY_SETTING_SLACK_WEBHOOK, FOUNDRY_SETTING_SMTP_URL).
 */
export class ChannelNotifier implements Notifier {
  /** One pooled transport per SMTP URL in use (organisations may each have their own server). */
  private readonly smtp = new Map<string, SmtpSender>();

  constructor(private readonly settings: NotifierSettings, private readonly commit: Commit, private readonly secrets?: SecretSource) {}

  /** The organisation's stored secret, else the daemon-wide setting. */
  private async configured(orgId: string, name: string, fallback: string | null): Promise<string | null> {
    return (await this.secrets?.get(orgId, name)) || fallback;
  }

  private smtpFor(url: string): SmtpSender {
    let sender = this.smtp.get(url);
    if (!sender) {
      if (this.smtp.size >= MAX_SMTP_TRANSPORTS) {
        const [oldest, old] = this.smtp.entries().next().value as [string, SmtpSender];
        old.close();
        this.smtp.delete(oldest);
      }
      sender = new SmtpSender({ url, from: this.settings.mailFrom });
      this.smtp.set(url, sender);
    }
    return sender;
  }

  async send(orgId: string, n: Notification): Promise<NotifyResult> {
    switch (n.channel) {
      case 'slack': {
        const webhook = n.webhook ?? (await this.configured(orgId, SLACK_WEBHOOK_SECRET, this.settings.slackWebhook));
        if (!webhook) return { ok: false, detail: `no Slack webhook (set webhook: in the step, store one with foundry-op secrets set ${SLACK_WEBHOOK_SECRET}, or set FOUNDRY_SETTING_SLACK_WEBHOOK)` };
        return sendSlack(webhook, n.text, n.subject);
      }
      case 'email': {
        const url = await this.configured(orgId, SMTP_URL_SECRET, this.settings.smtpUrl);
        if (!url) return { ok: false, detail: `no SMTP server (store one with foundry-op secrets set ${SMTP_URL_SECRET}, or set FOUNDRY_SETTING_SMTP_URL)` };
        return this.smtpFor(url).send(n.to ?? this.settings.mailTo, n.subject ?? firstLine(n.text), n.text);
      }
      case 'event': {
        await this.commit(systemActor(orgId, n.source), async () => ({
          value: undefined,
          events: [{ type: NOTIFICATION_EVENT, subject: n.subjectId ?? null, data: { source: n.source, subject: n.subject ?? null, text: n.text } }],
        }));
        return { ok: true, detail: 'event published' };
      }
    }
  }

  close(): void {
    for (const sender of this.smtp.values()) sender.close();
    this.smtp.clear();
  }
}

function firstLine(text: string): string {
  const line = text.split('\n')[0] ?? '';
  return line.length > 120 ? `${line.slice(0, 117)}...` : line || 'foundry-op notification';
}
