import { afterAll, beforeAll, expect, it } from 'vitest';
import type { AssistantMessage } from '../core/assistant/ports.js';
import type { SqlStore } from '../server/store/index.js';
import { forEachStore, openTestStore } from './helpers.js';

forEachStore('assistant repository', (kind) => {
  let store: SqlStore;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ store, cleanup } = await openTestStore(kind));
  });
  afterAll(async () => cleanup?.());

  const msg = (id: string, orgId: string, sessionId: string, at: number, role: 'user' | 'assistant'): AssistantMessage => ({
    id, orgId, sessionId, role, text: `${role} ${id}`, toolCalls: role === 'assistant' ? [{ name: 'workload', input: {}, status: 'ok' }] : [],
    citedIds: role === 'assistant' ? ['tsk_0000000000000000a'] : [], inputTokens: 12, outputTokens: 3, offline: role === 'user', model: null,
    stopped: null, createdAt: at,
  });

  it('keeps sessions per user and organisation, newest first', async () => {
    const base = { title: 't', createdAt: 1, updatedAt: 1 };
    await store.assistant.insertSession({ ...base, id: 'ses_a', orgId: 'org_1', userId: 'usr_1' });
    await store.assistant.insertSession({ ...base, id: 'ses_b', orgId: 'org_1', userId: 'usr_1', updatedAt: 5 });
    await store.assistant.insertSession({ ...base, id: 'ses_c', orgId: 'org_1', userId: 'usr_2' });
    await store.assistant.insertSession({ ...base, id: 'ses_d', orgId: 'org_2', userId: 'usr_1' });
    expect((await store.assistant.listSessions('org_1', 'usr_1', 10)).map((s) => s.id)).toEqual(['ses_b', 'ses_a']);
    expect(await store.assistant.getSession('org_2', 'ses_a')).toBeUndefined();
    await store.assistant.touchSession('org_1', 'ses_a', 9);
    expect((await store.assistant.listSessions('org_1', 'usr_1', 1))[0]!.id).toBe('ses_a');
  });

  it('returns the last messages of a session, oldest first, with their work', async () => {
    for (let i = 0; i < 6; i++) await store.assistant.insertMessage(msg(`msg_${i}`, 'org_1', 'ses_a', 100 + i, i % 2 ? 'assistant' : 'user'));
    await store.assistant.insertMessage(msg('msg_other', 'org_2', 'ses_a', 200, 'user'));
    const last = await store.assistant.listMessages('org_1', 'ses_a', 4);
    expect(last.map((m) => m.id)).toEqual(['msg_2', 'msg_3', 'msg_4', 'msg_5']);
    expect(last[1]).toMatchObject({ role: 'assistant', toolCalls: [{ name: 'workload', status: 'ok' }], citedIds: ['tsk_0000000000000000a'], offline: false, inputTokens: 12 });
    expect(last[0]!.offline).toBe(true);
    expect(await store.assistant.countMessages('org_1', 'ses_a')).toBe(6);
  });
});
