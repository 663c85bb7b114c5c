import { SignJWT, jwtVerify, errors as joseErrors, type JWTPayload } from 'jose';
import { LRUCache } from 'lru-cache';
import { AppError } from '../../core/errors.js';
import type { TokenGrant, TokenRepo } from '../../core/ports.js';

export const ISSUER = 'foundry-op';
export const AUDIENCE = 'foundry-op-api';
const MIN_KEY_BYTES = 32;

/** jose accepts short HMAC keys; we do not. */
export function checkKey(key: Uint8Array): Uint8Array {
  if (key.length < MIN_KEY_BYTES) throw new Error(`JWT key must be at least ${MIN_KEY_BYTES} bytes, got ${key.length}`);
  return key;
}

export interface TokenClaims {
  tokenId: string;
  orgId: string;
  userId: string;
  role: string;
  expiresAt: number | null;
}

export async function signToken(key: Uint8Array, c: TokenClaims, now: number): Promise<string> {
  let jwt = new SignJWT({ org: c.orgId, role: c.role })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(c.userId)
    .setJti(c.tokenId)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt(Math.floor(now / 1000));
  if (c.expiresAt !== null) jwt = jwt.setExpirationTime(Math.floor(c.expiresAt / 1000));
  return jwt.sign(checkKey(key));
}

const unauthenticated = (why: string): AppError =>
  new AppError('unauthenticated', why, 'pass a valid token with --token or FOUNDRY_TOKEN');

/**
 * Checks signature (HS256 only), issuer, audience and expiry, then that the token still exists, is not
 * revoked and belongs to the organisation it claims.
 */
export async function verifyToken(key: Uint8Array, tokens: Pick<TokenRepo, 'grant'>, bearer: string, now: number): Promise<TokenGrant> {
  const payload = await verifiedClaims(key, bearer, now);
  if (typeof payload.jti !== 'string') throw unauthenticated('invalid token');
  const grant = await tokens.grant(payload.jti);
  if (!grant) throw unauthenticated('token is not known (was its user removed?)');
  if (grant.token.revokedAt !== null) throw unauthenticated('token revoked');
  if (grant.token.expiresAt !== null && grant.token.expiresAt <= now) throw unauthenticated('token expired');
  if (grant.token.orgId !== payload.org || grant.user.id !== payload.sub) throw unauthenticated('invalid token');
  return grant;
}

// A signature that checked out once checks out again: remember verified tokens (per key) so the
// HMAC is computed once per token, not per request. Expiry is still checked on every use, and
// revocation on every use of the grant (see grant-cache.ts for how fresh that is).
const verified = new WeakMap<Uint8Array, LRUCache<string, JWTPayload>>();

async function verifiedClaims(key: Uint8Array, bearer: string, now: number): Promise<JWTPayload> {
  let cache = verified.get(key);
  if (!cache) verified.set(key, (cache = new LRUCache<string, JWTPayload>({ max: 10_000 })));
  const hit = cache.get(bearer);
  if (hit) {
    if (typeof hit.exp === 'number' && hit.exp * 1000 <= now) throw unauthenticated('token expired');
    return hit;
  }
  try {
    const { payload } = await jwtVerify(bearer, checkKey(key), {
      algorithms: ['HS256'],
      issuer: ISSUER,
      audience: AUDIENCE,
      currentDate: new Date(now),
    });
    cache.set(bearer, payload);
    return payload;
  } catch (err) {
    if (err instanceof joseErrors.JWTExpired) throw unauthenticated('token expired');
    throw unauthenticated('invalid token');
  }
}
