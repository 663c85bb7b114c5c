import { request } from '../outbound/undici.js';
import type { NotifyResult } from '../../core/notify/ports.js';

/** Posts to a Slack incoming webhook: JSON `{text}` (with the subject in bold on the first line). */
export async function sendSlack(webhook: string, text: string, subject?: string, timeoutMs = 10_000): Promise<NotifyResult> {
  const body = JSON.stringify({ text: subject ? `*${subject}*\n${text}` : text });
  try {
    const res = await request(webhook, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    const reply = (await res.body.text()).slice(0, 500);
    if (res.statusCode >= 200 && res.statusCode < 300) return { ok: true, detail: `slack ${res.statusCode}` };
    return { ok: false, detail: `slack answered ${res.statusCode}: ${reply}` };
  } catch (e) {
    return { ok: false, detail: `slack unreachable: ${(e as Error).message}` };
  }
}
