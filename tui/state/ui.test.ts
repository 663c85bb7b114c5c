import { describe, it, expect } from 'vitest';
import { currentView, initialUi, reduce, selectedKey, topScreen, type KeyPress, type Step, type UiState, type ViewContext } from './ui.js';

const ch = (c: string, ctrl = false): KeyPress => ({ name: 'char', char: c, ctrl });
const k = (name: KeyPress['name']): KeyPress => ({ name, char: '', ctrl: false });

const healingCtx: ViewContext = {
  sections: [
    { id: 'actions', rowKeys: ['act_1', 'act_2'], approvable: new Set(['act_1']) },
    { id: 'issues', rowKeys: ['iss_1', 'iss_2', 'iss_3'] },
  ],
  page: 2,
};

function press(s: UiState, keys: (KeyPress | string)[], ctx: ViewContext = healingCtx): Step {
  let step: Step = { state: s };
  for (const key of keys) {
    const list = typeof key === 'string' ? [...key].map((c) => ch(c)) : [key];
    for (const kp of list) step = reduce(step.state, { type: 'key', key: kp }, ctx);
  }
  return step;
}

describe('command mode', () => {
  it('jumps to a view by name, alias or unique prefix', () => {
    expect(currentView(press(initialUi(), [':healing', k('enter')]).state)).toBe('healing');
    expect(currentView(press(initialUi(), [':violations', k('enter')]).state)).toBe('compliance');
    expect(currentView(press(initialUi(), [':work', k('enter')]).state)).toBe('workload');
  });

  it('completes with Tab and reports an unknown command without moving', () => {
    const tab = press(initialUi(), [':hea', k('tab')]);
    expect(tab.state.mode).toEqual({ kind: 'command', text: 'healing' });
    const bad = press(initialUi(), [':nope', k('enter')]).state;
    expect(currentView(bad)).toBe('overview');
    expect(bad.flash?.text).toMatch(/unknown command :nope/);
  });

  it('quits with :q and with q', () => {
    expect(press(initialUi(), [':q', k('enter')]).effect).toEqual({ type: 'quit' });
    expect(press(initialUi(), ['q']).effect).toEqual({ type: 'quit' });
  });

  it('goes back to the previous view with Esc', () => {
    const s = press(initialUi(), ['3', '4']).state;
    expect(currentView(s)).toBe('compliance');
    expect(currentView(press(s, [k('escape')]).state)).toBe('healing');
  });
});

describe('moving around a view', () => {
  const healing = initialUi('healing');

  it('moves with j/k and arrows within the rows there are', () => {
    expect(selectedKey(press(healing, ['j']).state, healingCtx)?.key).toBe('act_2');
    expect(selectedKey(press(healing, ['jjjj']).state, healingCtx)?.key).toBe('act_2');
    expect(selectedKey(press(healing, ['j', k('up')]).state, healingCtx)?.key).toBe('act_1');
    expect(selectedKey(press(healing, [k('tab'), 'G']).state, healingCtx)?.key).toBe('iss_3');
  });

  it('opens details of the selected row with Enter and comes back with Esc', () => {
    const open = press(healing, [k('tab'), 'j', k('enter')]).state;
    expect(topScreen(open)).toEqual({ kind: 'details', view: 'healing', section: 'issues', key: 'iss_2', scroll: 0 });
    expect(topScreen(press(open, ['jjk']).state)).toMatchObject({ kind: 'details', scroll: 1 });
    expect(topScreen(press(open, [k('escape')]).state)).toEqual({ kind: 'view', view: 'healing' });
  });

  it('filters as you type, keeps the filter on Enter and clears it on Esc', () => {
    const typed = press(healing, ['/disk']).state;
    expect(typed.filter.healing).toBe('disk');
    const kept = press(typed, [k('enter')]).state;
    expect(kept.mode.kind).toBe('normal');
    expect(kept.filter.healing).toBe('disk');
    expect(press(kept, [k('escape')]).state.filter.healing).toBe('');
  });

  it('shows and hides help with ?', () => {
    const help = press(healing, ['?']).state;
    expect(topScreen(help).kind).toBe('help');
    expect(topScreen(press(help, ['?']).state).kind).toBe('view');
  });
});

describe('destructive keys ask first', () => {
  const healing = initialUi('healing');

  it('approves only after y', () => {
    const asked = press(healing, ['a']);
    expect(asked.effect).toBeUndefined();
    expect(asked.state.mode).toMatchObject({ kind: 'confirm', prompt: 'Approve action act_1?' });
    expect(press(asked.state, ['y']).effect).toEqual({ type: 'approve', id: 'act_1' });
  });

  it('cancels on anything but y', () => {
    const step = press(healing, ['a', 'n']);
    expect(step.effect).toBeUndefined();
    expect(step.state.flash?.text).toBe('cancelled');
    expect(press(healing, ['a', k('escape')]).effect).toBeUndefined();
  });

  it('rejects with a typed reason after confirming', () => {
    const step = press(healing, ['x', 'flaky check', k('enter'), 'y']);
    expect(step.effect).toEqual({ type: 'reject', id: 'act_1', reason: 'flaky check' });
  });

  it('refuses to approve an action that is not waiting', () => {
    const step = press(healing, ['j', 'a']);
    expect(step.effect).toBeUndefined();
    expect(step.state.mode.kind).toBe('normal');
    expect(step.state.flash?.text).toMatch(/awaiting approval/);
  });
});

describe('chat', () => {
  it('types a message after i and sends it on Enter', () => {
    const chat = initialUi('chat');
    const step = press(chat, ['i', 'who is on call', k('enter')], { sections: [], page: 1 });
    expect(step.effect).toEqual({ type: 'ask', text: 'who is on call' });
    expect(step.state.mode).toEqual({ kind: 'chat', text: '' });
    // q is text while typing, not quit
    expect(press(step.state, ['q'], { sections: [], page: 1 }).effect).toBeUndefined();
  });
});
