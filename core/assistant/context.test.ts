import { describe, expect, it } from 'vitest';
import { buildContext, systemPrompt, type Turn } from './context.js';

const session = (n: number, size = 400): Turn[] =>
  Array.from({ length: n }, (_, i): Turn[] => [
    { role: 'user', text: `Question ${i}? ${'x'.repeat(size)}` },
    { role: 'assistant', text: `Answer ${i}. ${'y'.repeat(size)}` },
  ]).flat();

describe('the context sent to the model', () => {
  it('sends a short session verbatim, then the new question', () => {
    const c = buildContext(session(2, 10), 'now?');
    expect(c.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant', 'user']);
    expect(c.messages.at(-1)).toEqual({ role: 'user', content: 'now?' });
    expect(c.summary).toBeNull();
  });

  it('keeps a long session within budget: newest verbatim, older summarised, oldest dropped', () => {
    const c = buildContext(session(200), 'latest?', { budgetTokens: 1000, summaryTokens: 100 });
    const chars = c.messages.reduce((s, m) => s + String(m.content).length, 0);
    expect(chars / 4).toBeLessThanOrEqual(1000);
    expect(String(c.messages[0]!.content)).toMatch(/^Question 19\d\?/);
    expect(c.summary).toMatch(/asked "Question \d+\?" → Answer \d+\./);
    expect(c.dropped).toBeGreaterThan(150);
    expect(c.messages[0]!.role).toBe('user');
  });

  it('skips a question that never got an answer, so roles keep alternating', () => {
    const turns: Turn[] = [{ role: 'user', text: 'cut off' }, { role: 'user', text: 'a' }, { role: 'assistant', text: 'b' }];
    expect(buildContext(turns, 'c').messages.map((m) => m.content)).toEqual(['a', 'b', 'c']);
  });

  it('puts the summary and the rules of the role in the system prompt', () => {
    const p = systemPrompt({ now: 0, userName: 'ana', role: 'viewer', toolNames: ['workload'], summary: '- asked "x" → y', changes: 'refuse' });
    expect(p).toContain('role viewer');
    expect(p).toContain('--yes');
    expect(p).toContain('Earlier in this session (summarised):\n- asked "x" → y');
  });
});
