import { AppError, notFound } from '../errors.js';
import { newId } from '../ids.js';
import { LlmError, type Llm } from '../llm.js';
import type { Actor } from '../model.js';
import type { Clock, Commit } from '../ports.js';
import { maskDeep, maskText } from '../masking/mask.js';
import { buildContext, systemPrompt, type Turn } from './context.js';
import type { AssistantData } from './data.js';
import { executeToolCall, type ChangePolicy, type ToolCallRecord } from './execute.js';
import { answerOnline, type Answer, type AnswerEvents } from './loop.js';
import { answerOffline } from './offline.js';
import type { AssistantMessage, AssistantRepo, AssistantSession } from './ports.js';
import { offeredTools, TOOL_CATALOG, type AssistantTool, type Perm } from './tools.js';

export const MAX_QUESTION_CHARS = 8000;

export interface AssistantDeps {
  commit: Commit;
  clock: Clock;
  /** Reads (sessions, history); writes go through `commit`. */
  repo: AssistantRepo;
  /** null: offline mode. */
  llm: Llm | null;
  /** The engines' data as the caller's organisation sees it. */
  dataFor(actor: Actor): AssistantData;
  /** The daemon's RBAC: may this role use a permission? */
  can(role: Actor['role'], perm: Perm): boolean;
  catalog?: AssistantTool[];
  maxRounds?: number;
  contextTokens?: number;
  /** Told about every answer, for metrics. */
  onAnswer?(a: { offline: boolean; outcome: string; inputTokens: number; outputTokens: number }): void;
}

export interface AskInput extends AnswerEvents {
  actor: Actor;
  question: string;
  sessionId?: string;
  changes: ChangePolicy;
  confirm?: (question: string) => Promise<boolean>;
  signal?: AbortSignal;
  /** Called once the session is known (before any text), so a stream can name it first. */
  onSession?(session: AssistantSession, offline: boolean): void;
}

export interface AskResult extends Answer {
  sessionId: string;
  messageId: string;
  /** Set when the model could not be used: the answer then says why, plainly. */
  error?: { kind: string; message: string };
}

const PLAIN: Record<string, string> = {
  rate_limited: 'try again in a minute; offline questions still work without the model',
  overloaded: 'try again in a minute; offline questions still work without the model',
  auth: 'check ANTHROPIC_API_KEY on the daemon',
  unavailable: 'check the network and ANTHROPIC_BASE_URL',
  bad_request: 'this is a bug: please report it with the session id',
};

/** The assistant: sessions with history, Claude with tools when configured, offline answers otherwise. */
export class Assistant {
  private readonly catalog: AssistantTool[];
  constructor(private readonly deps: AssistantDeps) {
    this.catalog = deps.catalog ?? TOOL_CATALOG;
  }

  get online(): boolean {
    return this.deps.llm !== null;
  }

  toolsFor(actor: Actor): AssistantTool[] {
    return offeredTools(this.catalog, this.deps.dataFor(actor), (p) => this.deps.can(actor.role, p));
  }

  async session(actor: Actor, id: string): Promise<AssistantSession> {
    const s = await this.deps.repo.getSession(actor.orgId, id);
    // another user's session is as good as missing: its content is theirs
    if (!s || s.userId !== (actor.userId ?? '')) throw notFound('session', id);
    return s;
  }

  private newSession(actor: Actor, title: string): AssistantSession {
    const now = this.deps.clock.now();
    return {
      id: newId('ses', now), orgId: actor.orgId, userId: actor.userId ?? '', title: maskText(title).text.slice(0, 80), createdAt: now, updatedAt: now,
    };
  }

  async createSession(actor: Actor, title = 'new session'): Promise<AssistantSession> {
    const s = this.newSession(actor, title);
    return this.deps.commit(actor, async (tx) => {
      await tx.assistant.insertSession(s);
      return { value: s, audit: { action: 'assistant.session', subject: s.id, summary: 'started an assistant session' }, events: [] };
    });
  }

  async history(actor: Actor, sessionId: string, limit = 200): Promise<AssistantMessage[]> {
    await this.session(actor, sessionId);
    return this.deps.repo.listMessages(actor.orgId, sessionId, limit);
  }

  /** Answers one question in a session (a new one when none is given), and stores both turns. */
  async ask(input: AskInput): Promise<AskResult> {
    const question = input.question.trim();
    if (question === '') throw new AppError('validation', 'question: must not be empty', 'ask something, e.g. "who is overloaded?"');
    if (question.length > MAX_QUESTION_CHARS)
      throw new AppError('validation', `question: at most ${MAX_QUESTION_CHARS} characters`);
    const { actor } = input;
    const masked = maskText(question).text;
    // a new session is stored with its first exchange, in the same transaction
    const isNew = !input.sessionId;
    const session = input.sessionId ? await this.session(actor, input.sessionId) : this.newSession(actor, masked.slice(0, 60));
    const offline = this.deps.llm === null;
    input.onSession?.(session, offline);
    const asked = this.deps.clock.now();
    const data = this.deps.dataFor(actor);
    const tools = offeredTools(this.catalog, data, (p) => this.deps.can(actor.role, p));

    let result: Answer;
    let error: AskResult['error'];
    if (this.deps.llm === null) {
      result = await answerOffline({ question: masked, tools, data, now: asked });
      input.onText?.(result.answer);
    } else {
      const past = isNew ? [] : await this.deps.repo.listMessages(actor.orgId, session.id, 400);
      const turns: Turn[] = past.map((m) => ({ role: m.role, text: m.text }));
      const ctx = buildContext(turns, masked, { budgetTokens: this.deps.contextTokens ?? 6000 });
      const system = systemPrompt({
        now: asked, userName: actor.name, role: actor.role, toolNames: tools.map((t) => t.name), summary: ctx.summary, changes: input.changes,
      });
      try {
        result = await answerOnline({
          llm: this.deps.llm, tools, data, system, messages: ctx.messages, now: asked, changes: input.changes, orgId: actor.orgId,
          ...(input.confirm ? { confirm: input.confirm } : {}),
          ...(input.onText ? { onText: input.onText } : {}),
          ...(input.onToolCall ? { onToolCall: input.onToolCall } : {}),
          ...(input.onRetry ? { onRetry: input.onRetry } : {}),
          ...(input.signal ? { signal: input.signal } : {}),
          ...(this.deps.maxRounds ? { maxRounds: this.deps.maxRounds } : {}),
        });
        if (result.failure) {
          const message = `${result.failure.message} (${PLAIN[result.failure.kind] ?? 'try again later'})`;
          error = { kind: result.failure.kind, message };
          result = { ...result, answer: [result.answer, message].filter(Boolean).join('\n') };
        }
      } catch (err) {
        if (!(err instanceof LlmError)) throw err;
        const message = `${err.message} (${PLAIN[err.kind] ?? 'try again later'})`;
        error = { kind: err.kind, message };
        result = {
          answer: message, offline: false, toolCalls: [], citedIds: [], usage: { inputTokens: 0, outputTokens: 0 },
          model: this.deps.llm.model, rounds: 0, stopped: err.kind,
        };
      }
    }
    const stored = await this.store(actor, session, masked, result, asked, isNew);
    this.deps.onAnswer?.({
      offline: result.offline,
      outcome: error ? error.kind : (result.stopped ?? 'ok'),
      inputTokens: result.usage.inputTokens,
      outputTokens: result.usage.outputTokens,
    });
    return { ...result, sessionId: session.id, messageId: stored, ...(error ? { error } : {}) };
  }

  /**
   * Runs a change the user confirmed after an answer proposed it (the REPL). The role is checked
   * again here: a confirmation never grants what the role does not allow.
   */
  async runConfirmed(actor: Actor, sessionId: string, name: string, toolInput: unknown): Promise<{ call: ToolCallRecord; result: unknown }> {
    const session = await this.session(actor, sessionId);
    const now = this.deps.clock.now();
    const done = await executeToolCall(name, toolInput, { offered: this.toolsFor(actor), data: this.deps.dataFor(actor), now, changes: 'allow' });
    const what = `${name} ${JSON.stringify(done.record.input)}`;
    const answer: Answer = {
      answer: done.record.status === 'ok' ? `Done: ${what}.` : `Not done: ${done.record.error ?? 'failed'}.`,
      offline: this.deps.llm === null, toolCalls: [done.record], citedIds: [], usage: { inputTokens: 0, outputTokens: 0 }, model: null, rounds: 1,
    };
    await this.store(actor, session, `(confirmed) ${what}`, answer, now, false);
    return { call: done.record, result: maskDeep(done.value).value };
  }

  private async store(actor: Actor, session: AssistantSession, question: string, a: Answer, asked: number, isNew: boolean): Promise<string> {
    const answered = Math.max(this.deps.clock.now(), asked + 1);
    const base = { orgId: actor.orgId, sessionId: session.id, citedIds: [] as string[], inputTokens: 0, outputTokens: 0, offline: a.offline, model: a.model };
    const q: AssistantMessage = { ...base, id: newId('msg', asked), role: 'user', text: question, toolCalls: [], stopped: null, createdAt: asked };
    const r: AssistantMessage = {
      ...base, id: newId('msg', answered), role: 'assistant', text: maskText(a.answer).text, toolCalls: a.toolCalls, citedIds: a.citedIds,
      inputTokens: a.usage.inputTokens, outputTokens: a.usage.outputTokens, stopped: a.stopped ?? null, createdAt: answered,
    };
    return this.deps.commit(actor, async (tx) => {
      if (isNew) await tx.assistant.insertSession(session);
      await tx.assistant.insertMessage(q);
      await tx.assistant.insertMessage(r);
      await tx.assistant.touchSession(actor.orgId, session.id, answered);
      const calls = a.toolCalls.map((c) => `${c.name}:${c.status}`).join(', ') || 'no tools';
      return {
        value: r.id,
        audit: {
          action: 'assistant.ask',
          subject: session.id,
          summary: `asked the assistant${isNew ? ' in a new session' : ''} (${a.offline ? 'offline' : (a.model ?? 'model')}; ${calls})`,
        },
        events: [
          {
            type: 'assistant.answered',
            subject: session.id,
            data: { sessionId: session.id, messageId: r.id, offline: a.offline, toolCalls: a.toolCalls.map((c) => c.name), citedIds: a.citedIds },
          },
        ],
      };
    });
  }
}
