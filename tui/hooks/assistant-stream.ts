// Streams one assistant answer (POST /v1/assistant/ask with Accept: text/event-stream), so the chat
// pane shows the answer as it is written. Frames: session, text, tool, done, error.
import { AppError, errorKindForStatus } from '../../core/errors.js';

export interface StreamedAnswer {
  readonly sessionId: string;
  readonly answer: string;
}

/** Splits an SSE byte stream into frames; returns the frames complete so far and the rest. */
export function parseFrames(buffer: string): { frames: { event: string; data: string }[]; rest: string } {
  const frames: { event: string; data: string }[] = [];
  const parts = buffer.split(/\r?\n\r?\n/);
  const rest = parts.pop() ?? '';
  for (const part of parts) {
    let event = 'message';
    const data: string[] = [];
    for (const line of part.split(/\r?\n/)) {
      if (line.startsWith('event:')) event = line.slice(6).trim();
      else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
    }
    if (data.length > 0) frames.push({ event, data: data.join('\n') });
  }
  return { frames, rest };
}

export async function askStreaming(
  baseUrl: string,
  token: string | null,
  question: string,
  sessionId: string | null,
  onText: (text: string) => void,
): Promise<StreamedAnswer> {
  let res: Response;
  try {
    res = await fetch(`${baseUrl}/v1/assistant/ask`, {
      method: 'POST',
      headers: {
        accept: 'text/event-stream',
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify({ question, mode: 'ask', ...(sessionId ? { sessionId } : {}) }),
    });
  } catch {
    throw new AppError('unavailable', `no daemon answers at ${baseUrl}`);
  }
  if (!res.ok || !String(res.headers.get('content-type')).includes('text/event-stream')) {
    const body = (await res.json().catch(() => ({}))) as { error?: { message?: string }; answer?: string; sessionId?: string };
    if (res.ok && typeof body.answer === 'string') return { sessionId: body.sessionId ?? sessionId ?? '', answer: body.answer };
    throw new AppError(errorKindForStatus(res.status), body.error?.message ?? `the assistant answered ${res.status}`);
  }
  let session = sessionId ?? '';
  let text = '';
  let final: string | null = null;
  let buffer = '';
  const decoder = new TextDecoder();
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    const { frames, rest } = parseFrames(buffer);
    buffer = rest;
    for (const f of frames) {
      const data = JSON.parse(f.data) as Record<string, unknown>;
      if (f.event === 'session' && typeof data.sessionId === 'string') session = data.sessionId;
      else if (f.event === 'text' && typeof data.text === 'string') {
        text += data.text;
        onText(data.text);
      } else if (f.event === 'done' && typeof data.answer === 'string') final = data.answer;
      else if (f.event === 'error') {
        const e = (data.error ?? data) as { message?: string };
        throw new AppError('unavailable', e.message ?? 'the assistant failed');
      }
    }
  }
  return { sessionId: session, answer: final ?? text };
}
