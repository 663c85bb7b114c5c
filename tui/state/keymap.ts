// Every key the dashboard answers to, as data: the help screen lists exactly this.

export interface KeyHelp {
  readonly keys: string;
  readonly does: string;
  readonly where: 'anywhere' | 'lists' | 'healing' | 'chat' | 'prompts';
}

export const KEYMAP: readonly KeyHelp[] = [
  { keys: ':', does: 'command mode: jump to a view (:tasks :healing :compliance :workload :metrics :events :chat :overview), :q quits', where: 'anywhere' },
  { keys: '1-8', does: 'jump to a view by number', where: 'anywhere' },
  { keys: '/', does: 'filter the rows of this view (Enter keeps it, Esc clears it)', where: 'anywhere' },
  { keys: '?', does: 'this help', where: 'anywhere' },
  { keys: 'Esc', does: 'back: close a prompt, clear the filter, leave details or help, previous view', where: 'anywhere' },
  { keys: 'q', does: 'quit (Ctrl-C too)', where: 'anywhere' },
  { keys: 'R', does: 'reload every panel from the daemon', where: 'anywhere' },
  { keys: '↑ ↓  k j', does: 'move the selection', where: 'lists' },
  { keys: 'PgUp PgDn  Ctrl-U Ctrl-D', does: 'move a page', where: 'lists' },
  { keys: 'g G  Home End', does: 'first / last row', where: 'lists' },
  { keys: 'Tab Shift-Tab  ← →  h l', does: 'next / previous section of the view', where: 'lists' },
  { keys: 'Enter', does: 'details of the selected row', where: 'lists' },
  { keys: 'a', does: 'approve the selected action (asks to confirm)', where: 'healing' },
  { keys: 'x', does: 'reject the selected action with a reason (asks to confirm)', where: 'healing' },
  { keys: 'i  Enter', does: 'type a message to the assistant; Enter sends, Esc stops typing', where: 'chat' },
  { keys: 'y / n', does: 'confirm / cancel a destructive action', where: 'prompts' },
];
