import { portable, type Migration } from './types.js';

/** The assistant area's schema (versions 500-599, docs/extending.md). */
export const assistantMigrations: Migration[] = [
  portable(
    500,
    'assistant sessions and messages',
    `CREATE TABLE assistant_sessions (
       id TEXT PRIMARY KEY,
       organization_id TEXT NOT NULL,
       user_id TEXT NOT NULL,
       title TEXT NOT NULL,
       created_at BIGINT NOT NULL,
       updated_at BIGINT NOT NULL
     );
     CREATE INDEX assistant_sessions_user ON assistant_sessions (organization_id, user_id, updated_at);
     CREATE TABLE assistant_messages (
       id TEXT PRIMARY KEY,
       organization_id TEXT NOT NULL,
       session_id TEXT NOT NULL,
       role TEXT NOT NULL,
       text TEXT NOT NULL,
       tool_calls TEXT NOT NULL,
       cited_ids TEXT NOT NULL,
       input_tokens INTEGER NOT NULL,
       output_tokens INTEGER NOT NULL,
       offline INTEGER NOT NULL,
       model TEXT,
       stopped TEXT,
       created_at BIGINT NOT NULL
     );
     CREATE INDEX assistant_messages_session ON assistant_messages (organization_id, session_id, created_at)`,
  ),
];
