import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyChain } from '../core/audit/chain.js';
import { daemonConfig } from '../server/config.js';
import { createDaemon, type Daemon } from '../server/daemon.js';
import { initHome } from '../server/init.js';
import { silentLogger } from '../server/log.js';
import { eventually, freePort, freshPgUrl, tempHome } from './helpers.js';

const PG = process.env.FOUNDRY_TEST_PG;
const REDIS = process.env.FOUNDRY_TEST_REDIS;

interface Seen { ids: number[]; titles: Set<string> }

/** Follows /v1/events on one daemon, recording every task.created it gets. */
async function follow(url: string, token: string, seen: Seen, signal: AbortSignal): Promise<void> {
  const res = await fetch(`${url}/v1/events?types=task.created`, { headers: { authorization: `Bearer ${token}` }, signal });
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buf = '';
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buf += decoder.decode(value, { stream: true });
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const frame = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const id = /^id: (\d+)$/m.exec(frame);
          const data = /^data: (.*)$/m.exec(frame);
          if (id && data) {
            seen.ids.push(Number(id[1]));
            seen.titles.add((JSON.parse(data[1]!) as { data: { title: string } }).data.title);
          }
        }
      }
    } catch {
      // aborted at the end of the test
    }
  })();
}

describe.skipIf(!PG || !REDIS)('three daemons on one PostgreSQL and one Redis', () => {
  const daemons: Daemon[] = [];
  const urls: string[] = [];
  let token = '';
  let home = '';
  let dropPg: () => Promise<void>;
  const prefix = `t${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    const pg = await freshPgUrl();
    dropPg = pg.drop;
    home = tempHome();
    const init = await initHome({ home, db: pg.url, demo: true });
    token = init.token;
    for (let i = 0; i < 3; i++) {
      const config = { ...daemonConfig({ home, port: 0, db: pg.url, redis: `${REDIS}?prefix=${prefix}` }, {}), logFile: null, drainMs: 2000 };
      const d = await createDaemon(config, { log: silentLogger() });
      urls.push(await d.listen());
      daemons.push(d);
    }
  });

  afterAll(async () => {
    for (const d of daemons) await d.close();
    await dropPg?.();
    const redis = new Redis(REDIS!);
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
    rmSync(dirname(home), { recursive: true, force: true });
  });

  it('reports Redis in readiness', async () => {
    const res = await fetch(`${urls[0]}/readyz`, { headers: { authorization: `Bearer ${token}` } });
    expect(await res.json()).toEqual({ status: 'ready', checks: { store: 'ok', redis: 'ok', jobs: 'ok' } });
  });

  it('stores 3,000 tasks created through all three at once exactly once, every SSE client sees every event in order, and the audit chain holds', async () => {
    const abort = new AbortController();
    const seen: Seen[] = urls.map(() => ({ ids: [], titles: new Set() }));
    await Promise.all(urls.map((u, i) => follow(u, token, seen[i]!, abort.signal)));
    const N = 3000;
    let next = 0;
    const failures: string[] = [];
    const worker = async (w: number): Promise<void> => {
      while (next < N) {
        const n = next++;
        const res = await fetch(`${urls[(n + w) % 3]}/v1/tasks`, {
          method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ title: `scaled ${n}` }),
        });
        if (res.status !== 201) failures.push(`${n}: ${res.status}`);
        await res.arrayBuffer();
      }
    };
    await Promise.all(Array.from({ length: 24 }, (_, w) => worker(w)));
    expect(failures).toEqual([]);
    for (const [i, s] of seen.entries()) {
      await eventually(() => s.titles.size >= N, 60_000, `all ${N} events at daemon ${i}`);
      expect(s.ids.length).toBe(N);
      expect([...s.ids].sort((a, b) => a - b)).toEqual(s.ids);
    }
    abort.abort();
    const store = daemons[0]!.store;
    const orgId = (await store.orgs.list())[0]!.id;
    const stored = await store.tasks.list(orgId, { limit: 100_000 });
    const scaled = stored.filter((t) => t.title.startsWith('scaled '));
    expect(scaled).toHaveLength(N);
    expect(new Set(scaled.map((t) => t.title)).size).toBe(N);
    expect(verifyChain(await store.audit.chain(orgId)).ok).toBe(true);
  }, 180_000);

  it('refuses on every daemon a token revoked on one, though each keeps recent grants', async () => {
    const api = (i: number, path: string, bearer: string, init: RequestInit = {}): Promise<Response> =>
      fetch(`${urls[i]}${path}`, { ...init, headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' } });
    const created = (await (await api(0, '/v1/users', token, { method: 'POST', body: JSON.stringify({ name: 'short-lived', role: 'viewer' }) })).json()) as { token: string; tokenId: string };
    for (let i = 0; i < 3; i++) expect((await api(i, '/v1/teams', created.token)).status).toBe(200);
    expect((await api(0, `/v1/tokens/${created.tokenId}/revoke`, token, { method: 'POST' })).status).toBe(200);
    expect((await api(0, '/v1/teams', created.token)).status).toBe(401);
    // The others hear of it through the bus, well before their cached grant would expire (2 s).
    for (const i of [1, 2]) await eventually(async () => (await api(i, '/v1/teams', created.token)).status === 401, 1_000, `daemon ${i} to refuse the token`);
  });
});

describe.skipIf(!REDIS)('scheduler leases in Redis', () => {
  it('lets one daemon hold a lease, renew it, and hands it over with a higher fence when the holder dies', async () => {
    const { RedisLeases } = await import('../server/locks/redis.js');
    const url = `${REDIS}?prefix=l${randomBytes(4).toString('hex')}`;
    const a = new RedisLeases(url, 'daemon-a');
    const b = new RedisLeases(url, 'daemon-b');
    try {
      const first = await a.acquire('compliance.sweep', 400);
      expect(first).not.toBeNull();
      expect(await b.acquire('compliance.sweep', 400)).toBeNull();
      expect(await a.acquire('compliance.sweep', 400)).toEqual(first);
      // a stops renewing (it died): after the lease runs out, b takes over with a higher fence
      const taken = await eventually(() => b.acquire('compliance.sweep', 400), 5000, 'b to take the lease');
      expect(taken.fence).toBeGreaterThan(first!.fence);
      expect(await a.acquire('compliance.sweep', 400)).toBeNull();
    } finally {
      a.close();
      b.close();
    }
  });

  it('runs a leased loop on one of two daemons only, and moves it when that one stops', async () => {
    const { RedisLeases } = await import('../server/locks/redis.js');
    const { leasedLoop } = await import('../server/schedule.js');
    const url = `${REDIS}?prefix=l${randomBytes(4).toString('hex')}`;
    const runs: string[] = [];
    const leasesA = new RedisLeases(url, 'a');
    const leasesB = new RedisLeases(url, 'b');
    const loopA = leasedLoop({ name: 'sweep', everyMs: 100, firstInMs: 0, leases: leasesA, log: silentLogger(), work: async () => void runs.push('a') });
    await eventually(() => runs.includes('a'), 5000, 'a to run');
    const loopB = leasedLoop({ name: 'sweep', everyMs: 100, firstInMs: 0, leases: leasesB, log: silentLogger(), work: async () => void runs.push('b') });
    await new Promise((r) => setTimeout(r, 500));
    expect(runs.includes('b')).toBe(false);
    loopA.stop();
    await eventually(() => runs.includes('b'), 5000, 'b to take over');
    loopB.stop();
    leasesA.close();
    leasesB.close();
  });
});

describe.skipIf(!PG || !REDIS)('when Redis goes away', () => {
  it('degrades clearly, keeps events flowing between daemons through the store, and recovers', async () => {
    const { spawn } = await import('node:child_process');
    const port = await freePort();
    const startRedis = () => spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    let redis = startRedis();
    const pg = await freshPgUrl();
    const home = tempHome();
    const init = await initHome({ home, db: pg.url });
    const ds: Daemon[] = [];
    const urls: string[] = [];
    try {
      await eventually(async () => {
        const r = new Redis(`redis://127.0.0.1:${port}`, { lazyConnect: true, maxRetriesPerRequest: 0 });
        try { await r.connect(); return (await r.ping()) === 'PONG'; } finally { r.disconnect(); }
      }, 10_000, 'the private redis');
      for (let i = 0; i < 2; i++) {
        const config = { ...daemonConfig({ home, port: 0, db: pg.url, redis: `redis://127.0.0.1:${port}` }, {}), logFile: null, drainMs: 1000 };
        const d = await createDaemon(config, { log: silentLogger() });
        urls.push(await d.listen());
        ds.push(d);
      }
      const auth = { authorization: `Bearer ${init.token}` };
      const ready = async (u: string) => (await (await fetch(`${u}/readyz`, { headers: auth })).json()) as { status: string; checks: Record<string, string> };
      await eventually(async () => (await ready(urls[0]!)).checks.redis === 'ok', 10_000, 'redis ok');

      const seen: Seen = { ids: [], titles: new Set() };
      const abort = new AbortController();
      await follow(urls[1]!, init.token, seen, abort.signal);
      const create = (title: string) => fetch(`${urls[0]}/v1/tasks`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ title }) });
      expect((await create('with redis')).status).toBe(201);
      await eventually(() => seen.titles.has('with redis'), 10_000, 'the first event on the other daemon');

      const json = { ...auth, 'content-type': 'application/json' };
      const source = JSON.stringify({ name: 'through-the-outage', cooldown: 0, steps: [{ id: 'tell', type: 'notify', channel: 'event', text: 'ran' }] });
      const playbook = (await (await fetch(`${urls[0]}/v1/healing/playbooks`, { method: 'POST', headers: json, body: JSON.stringify({ source }) })).json()) as { id: string };

      redis.kill('SIGKILL');
      await eventually(async () => (await ready(urls[0]!)).checks.redis.startsWith('degraded'), 15_000, 'readiness to say degraded');
      await eventually(async () => (await ready(urls[0]!)).checks.jobs.startsWith('degraded'), 15_000, 'the job queue to say degraded');
      expect((await ready(urls[0]!)).status).toBe('ready');
      expect((await create('without redis')).status).toBe(201);
      await eventually(() => seen.titles.has('without redis'), 10_000, 'the event to travel through the store');
      // A playbook run during the outage is accepted; its job waits in memory, and readiness says so.
      const run = await fetch(`${urls[0]}/v1/healing/playbooks/${playbook.id}/run`, { method: 'POST', headers: json, body: '{}' });
      expect(run.status).toBe(201);
      const action = (await run.json()) as { id: string; status: string };
      expect(action.status).toBe('pending');
      expect((await ready(urls[0]!)).checks.jobs).toContain('1 job(s) held in memory');

      redis = startRedis();
      await eventually(async () => (await ready(urls[0]!)).checks.redis === 'ok', 20_000, 'redis to come back');
      await eventually(async () => (await ready(urls[0]!)).checks.jobs === 'ok', 20_000, 'the job queue to recover');
      await eventually(async () => {
        const a = (await (await fetch(`${urls[1]}/v1/healing/actions/${action.id}`, { headers: auth })).json()) as { status: string };
        return a.status === 'succeeded';
      }, 20_000, 'the action held through the outage to run');
      expect((await create('redis is back')).status).toBe(201);
      await eventually(() => seen.titles.has('redis is back'), 10_000, 'events after recovery');
      expect([...seen.ids].sort((a, b) => a - b)).toEqual(seen.ids);
      expect(new Set(seen.ids).size).toBe(seen.ids.length);
      abort.abort();
    } finally {
      for (const d of ds) await d.close();
      redis.kill('SIGKILL');
      await pg.drop();
      rmSync(dirname(home), { recursive: true, force: true });
    }
  }, 120_000);
});

describe.skipIf(!PG)("an organisation's lock on PostgreSQL", () => {
  it('is held by a transaction that asks for it twice until it commits, and taken afresh by every transaction', async () => {
    const { PostgresDb } = await import('../server/store/postgres.js');
    const pg = await freshPgUrl();
    const db = await PostgresDb.open(pg.url);
    const lock = 'SELECT pg_advisory_xact_lock(hashtext(?))';
    const key = `org:${randomBytes(4).toString('hex')}`;
    // Transactions waiting for this key (a bigint lock key's low 32 bits are its objid).
    const waiting = async () => Number((await db.get<{ n: number }>(
      "SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND objid = (hashtext(?)::bigint & 4294967295)::oid", [key],
    ))!.n);
    try {
      // An earlier transaction that asked twice: what it held ended with it.
      await db.transaction(async (tx) => {
        await tx.run(lock, [key]);
        await tx.run(lock, [key]);
      });
      const order: string[] = [];
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      let entered!: () => void;
      const inFirst = new Promise<void>((r) => (entered = r));
      const first = db.transaction(async (tx) => {
        await tx.run(lock, [key]);
        await tx.run(lock, [key]);
        entered();
        await held;
        order.push('first');
      });
      await inFirst;
      const second = db.transaction(async (tx) => {
        await tx.run(lock, [key]);
        order.push('second');
      });
      await eventually(async () => (await waiting()) === 1, 10_000, 'the second transaction to wait for the lock');
      expect(order).toEqual([]);
      release();
      await Promise.all([first, second]);
      expect(order).toEqual(['first', 'second']);
    } finally {
      await db.close();
      await pg.drop();
    }
  });
});
