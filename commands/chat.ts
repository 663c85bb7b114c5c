import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import type { CliContext } from '../cli/context.js';
import { AppError } from '../core/errors.js';
import { footer, retryNote, streamAsk, type AnswerView, type ToolCallView } from './ask.js';

interface SessionView {
  id: string;
  title: string;
  messageCount: number;
  messages: Array<{ role: 'user' | 'assistant'; text: string; createdAt: string }>;
}

/** The REPL's state: the session it talks in, and what the user typed (for ↑ recall). */
interface ChatState {
  sessionId: string | null;
  history: string[];
  exit: boolean;
}

interface SlashCommand {
  name: string;
  altNames?: string[];
  description: string;
  action(ctx: CliContext, state: ChatState, args: string): Promise<void>;
}

async function loadSession(ctx: CliContext, id: string, limit = 200): Promise<SessionView> {
  return ctx.client().get<SessionView>(`/v1/assistant/sessions/${encodeURIComponent(id)}`, { limit });
}

function showHistory(ctx: CliContext, s: SessionView, last: number): void {
  const shown = s.messages.slice(-last);
  if (shown.length < s.messageCount) ctx.out.info(ctx.out.paint(`… ${s.messageCount - shown.length} earlier messages`, 'gray'));
  for (const m of shown) {
    if (m.role === 'user') ctx.io.stdout.write(`${ctx.out.paint('you>', 'cyan')} ${m.text}\n`);
    else ctx.io.stdout.write(`${m.text}\n\n`);
  }
}

export const SLASH_COMMANDS: SlashCommand[] = [
  {
    name: 'help', altNames: ['?'], description: 'show these commands',
    async action(ctx) {
      for (const c of SLASH_COMMANDS) ctx.io.stdout.write(`  /${c.name.padEnd(8)} ${c.description}\n`);
      ctx.io.stdout.write('  ↑ / ↓     recall earlier questions;  Ctrl-C stops an answer;  Ctrl-D or /exit leaves\n');
    },
  },
  {
    name: 'new', description: 'start a new session (the next question opens it)',
    async action(ctx, state) {
      state.sessionId = null;
      ctx.out.info('new session: it starts with your next question');
    },
  },
  {
    name: 'session', description: 'show the current session id; /session ID switches to another',
    async action(ctx, state, args) {
      if (args) {
        const s = await loadSession(ctx, args, 6);
        state.sessionId = s.id;
        ctx.out.info(`session ${s.id}: ${s.title}`);
        showHistory(ctx, s, 6);
        return;
      }
      if (!state.sessionId) return ctx.out.info('no session yet: ask something to start one');
      const s = await loadSession(ctx, state.sessionId, 1);
      ctx.io.stdout.write(`${s.id}\t${s.messageCount} messages\t${s.title}\n`);
    },
  },
  {
    name: 'history', description: 'show the last exchanges of this session',
    async action(ctx, state, args) {
      if (!state.sessionId) return ctx.out.info('no session yet');
      showHistory(ctx, await loadSession(ctx, state.sessionId), Number(args) > 0 ? Number(args) * 2 : 10);
    },
  },
  {
    name: 'exit', altNames: ['quit', 'q'], description: 'leave the chat',
    async action(_ctx, state) {
      state.exit = true;
    },
  },
];

function describeCall(c: ToolCallView): string {
  return `${c.name} ${JSON.stringify(c.input)}`;
}

/** Changes the assistant proposed: asked about one by one on a TTY, then run by the daemon as this user. */
async function confirmChanges(ctx: CliContext, state: ChatState, a: AnswerView): Promise<void> {
  for (const c of a.toolCalls.filter((t) => t.status === 'needs_confirmation')) {
    if (!ctx.interactive) {
      ctx.out.info(ctx.out.paint(`not done: ${describeCall(c)} needs a confirmation (run chat on a terminal, or with --yes)`, 'yellow'));
      continue;
    }
    const { confirm } = await import('@inquirer/prompts');
    const yes = await confirm({ message: `Run ${describeCall(c)}?`, default: false });
    if (!yes) {
      ctx.out.info('not done');
      continue;
    }
    try {
      const r = await ctx.client().post<{ call: ToolCallView }>(`/v1/assistant/sessions/${state.sessionId}/confirm`, { tool: c.name, input: c.input });
      ctx.out.info(r.call.status === 'ok' ? ctx.out.paint(`done: ${describeCall(c)}`, 'green') : `not done: ${r.call.error ?? r.call.status}`);
    } catch (err) {
      ctx.out.info(`not done: ${(err as Error).message}`);
    }
  }
}

/** One question: streamed to stdout; Ctrl-C stops this answer and returns to the prompt. */
async function askOnce(ctx: CliContext, state: ChatState, question: string): Promise<void> {
  const ac = new AbortController();
  const onSigint = (): void => ac.abort();
  process.on('SIGINT', onSigint);
  const out = ctx.io.stdout;
  try {
    const a = await streamAsk(
      ctx,
      { question, mode: 'chat', ...(state.sessionId ? { sessionId: state.sessionId } : {}), ...(ctx.options.yes ? { yes: true } : {}) },
      {
        onSession: (s) => {
          if (state.sessionId !== s.sessionId) ctx.out.info(ctx.out.paint(`session ${s.sessionId}${s.offline ? ' (offline)' : ''}`, 'gray'));
          state.sessionId = s.sessionId;
        },
        onText: (t) => out.write(t),
        onRetry: (info) => ctx.out.info(ctx.out.paint(retryNote(info), 'gray')),
      },
      ac.signal,
    );
    if (!a) {
      out.write(`\n${ctx.out.paint('(stopped)', 'yellow')}\n\n`);
      return;
    }
    if (a.error) out.write(`${ctx.out.paint(`error: ${a.error.message}`, 'red')}`);
    out.write('\n');
    for (const l of footer(ctx, a)) out.write(`${l}\n`);
    out.write('\n');
    await confirmChanges(ctx, state, a);
  } finally {
    process.off('SIGINT', onSigint);
  }
}

/** Lines typed by a person (inquirer with history on a TTY) or piped in (one question a line). */
function inputLines(ctx: CliContext, state: ChatState): () => Promise<string | null> {
  if (ctx.io.stdin.isTTY && ctx.io.stdout.isTTY) {
    return async () => {
      const { chatInput } = await import('./chat-prompt.js');
      try {
        return await chatInput({ message: ctx.out.paint('you>', 'cyan'), history: state.history });
      } catch (err) {
        if ((err as { name?: string }).name === 'ExitPromptError') return null;
        throw err;
      }
    };
  }
  const rl = createInterface({ input: ctx.io.stdin, terminal: false });
  const it = rl[Symbol.asyncIterator]();
  return async () => {
    const next = await it.next();
    return next.done ? null : String(next.value);
  };
}

export interface ChatOptions {
  session?: string;
  list?: boolean;
}

interface SessionRow {
  id: string;
  title: string;
  createdAt: string;
  updatedAt: string;
}

/** `foundry-op chat`: the REPL. */
export async function runChat(ctx: CliContext, opts: ChatOptions): Promise<void> {
  if (opts.list) {
    const rows = await ctx.client().get<SessionRow[]>('/v1/assistant/sessions', { limit: 50 });
    return ctx.out.list(rows, [
      { header: 'id', value: 'id' },
      { header: 'updated', value: 'updatedAt' },
      { header: 'title', value: 'title' },
    ]);
  }
  if (ctx.out.json) throw new AppError('usage', 'chat is interactive and has no --json', 'use: foundry-op ask --json "question"');
  const state: ChatState = { sessionId: null, history: [], exit: false };
  if (opts.session) {
    const s = await loadSession(ctx, opts.session, 6);
    state.sessionId = s.id;
    ctx.out.info(`resuming session ${s.id}: ${s.title}`);
    showHistory(ctx, s, 6);
  } else if (ctx.isTTY) {
    ctx.out.info(ctx.out.paint('foundry-op assistant. /help for commands, /exit to leave.', 'gray'));
  }
  const next = inputLines(ctx, state);
  while (!state.exit) {
    const line = await next();
    if (line === null) break;
    const text = line.trim();
    if (!text) continue;
    if (state.history.at(-1) !== text) state.history.push(text);
    if (text.startsWith('/')) {
      const [word = '', ...rest] = text.slice(1).split(/\s+/);
      const cmd = SLASH_COMMANDS.find((c) => c.name === word || c.altNames?.includes(word));
      if (!cmd) {
        ctx.out.info(`unknown command /${word}: try /help`);
        continue;
      }
      try {
        await cmd.action(ctx, state, rest.join(' '));
      } catch (err) {
        ctx.out.info(`error: ${(err as Error).message}`);
      }
      continue;
    }
    try {
      await askOnce(ctx, state, text);
    } catch (err) {
      // a failed question (daemon gone, bad session) is reported; the REPL goes on
      if (err instanceof AppError && err.kind === 'unavailable') throw err;
      ctx.out.info(`error: ${(err as Error).message}${err instanceof AppError && err.hint ? ` (${err.hint})` : ''}`);
    }
  }
}

export function register(program: Command, ctx: CliContext): void {
  program
    .command('chat')
    .description('talk with the assistant in a session (/help, /new, /session, /exit); Ctrl-C stops an answer')
    .option('--session <id>', 'resume a stored session')
    .option('--list', 'list your sessions (newest first) and exit')
    .action((opts: ChatOptions) => runChat(ctx, opts));
}
