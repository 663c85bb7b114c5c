/** What the assistant engine needs from the store (`store.assistant`). */
import type { ToolCallRecord } from './execute.js';

/** A conversation; it belongs to the user who started it. */
export interface AssistantSession {
  id: string;
  orgId: string;
  userId: string;
  title: string;
  createdAt: number;
  updatedAt: number;
}

/** One turn. Text is stored masked, as it was shown. */
export interface AssistantMessage {
  id: string;
  orgId: string;
  sessionId: string;
  role: 'user' | 'assistant';
  text: string;
  toolCalls: ToolCallRecord[];
  citedIds: string[];
  inputTokens: number;
  outputTokens: number;
  offline: boolean;
  model: string | null;
  /** Why the answer stopped early (aborted, round_limit, a model failure), or null. */
  stopped: string | null;
  createdAt: number;
}

export interface AssistantRepo {
  insertSession(s: AssistantSession): Promise<void>;
  getSession(orgId: string, id: string): Promise<AssistantSession | undefined>;
  /** Newest first. */
  listSessions(orgId: string, userId: string, limit: number): Promise<AssistantSession[]>;
  touchSession(orgId: string, id: string, at: number): Promise<void>;
  insertMessage(m: AssistantMessage): Promise<void>;
  /** The last `limit` messages of a session, oldest first. */
  listMessages(orgId: string, sessionId: string, limit: number): Promise<AssistantMessage[]>;
  countMessages(orgId: string, sessionId: string): Promise<number>;
}
