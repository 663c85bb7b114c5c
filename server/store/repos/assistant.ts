import type { AssistantMessage, AssistantRepo, AssistantSession } from '../../../core/assistant/ports.js';
import { bool, json, num, parseJson, type SqlDb } from '../sql.js';

type SessionRow = { id: string; organization_id: string; user_id: string; title: string; created_at: unknown; updated_at: unknown };
type MessageRow = {
  id: string; organization_id: string; session_id: string; role: string; text: string; tool_calls: string; cited_ids: string;
  input_tokens: unknown; output_tokens: unknown; offline: unknown; model: string | null; stopped: string | null; created_at: unknown;
};

const toSession = (r: SessionRow): AssistantSession => ({
  id: r.id, orgId: r.organization_id, userId: r.user_id, title: r.title, createdAt: num(r.created_at), updatedAt: num(r.updated_at),
});

const toMessage = (r: MessageRow): AssistantMessage => ({
  id: r.id, orgId: r.organization_id, sessionId: r.session_id, role: r.role === 'assistant' ? 'assistant' : 'user', text: r.text,
  toolCalls: parseJson(r.tool_calls, []), citedIds: parseJson(r.cited_ids, []), inputTokens: num(r.input_tokens),
  outputTokens: num(r.output_tokens), offline: bool(r.offline), model: r.model, stopped: r.stopped, createdAt: num(r.created_at),
});

/** The assistant area's tables: sessions and their messages. */
export class SqlAssistantRepo implements AssistantRepo {
  constructor(protected readonly db: SqlDb) {}

  async insertSession(s: AssistantSession): Promise<void> {
    await this.db.run(
      'INSERT INTO assistant_sessions (id, organization_id, user_id, title, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)',
      [s.id, s.orgId, s.userId, s.title, s.createdAt, s.updatedAt],
    );
  }

  async getSession(orgId: string, id: string): Promise<AssistantSession | undefined> {
    const r = await this.db.get<SessionRow>('SELECT * FROM assistant_sessions WHERE organization_id = ? AND id = ?', [orgId, id]);
    return r ? toSession(r) : undefined;
  }

  async listSessions(orgId: string, userId: string, limit: number): Promise<AssistantSession[]> {
    const n = Math.max(1, Math.min(500, Math.floor(limit)));
    const rows = await this.db.all<SessionRow>(
      `SELECT * FROM assistant_sessions WHERE organization_id = ? AND user_id = ? ORDER BY updated_at DESC, id DESC LIMIT ${n}`,
      [orgId, userId],
    );
    return rows.map(toSession);
  }

  async touchSession(orgId: string, id: string, at: number): Promise<void> {
    await this.db.run('UPDATE assistant_sessions SET updated_at = ? WHERE organization_id = ? AND id = ?', [at, orgId, id]);
  }

  async insertMessage(m: AssistantMessage): Promise<void> {
    await this.db.run(
      `INSERT INTO assistant_messages (id, organization_id, session_id, role, text, tool_calls, cited_ids, input_tokens,
         output_tokens, offline, model, stopped, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [m.id, m.orgId, m.sessionId, m.role, m.text, json(m.toolCalls), json(m.citedIds), m.inputTokens, m.outputTokens, m.offline,
        m.model, m.stopped, m.createdAt],
    );
  }

  async listMessages(orgId: string, sessionId: string, limit: number): Promise<AssistantMessage[]> {
    const n = Math.max(1, Math.min(10_000, Math.floor(limit)));
    // ids start with their creation time, so they break ties between messages of the same millisecond
    const rows = await this.db.all<MessageRow>(
      `SELECT * FROM assistant_messages WHERE organization_id = ? AND session_id = ? ORDER BY created_at DESC, id DESC LIMIT ${n}`,
      [orgId, sessionId],
    );
    return rows.map(toMessage).reverse();
  }

  async countMessages(orgId: string, sessionId: string): Promise<number> {
    const r = await this.db.get<{ n: unknown }>(
      'SELECT COUNT(*) AS n FROM assistant_messages WHERE organization_id = ? AND session_id = ?',
      [orgId, sessionId],
    );
    return num(r?.n ?? 0);
  }
}
