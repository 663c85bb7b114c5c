import { LRUCache } from 'lru-cache';
import type { TokenGrant, TokenRepo } from '../../core/ports.js';

/** How long a grant is trusted without reading the store again: what a missed invalidation could cost. */
const TTL_MS = 2_000;

/**
 * Token grants (the token and its user) by token id, kept briefly so that authenticating a request does
 * not read the store every time. The daemon that revokes a token or removes a user forgets its grants at
 * once (`forgetToken`, `forgetUser`); other daemons hear of it through the bus (`token.revoked`,
 * `user.removed`); the short lifetime bounds the rest.
 */
export class GrantCache implements Pick<TokenRepo, 'grant'> {
  private readonly grants: LRUCache<string, TokenGrant>;

  constructor(private readonly tokens: Pick<TokenRepo, 'grant'>, ttlMs = TTL_MS) {
    this.grants = new LRUCache<string, TokenGrant>({ max: 10_000, ttl: ttlMs });
  }

  async grant(id: string): Promise<TokenGrant | undefined> {
    const hit = this.grants.get(id);
    if (hit) return hit;
    const grant = await this.tokens.grant(id);
    if (grant) this.grants.set(id, grant);
    return grant;
  }

  forgetToken(id: string): void {
    this.grants.delete(id);
  }

  forgetUser(userId: string): void {
    for (const [id, grant] of this.grants.entries()) if (grant.user.id === userId) this.grants.delete(id);
  }
}
