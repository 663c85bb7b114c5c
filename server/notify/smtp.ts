import type { Transporter } from 'nodemailer';
import type { NotifyResult } from '../../core/notify/ports.js';

export interface SmtpConfig {
  /** `smtp://user:pass@host:587` or `smtps://…:465`; query options such as `?ignoreTLS=true` are honoured. */
  url: string;
  from: string;
}

/** E-mail over SMTP with nodemailer; one pooled transport per daemon. */
export class SmtpSender {
  // nodemailer is loaded with the first mail: a daemon that sends none does not carry it.
  private transport: Promise<Transporter> | null = null;

  constructor(private readonly config: SmtpConfig) {}

  private transporter(): Promise<Transporter> {
    // nodemailer waits up to 10 minutes on a silent socket by default; a playbook step must not.
    // Values given in the URL's query win over these.
    this.transport ??= import('nodemailer').then((m) =>
      m.default.createTransport({ url: this.config.url, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 }));
    return this.transport;
  }

  async send(to: string[], subject: string, text: string): Promise<NotifyResult> {
    if (to.length === 0) return { ok: false, detail: 'no e-mail recipients (set to: in the step or FOUNDRY_SETTING_MAIL_TO)' };
    try {
      const info = await (await this.transporter()).sendMail({ from: this.config.from, to, subject, text });
      const accepted = Array.isArray(info.accepted) ? info.accepted.length : 0;
      if (accepted === 0) return { ok: false, detail: `mail refused by every recipient: ${String(info.response)}` };
      return { ok: true, detail: `mail ${String(info.messageId)} accepted for ${accepted} recipient(s)` };
    } catch (e) {
      return { ok: false, detail: `smtp: ${(e as Error).message}` };
    }
  }

  close(): void {
    void this.transport?.then((t) => t.close(), () => undefined);
  }
}
