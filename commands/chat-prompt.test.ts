import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { chatInput } from './chat-prompt.js';

/** A fake terminal: keys go in, frames come out; `shows` waits for a frame with the text. */
function terminal() {
  const input = Object.assign(new PassThrough(), { isTTY: true, setRawMode: () => {} });
  const output = new PassThrough();
  let screen = '';
  output.on('data', (b: Buffer) => (screen += b.toString()));
  return {
    input,
    output,
    type: (s: string) => input.write(s),
    async shows(text: string, deadlineMs = 5000): Promise<void> {
      const until = Date.now() + deadlineMs;
      while (!screen.includes(text)) {
        if (Date.now() > until) throw new Error(`the prompt never showed "${text}"; it showed ${JSON.stringify(screen.slice(-200))}`);
        await new Promise((r) => setImmediate(r));
      }
      screen = '';
    },
  };
}

const UP = '\u001b[A';
const DOWN = '\u001b[B';

describe('the chat input line', () => {
  it('returns what was typed', async () => {
    const t = terminal();
    const answer = chatInput({ message: 'you>', history: [] }, { input: t.input, output: t.output });
    await t.shows('you>');
    t.type('who is overloaded?\r');
    expect(await answer).toBe('who is overloaded?');
  });

  it('recalls earlier questions with up and down', async () => {
    const t = terminal();
    const answer = chatInput({ message: 'you>', history: ['first question', 'second question'] }, { input: t.input, output: t.output });
    await t.shows('you>');
    t.type(UP);
    await t.shows('second question');
    t.type(UP);
    await t.shows('first question');
    t.type(DOWN);
    await t.shows('second question');
    t.type('\r');
    expect(await answer).toBe('second question');
  });
});
