// Every key the dashboard answers to, as data: the help screen lists exactly this.

export interface KeyHelp {
  readonly keys: string;
  readonly does: string;
  readonly where: 'anywhere' | 'lists' | 'healing' | 'chat' | 'prompts';
}

export const KEYMAP: readonly KeyHelp[] = [
  { keys: ':', does: 'command mode: :tasks :healing … jump, :q quits', where: 'anywhere' },
  { keys: '1-8', does: 'jump to a view by number (see the top line)', where: 'anywhere' },
  { keys: '/', does: 'filter rows (Enter keeps it, Esc clears it)', where: 'anywhere' },
  { keys: '?', does: 'this help', where: 'anywhere' },
  { keys: 'Esc', does: 'back: prompt, filter, details, help, last view', where: 'anywhere' },
  { keys: 'q', does: 'quit (Ctrl-C too)', where: 'anywhere' },
  { keys: 'R', does: 'reload every panel from the daemon', where: 'anywhere' },
  { keys: '↑ ↓  k j', does: 'move the selection', where: 'lists' },
  { keys: 'PgUp PgDn  Ctrl-U Ctrl-D', does: 'move a page', where: 'lists' },
  { keys: 'g G  Home End', does: 'first / last row', where: 'lists' },
  { keys: 'Tab Shift-Tab  ← →  h l', does: 'next / previous section of the view', where: 'lists' },
  { keys: 'Enter', does: 'details of the selected row (j/k scroll them)', where: 'lists' },
  { keys: 'a', does: 'healing: approve the selected action (confirms)', where: 'healing' },
  { keys: 'x', does: 'healing: reject it with a reason (confirms)', where: 'healing' },
  { keys: 'i  Enter', does: 'chat: type to the assistant; Enter sends, Esc stops', where: 'chat' },
  { keys: 'y / n', does: 'confirm / cancel a destructive action', where: 'prompts' },
];
