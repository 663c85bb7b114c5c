import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyChain } from '../core/audit/chain.js';
import { newId } from '../core/ids.js';
import type { Member, Org, Task, Team } from '../core/model.js';
import type { SqlStore } from '../server/store/index.js';
import { forEachStore, openTestStore, type StoreKind } from './helpers.js';

const NOW = Date.UTC(2026, 10, 2, 9, 0);

function org(name: string): Org {
  return { id: newId('org', NOW), name, createdAt: NOW };
}
function team(orgId: string, name: string): Team {
  return { id: newId('team', NOW), orgId, name, description: null, timezone: 'Europe/Berlin', workingHours: { start: '09:00', end: '17:00', days: [1, 2, 3, 4, 5] }, holidays: ['2026-12-25'], createdAt: NOW };
}
function member(orgId: string, teamId: string, name: string): Member {
  return { id: newId('mem', NOW), orgId, teamId, name, email: `${name}@x.example`, skills: { postgres: 4 }, timezone: 'Europe/Berlin', workingHours: null, capacity: 3, calendarUrl: null, onCall: true, active: true, createdAt: NOW };
}
function task(orgId: string, title: string, extra: Partial<Task> = {}): Task {
  return {
    id: newId('tsk', NOW), orgId, title, description: '', priority: 'P2', status: 'open', teamId: null, assigneeId: null,
    tags: { area: 'db' }, source: 'api', createdBy: 'alice', createdAt: NOW, updatedAt: NOW, acknowledgedAt: null, resolvedAt: null, ...extra,
  };
}

/** Edits the audit table behind the store's back, as an attacker with database access would. */
async function tamper(store: SqlStore, sql: string, params: (string | number)[]): Promise<void> {
  await store.db.run(sql, params);
}

forEachStore('store contract', (kind: StoreKind) => {
  let store: SqlStore;
  let cleanup: () => Promise<void>;
  const a = org('org-a');
  const b = org('org-b');

  beforeAll(async () => {
    ({ store, cleanup } = await openTestStore(kind));
    await store.orgs.insert(a);
    await store.orgs.insert(b);
  });
  afterAll(async () => cleanup());

  it('stores teams and members with their working hours, skills and flags intact', async () => {
    const t = team(a.id, 'dba');
    await store.teams.insert(t);
    const m = member(a.id, t.id, 'nina');
    await store.members.insert(m);
    expect(await store.teams.find(a.id, 'dba')).toEqual(t);
    expect(await store.teams.find(a.id, t.id)).toEqual(t);
    expect(await store.members.find(a.id, 'nina')).toEqual(m);
    expect(await store.members.list(a.id, { teamId: t.id })).toEqual([m]);
    await store.members.update({ ...m, capacity: 7, onCall: false });
    expect(await store.members.find(a.id, m.id)).toMatchObject({ capacity: 7, onCall: false });
  });

  it('never shows one organisation another organisation\'s rows', async () => {
    const t = team(a.id, 'platform');
    await store.teams.insert(t);
    const secret = task(a.id, 'only org A may see this');
    await store.tasks.insert(secret);
    expect(await store.teams.find(b.id, 'platform')).toBeUndefined();
    expect(await store.tasks.get(b.id, secret.id)).toBeUndefined();
    expect(await store.tasks.list(b.id)).toEqual([]);
    expect(await store.compliance.tasksByIds(b.id, [secret.id])).toEqual([]);
    expect((await store.compliance.tasksByIds(a.id, [secret.id])).map((t) => t.id)).toEqual([secret.id]);
    await store.tasks.update({ ...secret, orgId: b.id, title: 'hijacked' });
    expect((await store.tasks.get(a.id, secret.id))!.title).toBe('only org A may see this');
  });

  it('filters and counts tasks by status, team and assignee, newest first', async () => {
    const t = team(a.id, 'support');
    await store.teams.insert(t);
    const m = member(a.id, t.id, 'omar');
    await store.members.insert(m);
    const older = task(a.id, 'older', { teamId: t.id, createdAt: NOW - 1000 });
    const newer = task(a.id, 'newer', { teamId: t.id, assigneeId: m.id, status: 'acknowledged' });
    await store.tasks.insertMany([older, newer]);
    expect((await store.tasks.list(a.id, { teamId: t.id })).map((x) => x.title)).toEqual(['newer', 'older']);
    expect((await store.tasks.list(a.id, { teamId: t.id, status: 'open' })).map((x) => x.title)).toEqual(['older']);
    expect(await store.tasks.count(a.id, { assigneeId: m.id })).toBe(1);
    expect(await store.tasks.count(a.id, { teamId: t.id, status: ['open', 'acknowledged'] })).toBe(2);
  });

  it('rolls a failed transaction back whole', async () => {
    const t1 = task(a.id, 'first of two');
    await expect(
      store.transaction(async (tx) => {
        await tx.tasks.insert(t1);
        await tx.tasks.insert({ ...t1 }); // same id: the second insert fails
      }),
    ).rejects.toThrow();
    expect(await store.tasks.get(a.id, t1.id)).toBeUndefined();
  });

  it('keeps transactions started together apart: one that fails leaves the others whole', async () => {
    const [t1, t2, t3] = ['together one', 'together two', 'together three'].map((title) => task(a.id, title));
    const results = await Promise.allSettled([
      store.transaction(async (tx) => tx.tasks.insert(t1!)),
      store.transaction(async (tx) => {
        await tx.tasks.insert(t2!);
        throw new Error('abort the middle one');
      }),
      store.transaction(async (tx) => tx.tasks.insert(t3!)),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(await store.tasks.get(a.id, t1!.id)).toBeDefined();
    expect(await store.tasks.get(a.id, t2!.id)).toBeUndefined();
    expect(await store.tasks.get(a.id, t3!.id)).toBeDefined();
  });

  it('runs commit hooks only after a transaction commits', async () => {
    const seen: string[] = [];
    await store.transaction(async (tx) => {
      tx.onCommit(() => seen.push('committed'));
      expect(seen).toEqual([]);
    });
    await store.transaction(async (tx) => {
      tx.onCommit(() => seen.push('never'));
      throw new Error('abort');
    }).catch(() => undefined);
    expect(seen).toEqual(['committed']);
  });

  it('gives events increasing ids and replays them after an id, by type', async () => {
    const e = await store.transaction((tx) =>
      tx.events.insert(a.id, 'alice', NOW, [
        { type: 'task.created', subject: 't1', data: { n: 1 } },
        { type: 'task.routed', subject: 't1', data: { n: 2 } },
        { type: 'task.created', subject: 't2', data: { n: 3 } },
      ]),
    );
    expect(e[0]!.id).toBeLessThan(e[1]!.id);
    expect(e[1]!.id).toBeLessThan(e[2]!.id);
    const after = await store.events.list(a.id, { afterId: e[0]!.id });
    expect(after.map((x) => x.data)).toEqual([{ n: 2 }, { n: 3 }]);
    const created = await store.events.list(a.id, { afterId: 0, types: ['task.created'] });
    expect(created.map((x) => x.subject)).toEqual(['t1', 't2']);
    expect(await store.events.list(b.id, { afterId: 0 })).toEqual([]);
    expect(await store.events.lastId(a.id)).toBe(e[2]!.id);
  });

  it('revokes tokens and finds the grant with its user', async () => {
    const user = { id: newId('usr', NOW), orgId: a.id, name: 'carol', role: 'manager' as const, memberId: null, createdAt: NOW };
    await store.users.insert(user);
    const token = { id: newId('tok', NOW), orgId: a.id, userId: user.id, createdAt: NOW, expiresAt: null, revokedAt: null };
    await store.tokens.insert(token);
    expect(await store.tokens.grant(token.id)).toEqual({ token, user });
    expect(await store.tokens.revoke(b.id, token.id, NOW)).toBe(false);
    expect(await store.tokens.revoke(a.id, token.id, NOW + 1)).toBe(true);
    expect((await store.tokens.grant(token.id))!.token.revokedAt).toBe(NOW + 1);
    expect(await store.users.remove(a.id, user.id)).toBe(true);
    expect(await store.tokens.grant(token.id)).toBeUndefined();
  });

  describe('audit chain', () => {
    const c = org('org-audit');
    async function appendFive(): Promise<void> {
      await store.orgs.insert(c);
      for (let i = 1; i <= 5; i++) {
        await store.transaction((tx) => tx.audit.append(c.id, 'alice', NOW + i, { action: 'task.create', subject: `tsk_${i}`, summary: `created ${i}` }));
      }
    }

    beforeAll(appendFive);

    it('links every entry to the one before', async () => {
      const chain = await store.audit.chain(c.id);
      expect(chain).toHaveLength(5);
      expect(verifyChain(chain).ok).toBe(true);
      expect((await store.audit.list(c.id, 2)).map((e) => e.subject)).toEqual(['tsk_5', 'tsk_4']);
    });

    it('appends several entries of one change together, each covering the one before, after the others', async () => {
      const d = org('org-audit-many');
      await store.orgs.insert(d);
      await store.transaction((tx) => tx.audit.append(d.id, 'alice', NOW, { action: 'rule.create', subject: 'r1', summary: 'first' }));
      const drafts = Array.from({ length: 70 }, (_, i) => ({ action: 'issue.open', subject: `iss_${i}`, summary: `opened ${i}` }));
      const many = await store.transaction((tx) => tx.audit.appendMany(d.id, 'alertmanager', NOW + 1, drafts));
      expect(many.map((e) => e.subject)).toEqual(drafts.map((x) => x.subject));
      const chain = await store.audit.chain(d.id);
      expect(chain).toHaveLength(71);
      expect(chain.map((e) => e.subject)).toEqual(['r1', ...drafts.map((x) => x.subject)]);
      expect(chain.slice(1)).toEqual(many);
      expect(verifyChain(chain).ok).toBe(true);
    });

    it('finds an entry edited directly in the database', async () => {
      const [, second] = await store.audit.chain(c.id);
      await tamper(store, 'UPDATE audit_log SET summary = ? WHERE id = ?', ['nothing happened', second!.id]);
      const report = verifyChain(await store.audit.chain(c.id));
      expect(report).toMatchObject({ ok: false, firstBad: { entry: { id: second!.id }, reason: 'hash_mismatch' } });
      await tamper(store, 'UPDATE audit_log SET summary = ? WHERE id = ?', [second!.summary, second!.id]);
      expect(verifyChain(await store.audit.chain(c.id)).ok).toBe(true);
    });

    it('finds two entries swapped (reordered) in the database', async () => {
      const chain = await store.audit.chain(c.id);
      const [x, y] = [chain[2]!, chain[3]!];
      const swap = async (from: typeof x, to: typeof y): Promise<void> =>
        tamper(store, 'UPDATE audit_log SET at = ?, actor = ?, action = ?, subject = ?, summary = ?, prev_hash = ?, hash = ? WHERE id = ?',
          [from.at, from.actor, from.action, from.subject ?? '', from.summary, from.prevHash, from.hash, to.id]);
      await swap(y, x);
      await swap(x, y);
      const report = verifyChain(await store.audit.chain(c.id));
      expect(report.ok).toBe(false);
      expect(report.firstBad!.entry.id).toBe(x.id);
      await swap(x, x);
      await swap(y, y);
      expect(verifyChain(await store.audit.chain(c.id)).ok).toBe(true);
    });

    it('finds an entry deleted from the database, at the entry after it', async () => {
      const chain = await store.audit.chain(c.id);
      await tamper(store, 'DELETE FROM audit_log WHERE id = ?', [chain[1]!.id]);
      const report = verifyChain(await store.audit.chain(c.id));
      expect(report).toMatchObject({ ok: false, firstBad: { entry: { id: chain[2]!.id }, reason: 'broken_link' } });
    });
  });
});
