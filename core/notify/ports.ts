/**
 * One notifier for every engine (healing steps, compliance escalations): Slack incoming webhooks, e-mail
 * over SMTP, or an event on the bus. The adapters live in server/notify.
 */

export const NOTIFY_CHANNELS = ['slack', 'email', 'event'] as const;
export type NotifyChannel = (typeof NOTIFY_CHANNELS)[number];

export interface Notification {
  channel: NotifyChannel;
  text: string;
  /** E-mail subject (also the first line of a Slack message when given). */
  subject?: string;
  /** E-mail recipients; the configured default list when absent. */
  to?: string[];
  /** Slack incoming-webhook URL; the configured one when absent. */
  webhook?: string;
  /** Which engine sends it and about what, for the event channel and logs: `healing`, `act_…`. */
  source: string;
  subjectId?: string | null;
}

export interface NotifyResult {
  ok: boolean;
  /** What happened, for step output and logs: `slack 200`, `mail <id> accepted by 1 recipient`. */
  detail: string;
}

export interface Notifier {
  send(orgId: string, notification: Notification): Promise<NotifyResult>;
}

/** The event type the `event` channel publishes. */
export const NOTIFICATION_EVENT = 'notification.sent';
