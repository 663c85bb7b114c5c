// The dashboard's interaction state as a pure reducer: a key (or a result from the daemon) in,
// the next state and at most one effect out. The container performs effects; this file does no I/O.
import { VIEWS, completeCommand, findView, type ViewName } from '../views/registry.js';

export type Screen =
  | { readonly kind: 'view'; readonly view: ViewName }
  | { readonly kind: 'details'; readonly view: ViewName; readonly section: string; readonly key: string; readonly scroll: number }
  | { readonly kind: 'help' };

export type Effect =
  | { readonly type: 'quit' }
  | { readonly type: 'refresh' }
  | { readonly type: 'approve'; readonly id: string }
  | { readonly type: 'reject'; readonly id: string; readonly reason: string }
  | { readonly type: 'ask'; readonly text: string };

export type Mode =
  | { readonly kind: 'normal' }
  | { readonly kind: 'command'; readonly text: string }
  | { readonly kind: 'filter'; readonly text: string }
  | { readonly kind: 'reason'; readonly id: string; readonly text: string }
  | { readonly kind: 'confirm'; readonly prompt: string; readonly effect: Effect }
  | { readonly kind: 'chat'; readonly text: string };

export interface Flash {
  readonly text: string;
  readonly tone: 'info' | 'ok' | 'error';
}

export interface UiState {
  readonly stack: readonly Screen[];
  readonly focus: Readonly<Partial<Record<ViewName, number>>>;
  readonly cursor: Readonly<Record<string, number>>;
  readonly filter: Readonly<Partial<Record<ViewName, string>>>;
  readonly mode: Mode;
  readonly flash: Flash | null;
}

export type KeyName =
  | 'char' | 'up' | 'down' | 'left' | 'right' | 'enter' | 'escape' | 'tab' | 'backtab'
  | 'backspace' | 'pageup' | 'pagedown' | 'home' | 'end';

export interface KeyPress {
  readonly name: KeyName;
  readonly char: string;
  readonly ctrl: boolean;
}

/** What the reducer needs to know about the view on screen. */
export interface ViewContext {
  readonly sections: readonly {
    readonly id: string;
    readonly rowKeys: readonly string[];
    readonly approvable?: ReadonlySet<string>;
  }[];
  /** Rows a page move skips. */
  readonly page: number;
}

export type Msg = { readonly type: 'key'; readonly key: KeyPress } | { readonly type: 'flash'; readonly flash: Flash | null };

export interface Step {
  readonly state: UiState;
  readonly effect?: Effect;
}

export function initialUi(view: ViewName = 'overview'): UiState {
  return { stack: [{ kind: 'view', view }], focus: {}, cursor: {}, filter: {}, mode: { kind: 'normal' }, flash: null };
}

export function topScreen(s: UiState): Screen {
  return s.stack[s.stack.length - 1] ?? { kind: 'view', view: 'overview' };
}

/** The view the user is in: a details or help screen belongs to the view beneath it. */
export function currentView(s: UiState): ViewName {
  for (let i = s.stack.length - 1; i >= 0; i--) {
    const sc = s.stack[i]!;
    if (sc.kind !== 'help') return sc.view;
  }
  return 'overview';
}

export function focusedSection(s: UiState, ctx: ViewContext): number {
  const n = ctx.sections.length;
  return n === 0 ? 0 : Math.min(Math.max(0, s.focus[currentView(s)] ?? 0), n - 1);
}

export function cursorOf(s: UiState, view: ViewName, section: string, count: number): number {
  const c = s.cursor[`${view}:${section}`] ?? 0;
  return Math.max(0, Math.min(c, count - 1));
}

/** The row key under the cursor in the focused section, if there is one. */
export function selectedKey(s: UiState, ctx: ViewContext): { section: string; key: string } | undefined {
  const sec = ctx.sections[focusedSection(s, ctx)];
  if (!sec || sec.rowKeys.length === 0) return undefined;
  const key = sec.rowKeys[cursorOf(s, currentView(s), sec.id, sec.rowKeys.length)];
  return key === undefined ? undefined : { section: sec.id, key };
}

function setMode(s: UiState, mode: Mode, flash: Flash | null = s.flash): UiState {
  return { ...s, mode, flash };
}

function goTo(s: UiState, view: ViewName): UiState {
  const top = topScreen(s);
  if (top.kind === 'view' && top.view === view) return s;
  const base = s.stack.filter((sc) => sc.kind === 'view');
  return { ...s, stack: [...base.filter((sc) => sc.kind === 'view' && sc.view !== view), { kind: 'view', view }] };
}

function pop(s: UiState): UiState {
  return s.stack.length > 1 ? { ...s, stack: s.stack.slice(0, -1) } : s;
}

function editText(text: string, key: KeyPress): string | null {
  if (key.name === 'backspace') return text.slice(0, -1);
  if (key.name === 'char' && !key.ctrl) return text + key.char;
  return null;
}

function runCommand(s: UiState, text: string): Step {
  const c = text.trim().toLowerCase();
  const back = setMode(s, { kind: 'normal' });
  if (c === '') return { state: back };
  if (c === 'q' || c === 'q!' || c === 'quit' || c === 'exit') return { state: back, effect: { type: 'quit' } };
  if (c === 'help' || c === '?') return { state: { ...back, stack: [...back.stack, { kind: 'help' }] } };
  const view = findView(c);
  if (!view) return { state: { ...back, flash: { text: `unknown command :${c} (press ? for the list)`, tone: 'error' } } };
  return { state: { ...goTo(back, view.name), flash: null } };
}

function moveCursor(s: UiState, ctx: ViewContext, delta: number | 'first' | 'last'): UiState {
  const sec = ctx.sections[focusedSection(s, ctx)];
  if (!sec) return s;
  const view = currentView(s);
  const count = sec.rowKeys.length;
  const cur = cursorOf(s, view, sec.id, count);
  const next = delta === 'first' ? 0 : delta === 'last' ? count - 1 : cur + delta;
  return { ...s, cursor: { ...s.cursor, [`${view}:${sec.id}`]: Math.max(0, Math.min(next, count - 1)) } };
}

function moveFocus(s: UiState, ctx: ViewContext, delta: number): UiState {
  const n = ctx.sections.length;
  if (n <= 1) return s;
  const view = currentView(s);
  const next = (focusedSection(s, ctx) + delta + n) % n;
  return { ...s, focus: { ...s.focus, [view]: next } };
}

function setFilter(s: UiState, text: string): UiState {
  const view = currentView(s);
  const cursor = Object.fromEntries(Object.entries(s.cursor).filter(([k]) => !k.startsWith(`${view}:`)));
  return { ...s, filter: { ...s.filter, [view]: text }, cursor };
}

function onPrompt(s: UiState, key: KeyPress): Step | undefined {
  const m = s.mode;
  switch (m.kind) {
    case 'normal':
      return undefined;
    case 'command': {
      if (key.name === 'escape') return { state: setMode(s, { kind: 'normal' }) };
      if (key.name === 'enter') return runCommand(s, m.text);
      if (key.name === 'tab') return { state: setMode(s, { kind: 'command', text: completeCommand(m.text) ?? m.text }) };
      const t = editText(m.text, key);
      if (t === null) return { state: s };
      return { state: t === '' && key.name === 'backspace' && m.text === '' ? setMode(s, { kind: 'normal' }) : setMode(s, { kind: 'command', text: t }) };
    }
    case 'filter': {
      if (key.name === 'escape') return { state: setMode(setFilter(s, ''), { kind: 'normal' }) };
      if (key.name === 'enter') return { state: setMode(s, { kind: 'normal' }) };
      const t = editText(m.text, key);
      return { state: t === null ? s : setMode(setFilter(s, t), { kind: 'filter', text: t }) };
    }
    case 'reason': {
      if (key.name === 'escape') return { state: setMode(s, { kind: 'normal' }, { text: 'reject cancelled', tone: 'info' }) };
      if (key.name === 'enter') {
        const reason = m.text.trim() || 'rejected from the dashboard';
        return { state: setMode(s, { kind: 'confirm', prompt: `Reject action ${m.id} (${reason})?`, effect: { type: 'reject', id: m.id, reason } }) };
      }
      const t = editText(m.text, key);
      return { state: t === null ? s : setMode(s, { kind: 'reason', id: m.id, text: t }) };
    }
    case 'confirm': {
      if (key.name === 'char' && (key.char === 'y' || key.char === 'Y')) {
        return { state: setMode(s, { kind: 'normal' }, { text: 'working…', tone: 'info' }), effect: m.effect };
      }
      return { state: setMode(s, { kind: 'normal' }, { text: 'cancelled', tone: 'info' }) };
    }
    case 'chat': {
      if (key.name === 'escape') return { state: setMode(s, { kind: 'normal' }) };
      if (key.name === 'enter') {
        const text = m.text.trim();
        if (!text) return { state: s };
        return { state: setMode(s, { kind: 'chat', text: '' }), effect: { type: 'ask', text } };
      }
      const t = editText(m.text, key);
      return { state: t === null ? s : setMode(s, { kind: 'chat', text: t }) };
    }
  }
}

function onNormal(s0: UiState, key: KeyPress, ctx: ViewContext): Step {
  const s = s0.flash ? { ...s0, flash: null } : s0;
  const top = topScreen(s);
  const ch = key.name === 'char' ? key.char : '';
  if (key.ctrl && ch === 'c') return { state: s, effect: { type: 'quit' } };
  if (ch === 'q') return { state: s, effect: { type: 'quit' } };
  if (ch === ':') return { state: setMode(s, { kind: 'command', text: '' }) };
  if (ch === '?') return { state: top.kind === 'help' ? pop(s) : { ...s, stack: [...s.stack, { kind: 'help' }] } };
  if (key.name === 'escape') {
    const view = currentView(s);
    if (top.kind === 'view' && s.filter[view]) return { state: setFilter(s, '') };
    return { state: pop(s) };
  }
  const digit = VIEWS.find((v) => v.key === ch);
  if (digit) return { state: goTo(s, digit.name) };
  if (ch === 'R') return { state: { ...s, flash: { text: 'reloading every panel from the daemon…', tone: 'info' } }, effect: { type: 'refresh' } };
  if (top.kind === 'details') {
    const by = key.name === 'up' || ch === 'k' ? -1 : key.name === 'down' || ch === 'j' ? 1
      : key.name === 'pageup' || (key.ctrl && ch === 'u') ? -Math.max(1, ctx.page) : key.name === 'pagedown' || (key.ctrl && ch === 'd') ? Math.max(1, ctx.page) : 0;
    if (by === 0) return { state: s };
    const scrolled: Screen = { ...top, scroll: Math.max(0, top.scroll + by) };
    return { state: { ...s, stack: [...s.stack.slice(0, -1), scrolled] } };
  }
  if (top.kind !== 'view') return { state: s };
  if (ch === '/') return { state: setMode(s, { kind: 'filter', text: s.filter[top.view] ?? '' }) };
  if (top.view === 'chat') {
    if (ch === 'i' || key.name === 'enter') return { state: setMode(s, { kind: 'chat', text: '' }) };
    return { state: s };
  }
  const page = Math.max(1, ctx.page);
  if (key.name === 'up' || ch === 'k') return { state: moveCursor(s, ctx, -1) };
  if (key.name === 'down' || ch === 'j') return { state: moveCursor(s, ctx, 1) };
  if (key.name === 'pageup' || (key.ctrl && ch === 'u')) return { state: moveCursor(s, ctx, -page) };
  if (key.name === 'pagedown' || (key.ctrl && ch === 'd')) return { state: moveCursor(s, ctx, page) };
  if (key.name === 'home' || ch === 'g') return { state: moveCursor(s, ctx, 'first') };
  if (key.name === 'end' || ch === 'G') return { state: moveCursor(s, ctx, 'last') };
  if (key.name === 'tab' || key.name === 'right' || ch === 'l') return { state: moveFocus(s, ctx, 1) };
  if (key.name === 'backtab' || key.name === 'left' || ch === 'h') return { state: moveFocus(s, ctx, -1) };
  const sel = selectedKey(s, ctx);
  if (key.name === 'enter') {
    return sel ? { state: { ...s, stack: [...s.stack, { kind: 'details', view: top.view, section: sel.section, key: sel.key, scroll: 0 }] } } : { state: s };
  }
  if (ch === 'a' || ch === 'x') {
    const sec = ctx.sections[focusedSection(s, ctx)];
    if (!sec?.approvable) return { state: s };
    if (!sel || !sec.approvable.has(sel.key)) {
      return { state: { ...s, flash: { text: 'select an action that is awaiting approval', tone: 'error' } } };
    }
    if (ch === 'a') {
      return { state: setMode(s, { kind: 'confirm', prompt: `Approve action ${sel.key}?`, effect: { type: 'approve', id: sel.key } }) };
    }
    return { state: setMode(s, { kind: 'reason', id: sel.key, text: '' }) };
  }
  return { state: s };
}

export function reduce(s: UiState, msg: Msg, ctx: ViewContext): Step {
  if (msg.type === 'flash') return { state: { ...s, flash: msg.flash } };
  return onPrompt(s, msg.key) ?? onNormal(s, msg.key, ctx);
}
