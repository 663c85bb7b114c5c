import { NOTIFICATION_EVENT, type Notification, type Notifier, type NotifyResult } from '../../core/notify/ports.js';
import { systemActor } from '../../core/model.js';
import type { Commit } from '../../core/ports.js';
import { sendSlack } from './slack.js';
import { SmtpSender } from './smtp.js';

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

/** The one notifier: Slack webhook, SMTP, or an event on the bus. */
export class ChannelNotifier implements Notifier {
  private smtp: SmtpSender | null = null;

  constructor(private readonly settings: NotifierSettings, private readonly commit: Commit) {}

  async send(orgId: string, n: Notification): Promise<NotifyResult> {
    switch (n.channel) {
      case 'slack': {
        const webhook = n.webhook ?? this.settings.slackWebhook;
        if (!webhook) return { ok: false, detail: 'no Slack webhook (set webhook: in the step or FOUNDRY_SETTING_SLACK_WEBHOOK)' };
        return sendSlack(webhook, n.text, n.subject);
      }
      case 'email': {
        if (!this.settings.smtpUrl) return { ok: false, detail: 'no SMTP server (set FOUNDRY_SETTING_SMTP_URL)' };
        this.smtp ??= new SmtpSender({ url: this.settings.smtpUrl, from: this.settings.mailFrom });
        return this.smtp.send(n.to ?? this.settings.mailTo, n.subject ?? firstLine(n.text), n.text);
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
    this.smtp?.close();
  }
}

function firstLine(text: string): string {
  const line = text.split('\n')[0] ?? '';
  return line.length > 120 ? `${line.slice(0, 117)}...` : line || 'foundry-op notification';
}
