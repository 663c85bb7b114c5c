import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { initHome } from '../server/init.js';
import { openStore } from '../server/store/index.js';
import { exited, spawnDaemon } from './hardening-daemon.js';
import { eventually, forEachStore, freshPgUrl, runCli, tempHome } from './helpers.js';

const WRITERS = 8;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

forEachStore('kill -9 while a client writes tasks as fast as it can', (kind) => {
  it('keeps every acknowledged write, leaves no half rows, and the audit chain verifies', async () => {
    const home = tempHome('foundry-crash-');
    const pg = kind === 'postgres' ? await freshPgUrl() : null;
    cleanups.push(async () => {
      await pg?.drop();
      rmSync(join(home, '..'), { recursive: true, force: true });
    });
    const init = await initHome({ home, db: pg?.url });
    let daemon = await spawnDaemon(home);
    cleanups.push(async () => {
      if (daemon.child.exitCode === null && daemon.child.signalCode === null) daemon.child.kill('SIGKILL');
      await exited(daemon.child);
    });

    // Each writer posts one task after another; a task counts as written only once its 201 arrived.
    const acked = new Map<string, { id: string; priority: string; description: string }>();
    let stop = false;
    let failedAfterKill = 0;
    const writer = async (w: number): Promise<void> => {
      for (let n = 0; !stop; n++) {
        const title = `crash ${kind} w${w} n${n}`;
        const sent = { title, priority: (['P1', 'P2', 'P3', 'P4'] as const)[n % 4], description: `written by writer ${w}: ${'x'.repeat(1 + (n % 200))}` };
        try {
          const res = await fetch(`${daemon.url}/v1/tasks`, {
            method: 'POST', headers: { authorization: `Bearer ${init.token}`, 'content-type': 'application/json' }, body: JSON.stringify(sent),
          });
          const body = (await res.json()) as { id?: string };
          if (res.status === 201 && body.id) acked.set(title, { id: body.id, priority: sent.priority, description: sent.description });
          else if (!stop) throw new Error(`write refused before the kill: ${res.status} ${JSON.stringify(body)}`);
        } catch (err) {
          if (!stop) throw err;
          failedAfterKill++;
          return;
        }
      }
    };
    const writers = Array.from({ length: WRITERS }, (_, w) => writer(w));
    await eventually(() => acked.size >= 150, 60_000, '150 acknowledged writes');
    stop = true;
    daemon.child.kill('SIGKILL');
    await exited(daemon.child);
    await Promise.all(writers);
    expect(daemon.child.signalCode).toBe('SIGKILL');

    daemon = await spawnDaemon(home);
    const verify = await runCli(['audit', 'verify', '--json'], { home, env: { FOUNDRY_URL: daemon.url, FOUNDRY_TOKEN: init.token } });
    expect(verify.stderr).toBe('');
    expect(verify.code).toBe(0);
    expect(JSON.parse(verify.stdout)).toMatchObject({ ok: true });
    // The restarted daemon takes writes again.
    const after = await fetch(`${daemon.url}/v1/tasks`, {
      method: 'POST', headers: { authorization: `Bearer ${init.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ title: 'after the crash' }),
    });
    expect(after.status).toBe(201);
    daemon.child.kill('SIGTERM');
    await exited(daemon.child);

    const store = await openStore(init.db, { migrate: false });
    try {
      const rows = await store.db.all<{ id: string; title: string; priority: string; description: string; status: string; source: string; created_at: unknown }>(
        'SELECT id, title, priority, description, status, source, created_at FROM tasks WHERE organization_id = ? AND title LIKE ?', [init.orgId, `crash ${kind} %`],
      );
      const byTitle = new Map(rows.map((r) => [r.title, r]));
      const lost = [...acked.keys()].filter((t) => !byTitle.has(t));
      expect(lost, `${lost.length} of ${acked.size} acknowledged writes lost`).toEqual([]);
      for (const [title, a] of acked) {
        const row = byTitle.get(title)!;
        expect({ id: row.id, priority: row.priority, description: row.description }).toEqual(a);
      }
      // Every stored task, acknowledged or caught in flight, is whole: its row, audit entry and event together.
      const audited = new Set((await store.audit.chain(init.orgId)).filter((e) => e.action === 'task.create').map((e) => e.subject));
      const evented = new Set((await store.events.list(init.orgId, { types: ['task.created'], limit: 1_000_000 })).map((e) => e.subject));
      for (const r of rows) {
        expect(r.status && r.source && r.created_at !== null, `half row ${r.id}`).toBeTruthy();
        expect(audited.has(r.id), `task ${r.id} has no audit entry`).toBe(true);
        expect(evented.has(r.id), `task ${r.id} has no task.created event`).toBe(true);
      }
      expect(rows.length).toBeGreaterThanOrEqual(acked.size);
      console.info(`crash [${kind}]: ${acked.size} writes acknowledged before kill -9, ${rows.length} stored, ${failedAfterKill} writers cut off`);
    } finally {
      await store.close();
    }
  }, 180_000);
});
