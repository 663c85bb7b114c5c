import { describe, expect, it } from 'vitest';
import type { TokenGrant } from '../core/ports.js';
import { GrantCache } from '../server/http/grant-cache.js';

const grantOf = (tokenId: string, userId: string): TokenGrant => ({
  token: { id: tokenId, orgId: 'org', userId, createdAt: 0, expiresAt: null, revokedAt: null },
  user: { id: userId, orgId: 'org', name: userId, role: 'viewer', memberId: null, createdAt: 0 },
});

/** A token repo that counts its reads, answering from a map the test changes. */
function repo(grants: Map<string, TokenGrant>): { grant(id: string): Promise<TokenGrant | undefined>; reads: number } {
  const r = { reads: 0, async grant(id: string) { r.reads++; return grants.get(id); } };
  return r;
}

describe('grant cache (authentication without a store read per request)', () => {
  it('reads a grant once and answers later requests from memory', async () => {
    const tokens = repo(new Map([['t1', grantOf('t1', 'u1')]]));
    const cache = new GrantCache(tokens);
    expect((await cache.grant('t1'))!.user.id).toBe('u1');
    await cache.grant('t1');
    expect(tokens.reads).toBe(1);
  });

  it('does not remember tokens it did not find, so a token created a moment later works at once', async () => {
    const grants = new Map<string, TokenGrant>();
    const tokens = repo(grants);
    const cache = new GrantCache(tokens);
    expect(await cache.grant('t2')).toBeUndefined();
    grants.set('t2', grantOf('t2', 'u2'));
    expect((await cache.grant('t2'))!.token.id).toBe('t2');
  });

  it('reads the store again once a token is forgotten (revoked), or its user is (removed)', async () => {
    const grants = new Map([['t1', grantOf('t1', 'u1')], ['t2', grantOf('t2', 'u1')], ['t3', grantOf('t3', 'u3')]]);
    const tokens = repo(grants);
    const cache = new GrantCache(tokens);
    for (const id of ['t1', 't2', 't3']) await cache.grant(id);
    grants.set('t1', { ...grants.get('t1')!, token: { ...grants.get('t1')!.token, revokedAt: 5 } });
    cache.forgetToken('t1');
    expect((await cache.grant('t1'))!.token.revokedAt).toBe(5);
    grants.delete('t2');
    cache.forgetUser('u1');
    expect(await cache.grant('t2')).toBeUndefined();
    const before = tokens.reads;
    await cache.grant('t3');
    expect(tokens.reads).toBe(before);
  });

  it('trusts a grant only for its short lifetime', async () => {
    const grants = new Map([['t1', grantOf('t1', 'u1')]]);
    const tokens = repo(grants);
    const cache = new GrantCache(tokens, 30);
    await cache.grant('t1');
    grants.delete('t1');
    await new Promise((r) => setTimeout(r, 60));
    expect(await cache.grant('t1')).toBeUndefined();
    expect(tokens.reads).toBe(2);
  });
});
