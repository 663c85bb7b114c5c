import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { Counter, type Registry } from 'prom-client';
import { AppError } from '../../core/errors.js';

/**
 * Request budgets. Defaults are generous (a benchmark on one machine must not be throttled); the point is
 * to stop a runaway client or a token-guessing loop, not to meter normal use.
 */
export interface RateLimitConfig {
  enabled: boolean;
  /** Requests per second per client address, before authentication (covers login-free endpoints). */
  ip: number;
  /** Requests per second per token. */
  token: number;
  /** Failed authentications per minute per address before that address is blocked for a minute. */
  authFail: number;
}

export const DEFAULT_RATE_LIMIT: RateLimitConfig = { enabled: true, ip: 10_000, token: 5_000, authFail: 600 };

/**
 * FOUNDRY_RATE_LIMIT: `off`, a number (per-token requests per second; the address budget becomes twice
 * that) or `token=N,ip=N,authfail=N` with any subset of the keys.
 */
export function parseRateLimit(text: string | undefined): RateLimitConfig {
  const cfg = { ...DEFAULT_RATE_LIMIT };
  const value = text?.trim();
  if (!value) return cfg;
  if (['off', '0', 'false', 'no'].includes(value.toLowerCase())) return { ...cfg, enabled: false };
  const positive = (key: string, raw: string): number => {
    const n = Number(raw);
    if (!Number.isFinite(n) || n <= 0) throw new AppError('usage', `FOUNDRY_RATE_LIMIT: ${key} must be a positive number, got "${raw}"`);
    return Math.ceil(n);
  };
  if (/^\d+(\.\d+)?$/.test(value)) {
    const n = positive('limit', value);
    return { ...cfg, token: n, ip: 2 * n };
  }
  for (const part of value.split(',')) {
    const [k, v] = part.split('=').map((s) => s.trim());
    const key = (k ?? '').toLowerCase();
    if (v === undefined) throw new AppError('usage', `FOUNDRY_RATE_LIMIT: "${part}" is not key=value`, 'e.g. token=100,ip=200,authfail=30');
    if (key === 'token') cfg.token = positive(key, v);
    else if (key === 'ip') cfg.ip = positive(key, v);
    else if (key === 'authfail') cfg.authFail = positive(key, v);
    else throw new AppError('usage', `FOUNDRY_RATE_LIMIT: unknown key "${k}"`, 'keys: token, ip, authfail');
  }
  return cfg;
}

/** What the HTTP front calls; each check throws a `rate_limited` AppError (429 + Retry-After) when over. */
export interface RequestLimiter {
  /** Per client address, first thing on every request, including the address's failed-auth block. */
  checkIp(ip: string): Promise<void>;
  /** Per token, right after authentication. */
  checkToken(tokenId: string): Promise<void>;
  /** Counts a failed authentication against the address. */
  authFailed(ip: string): Promise<void>;
}

export interface LimiterOptions {
  config: RateLimitConfig;
  metrics?: Registry;
  /** An ioredis client (scaled mode): budgets are then shared by every daemon behind the same Redis. */
  redis?: unknown;
}

function limiter(redis: unknown, keyPrefix: string, points: number, duration: number, blockDuration = 0): RateLimiterAbstract {
  const memory = new RateLimiterMemory({ keyPrefix, points, duration, blockDuration });
  if (!redis) return memory;
  // If Redis goes away the daemon keeps limiting per process rather than failing every request.
  return new RateLimiterRedis({
    storeClient: redis, keyPrefix: `foundry:rl:${keyPrefix}`, points, duration, blockDuration,
    rejectIfRedisNotReady: true, insuranceLimiter: memory,
  });
}

function limited(scope: string, res: RateLimiterRes): AppError {
  const retryAfter = Math.max(1, Math.ceil(res.msBeforeNext / 1000));
  return new AppError('rate_limited', `too many requests (${scope})`, `retry in ${retryAfter} s`, { scope, retryAfter });
}

export function createRequestLimiter(opts: LimiterOptions): RequestLimiter {
  const { config } = opts;
  if (!config.enabled) return { checkIp: async () => {}, checkToken: async () => {}, authFailed: async () => {} };
  const ip = limiter(opts.redis, 'ip', config.ip, 1);
  const token = limiter(opts.redis, 'token', config.token, 1);
  const authFail = limiter(opts.redis, 'authfail', config.authFail, 60, 60);
  const rejected = opts.metrics
    ? new Counter({ name: 'http_rate_limited_total', help: 'Requests refused with 429, by budget', labelNames: ['scope'], registers: [opts.metrics] })
    : null;

  const consume = async (l: RateLimiterAbstract, scope: string, key: string): Promise<void> => {
    try {
      await l.consume(key);
    } catch (err) {
      if (err instanceof RateLimiterRes) {
        rejected?.inc({ scope });
        throw limited(scope, err);
      }
      throw err;
    }
  };

  return {
    async checkIp(address) {
      const blocked = await authFail.get(address);
      if (blocked && blocked.consumedPoints > config.authFail) {
        rejected?.inc({ scope: 'authfail' });
        throw limited('failed authentications from this address', blocked);
      }
      await consume(ip, 'address', address);
    },
    checkToken: (tokenId) => consume(token, 'token', tokenId),
    async authFailed(address) {
      // Already over: the block is in place; the next checkIp refuses.
      await authFail.consume(address).catch((err: unknown) => {
        if (!(err instanceof RateLimiterRes)) throw err;
      });
    },
  };
}

/** The daemon's limiter: in memory, or shared through Redis when the daemon runs scaled (`--redis`). */
export async function openRequestLimiter(
  config: RateLimitConfig, redisUrl: string | null, metrics?: Registry,
): Promise<{ limiter: RequestLimiter; close(): Promise<void> }> {
  if (!config.enabled || !redisUrl) return { limiter: createRequestLimiter({ config, metrics }), close: async () => {} };
  const { Redis } = await import('ioredis');
  // No offline queue: while Redis is away a check fails fast to the in-memory insurance limiter.
  const redis = new Redis(redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: false });
  redis.on('error', () => {});
  return {
    limiter: createRequestLimiter({ config, metrics, redis }),
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
