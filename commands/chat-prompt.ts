import { createPrompt, isEnterKey, useKeypress, usePrefix, useState } from '@inquirer/core';

/**
 * The chat input line: an inquirer prompt with history recall (↑/↓ walk through earlier
 * questions of this REPL, newest first). Ctrl-C ends it with inquirer's ExitPromptError.
 */
export const chatInput = createPrompt<string, { message: string; history: string[] }>((config, done) => {
  const [value, setValue] = useState('');
  const [pos, setPos] = useState(config.history.length);
  const [status, setStatus] = useState<'idle' | 'done'>('idle');
  const prefix = usePrefix({ status });

  useKeypress((key, rl) => {
    if (status !== 'idle') return;
    if (isEnterKey(key)) {
      setStatus('done');
      done(value);
      return;
    }
    if (key.name === 'up' || key.name === 'down') {
      const h = config.history;
      const next = key.name === 'up' ? Math.max(0, pos - 1) : Math.min(h.length, pos + 1);
      const text = h[next] ?? '';
      rl.clearLine(0);
      rl.write(text);
      setPos(next);
      setValue(text);
      return;
    }
    setValue(rl.line);
  });

  return `${prefix} ${config.message} ${value}`;
});
