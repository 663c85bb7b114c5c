import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAllowed } from '../core/auth/permissions.js';
import { ROLES, type Role } from '../core/model.js';
import { signToken } from '../server/http/tokens.js';
import { readJwtKey } from '../server/state.js';
import { startDaemon, type TestDaemon } from './helpers.js';

const b64 = (x: unknown): string => Buffer.from(JSON.stringify(x)).toString('base64url');

/** Sends one request and reads only the status (event streams are cut off after their headers). */
async function statusOf(d: TestDaemon, method: string, path: string, token: string | null, body?: unknown): Promise<number> {
  const abort = new AbortController();
  const res = await d.api(path, { method, token, json: body, signal: abort.signal });
  abort.abort();
  return res.status;
}

function concretePath(path: string): string {
  return path.replace(/:(\w+)/g, 'does-not-exist');
}

describe('authentication', () => {
  let d: TestDaemon;
  let key: Uint8Array;
  beforeAll(async () => {
    d = await startDaemon();
    key = readJwtKey(d.home)!;
  });
  afterAll(async () => d.stop());

  const claimsOf = (token: string): Record<string, unknown> => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());

  it('accepts the admin token', async () => {
    expect(await statusOf(d, 'GET', '/v1/teams', d.token)).toBe(200);
  });

  it('refuses a missing or malformed Authorization header with 401', async () => {
    expect(await statusOf(d, 'GET', '/v1/teams', null)).toBe(401);
    const res = await fetch(`${d.url}/v1/teams`, { headers: { authorization: `Basic ${d.token}` } });
    expect(res.status).toBe(401);
  });

  it('refuses an expired token', async () => {
    const c = claimsOf(d.token);
    const expired = await signToken(key, { tokenId: c.jti as string, orgId: c.org as string, userId: c.sub as string, role: 'admin', expiresAt: Date.now() - 60_000 }, Date.now() - 120_000);
    const res = await d.api('/v1/teams', { token: expired });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/expired/);
  });

  it('refuses a tampered token (payload changed, signature kept)', async () => {
    const [h, , s] = d.token.split('.');
    const forged = `${h}.${b64({ ...claimsOf(d.token), role: 'admin', sub: 'usr_someone_else' })}.${s}`;
    expect(await statusOf(d, 'GET', '/v1/teams', forged)).toBe(401);
  });

  it('refuses alg:none', async () => {
    const none = `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claimsOf(d.token))}.`;
    expect(await statusOf(d, 'GET', '/v1/teams', none)).toBe(401);
  });

  it('refuses a token signed with another key, and one with the wrong audience', async () => {
    const c = claimsOf(d.token);
    const other = await signToken(new Uint8Array(32).fill(7), { tokenId: c.jti as string, orgId: c.org as string, userId: c.sub as string, role: 'admin', expiresAt: null }, Date.now());
    expect(await statusOf(d, 'GET', '/v1/teams', other)).toBe(401);
    const header = b64({ alg: 'HS256', typ: 'JWT' });
    const payload = b64({ ...c, aud: 'someone-else' });
    const sig = createHmac('sha256', Buffer.from(key)).update(`${header}.${payload}`).digest('base64url');
    expect(await statusOf(d, 'GET', '/v1/teams', `${header}.${payload}.${sig}`)).toBe(401);
  });

  it('refuses a short HMAC key when signing, though jose would accept it', async () => {
    await expect(signToken(new Uint8Array(16), { tokenId: 't', orgId: 'o', userId: 'u', role: 'admin', expiresAt: null }, Date.now())).rejects.toThrow(/at least 32 bytes/);
  });

  it('refuses a revoked token at once, and a removed user\'s token', async () => {
    const created = (await (await d.api('/v1/users', { method: 'POST', json: { name: 'temp-op', role: 'operator' } })).json()) as { token: string; tokenId: string };
    expect(await statusOf(d, 'GET', '/v1/teams', created.token)).toBe(200);
    expect((await d.api(`/v1/tokens/${created.tokenId}/revoke`, { method: 'POST' })).status).toBe(200);
    expect(await statusOf(d, 'GET', '/v1/teams', created.token)).toBe(401);

    const again = (await (await d.api('/v1/users', { method: 'POST', json: { name: 'temp-op-2', role: 'viewer' } })).json()) as { token: string };
    expect((await d.api('/v1/users/temp-op-2', { method: 'DELETE' })).status).toBe(200);
    expect(await statusOf(d, 'GET', '/v1/teams', again.token)).toBe(401);
  });
});

describe('authorisation: every route, every role', () => {
  let d: TestDaemon;
  const tokens = {} as Record<Role, string>;
  beforeAll(async () => {
    d = await startDaemon({ demo: true });
    for (const role of ROLES) tokens[role] = await d.tokenFor(role);
  });
  afterAll(async () => d.stop());

  it('gives 403 exactly where the role matrix says no, and never 401 to a valid token', async () => {
    const routes = d.daemon.routes.filter((r) => r.auth !== 'none');
    expect(routes.length).toBeGreaterThan(20);
    const wrong: string[] = [];
    for (const r of routes) {
      for (const role of ROLES) {
        const status = await statusOf(d, r.method, concretePath(r.path), tokens[role], r.method === 'GET' || r.method === 'DELETE' ? undefined : {});
        const allowed = !r.perm || isAllowed(role, r.perm);
        const ok = allowed ? status !== 403 && status !== 401 : status === 403;
        if (!ok) wrong.push(`${role} ${r.method} ${r.path} → ${status} (expected ${allowed ? 'not 401/403' : '403'})`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('lets an operator create tasks but not change members, and a viewer only read', async () => {
    expect((await d.api('/v1/tasks', { method: 'POST', token: tokens.operator, json: { title: 'from an operator' } })).status).toBe(201);
    expect((await d.api('/v1/members/nina', { method: 'PATCH', token: tokens.operator, json: { capacity: 9 } })).status).toBe(403);
    expect((await d.api('/v1/tasks', { method: 'POST', token: tokens.viewer, json: { title: 'from a viewer' } })).status).toBe(403);
    expect((await d.api('/v1/tasks', { token: tokens.viewer })).status).toBe(200);
    expect((await d.api('/v1/users', { token: tokens.manager })).status).toBe(403);
  });
});

describe('organisations are isolated on every route (OWASP API1)', () => {
  let d: TestDaemon;
  const MARK = 'org-a-private-9f3k';
  beforeAll(async () => {
    d = await startDaemon({ demo: true });
    await d.api('/v1/tasks', { method: 'POST', json: { title: `${MARK} payroll export`, team: 'dba', assignee: 'nina' } });
    await d.api('/v1/members/nina', { method: 'PATCH', json: { email: `${MARK}@acme.example` } });
  });
  afterAll(async () => d.stop());

  it('another organisation\'s admin can neither see nor change anything of ours', async () => {
    const b = await d.newOrg('org-b');
    const a = d.init.orgId;
    const chainBefore = (await d.daemon.store.audit.chain(a)).length;
    const tasksA = await d.daemon.store.tasks.list(a, { limit: 1000 });
    const membersA = await d.daemon.store.members.list(a);
    const teamsA = await d.daemon.store.teams.list(a);
    const usersA = await d.daemon.store.users.list(a);
    const tokensA = (await Promise.all(usersA.map((u) => d.daemon.store.tokens.listForUser(a, u.id)))).flat();
    const ids = [tasksA[0]!.id, membersA[0]!.id, membersA[0]!.name, teamsA[0]!.id, teamsA[0]!.name, usersA[0]!.name, tokensA[0]!.id];

    const leaks: string[] = [];
    for (const r of d.daemon.routes.filter((x) => x.auth !== 'none')) {
      const candidates = r.path.includes(':') ? ids.map((id) => r.path.replace(/:(\w+)/g, encodeURIComponent(id))) : [r.path];
      for (const path of candidates) {
        for (const body of r.method === 'GET' || r.method === 'DELETE' ? [undefined] : [{}, { title: 'x', to: membersA[0]!.name, team: teamsA[0]!.name, name: 'x', role: 'viewer', status: 'resolved' }]) {
          const abort = new AbortController();
          const res = await d.api(path, { method: r.method, token: b.token, json: body, signal: abort.signal });
          const text = r.path === '/v1/events' ? '' : await res.text();
          abort.abort();
          if (text.includes(MARK) || text.includes(a)) leaks.push(`${r.method} ${path} → ${res.status}: ${text.slice(0, 120)}`);
          if (res.status >= 500) leaks.push(`${r.method} ${path} → ${res.status}`);
        }
      }
    }
    expect(leaks).toEqual([]);
    // Schedulers may record their own work meanwhile; nothing may be recorded on behalf of the intruder.
    const added = (await d.daemon.store.audit.chain(a)).slice(chainBefore);
    expect(added.filter((e) => !e.actor.startsWith('system:'))).toEqual([]);
    expect(await d.daemon.store.tasks.list(a, { limit: 1000 })).toEqual(tasksA);
    expect((await d.daemon.store.tokens.listForUser(a, usersA[0]!.id)).every((t) => t.revokedAt === null)).toBe(true);
  });
});
