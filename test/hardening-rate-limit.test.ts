import { afterEach, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { DEFAULT_RATE_LIMIT, openRequestLimiter, parseRateLimit, type RateLimitConfig } from '../server/http/rate-limit.js';
import { startDaemon, type TestDaemon } from './helpers.js';

describe('FOUNDRY_RATE_LIMIT', () => {
  it('defaults to generous budgets', () => {
    expect(parseRateLimit(undefined)).toEqual(DEFAULT_RATE_LIMIT);
    expect(DEFAULT_RATE_LIMIT.token).toBeGreaterThanOrEqual(1000);
  });
  it('accepts a number (per token; the address gets twice that), key=value pairs, or off', () => {
    expect(parseRateLimit('50')).toMatchObject({ enabled: true, token: 50, ip: 100 });
    expect(parseRateLimit('token=7, authfail=3')).toMatchObject({ token: 7, ip: DEFAULT_RATE_LIMIT.ip, authFail: 3 });
    expect(parseRateLimit('off').enabled).toBe(false);
  });
  it('refuses nonsense with the name of the bad key', () => {
    expect(() => parseRateLimit('token=-1')).toThrow(/token must be a positive number/);
    expect(() => parseRateLimit('burst=5')).toThrow(/unknown key "burst"/);
  });
});

describe('rate limiting in the daemon', () => {
  let d: TestDaemon | null = null;
  afterEach(async () => {
    await d?.stop();
    d = null;
  });
  const start = async (rateLimit: Partial<RateLimitConfig>): Promise<TestDaemon> =>
    (d = await startDaemon({ config: { rateLimit: { ...DEFAULT_RATE_LIMIT, ...rateLimit } } }));

  it('answers 429 with Retry-After and the error JSON once a token spends its budget; other tokens go on', async () => {
    const t = await start({ token: 3 });
    const other = await t.tokenFor('viewer');
    const replies = await Promise.all(Array.from({ length: 30 }, () => t.api('/v1/tasks')));
    const refused = replies.filter((r) => r.status === 429);
    expect(refused.length).toBeGreaterThan(0);
    expect(replies.every((r) => r.status === 200 || r.status === 429)).toBe(true);
    const retryAfter = Number(refused[0]!.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(await refused[0]!.json()).toMatchObject({ error: { code: 'rate_limited', details: { scope: 'token' } } });
    expect((await t.api('/v1/tasks', { token: other })).status).toBe(200);
  });

  it('limits login-free endpoints per client address', async () => {
    const t = await start({ ip: 3 });
    const replies = await Promise.all(Array.from({ length: 30 }, () => fetch(`${t.url}/healthz`)));
    const refused = replies.filter((r) => r.status === 429);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused[0]!.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await refused[0]!.json()).toMatchObject({ error: { code: 'rate_limited', details: { scope: 'address' } } });
  });

  it('blocks an address that keeps presenting bad tokens, even when it then presents a good one', async () => {
    const t = await start({ authFail: 5 });
    for (let i = 0; i < 8; i++) await t.api('/v1/tasks', { token: `guess-${i}` });
    const good = await t.api('/v1/tasks');
    expect(good.status).toBe(429);
    expect(Number(good.headers.get('retry-after'))).toBeGreaterThan(1);
  });

  it('counts refusals in /metrics', async () => {
    const t = await start({ token: 2 });
    await Promise.all(Array.from({ length: 20 }, () => t.api('/v1/tasks')));
    // The budget refills each second; wait for it so /metrics itself is answered.
    await new Promise((r) => setTimeout(r, 1100));
    const text = await (await t.api('/metrics')).text();
    expect(text).toMatch(/http_rate_limited_total\{scope="token"\} [1-9]/);
  });
});

describe.skipIf(!process.env.FOUNDRY_TEST_REDIS)('rate limiting in scaled mode (FOUNDRY_TEST_REDIS)', () => {
  it('shares one budget between daemons behind the same Redis', async () => {
    const config = { ...DEFAULT_RATE_LIMIT, token: 4 };
    const a = await openRequestLimiter(config, process.env.FOUNDRY_TEST_REDIS!);
    const b = await openRequestLimiter(config, process.env.FOUNDRY_TEST_REDIS!);
    try {
      const tokenId = `tok_${randomBytes(6).toString('hex')}`;
      // Let both clients connect, so the checks hit Redis rather than the in-memory fallback.
      await new Promise((r) => setTimeout(r, 300));
      const outcomes = await Promise.allSettled([a, b, a, b, a, b, a, b].map((l) => l.limiter.checkToken(tokenId)));
      const refused = outcomes.filter((o) => o.status === 'rejected');
      expect(refused.length).toBeGreaterThanOrEqual(4);
      expect((refused[0] as PromiseRejectedResult).reason).toMatchObject({ kind: 'rate_limited' });
    } finally {
      await a.close();
      await b.close();
    }
  });
});
