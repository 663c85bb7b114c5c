import { AppError } from '../../core/errors.js';
import type { Notification, Notifier, NotifyResult } from '../../core/notify/ports.js';
import { NonRetryable, type Outbound } from './outbound.js';

/**
 * Any Notifier, sent through the outbound layer: Slack and e-mail get a timeout, retries and a circuit
 * breaker per channel, and a notification that still fails comes back `ok: false` after being recorded
 * (metrics, log, `outbound.failed` event), never lost silently and never hanging its caller.
 */
export class ResilientNotifier implements Notifier {
  constructor(private readonly inner: Notifier, private readonly outbound: Outbound, private readonly timeoutMs = 15_000) {}

  async send(orgId: string, n: Notification): Promise<NotifyResult> {
    if (n.channel === 'event') return this.inner.send(orgId, n);
    let unconfigured: NotifyResult | null = null;
    try {
      return await this.outbound.call(`notify.${n.channel}`, async () => {
        const r = await this.inner.send(orgId, n);
        if (r.ok) return r;
        // Missing configuration is not a failing target: report it, count nothing against the circuit.
        if (/^no /.test(r.detail)) {
          unconfigured = r;
          return r;
        }
        if (/answered 4\d\d|refused by every recipient/.test(r.detail)) throw new NonRetryable(r.detail);
        throw new Error(r.detail);
      }, { orgId, subject: n.subjectId ?? undefined, timeoutMs: this.timeoutMs });
    } catch (err) {
      if (unconfigured) return unconfigured;
      return { ok: false, detail: err instanceof AppError ? err.message : `${n.channel}: ${(err as Error).message}` };
    }
  }
}
