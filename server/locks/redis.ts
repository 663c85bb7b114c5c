import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Leases } from '../../core/ports.js';
import { parseRedisUrl } from '../bus/redis.js';

// Renew if we hold it; otherwise take it only if nobody does, with the next fencing number.
const ACQUIRE = `
local cur = redis.call('GET', KEYS[1])
if cur then
  if string.sub(cur, 1, string.len(ARGV[1]) + 1) == ARGV[1] .. ':' then
    redis.call('PEXPIRE', KEYS[1], ARGV[2])
    return cur
  end
  return false
end
local fence = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], ARGV[1] .. ':' .. fence, 'PX', ARGV[2])
return ARGV[1] .. ':' .. fence
`;

const RELEASE = `
local cur = redis.call('GET', KEYS[1])
if cur and string.sub(cur, 1, string.len(ARGV[1]) + 1) == ARGV[1] .. ':' then
  return redis.call('DEL', KEYS[1])
end
return 0
`;

/** Leases in Redis with fencing numbers; a lost connection means no lease (no work) until it returns. */
export class RedisLeases implements Leases {
  private readonly redis: Redis;
  private readonly prefix: string;
  readonly holder: string;

  constructor(url: string, holder = `${process.pid}-${randomBytes(4).toString('hex')}`) {
    const parsed = parseRedisUrl(url);
    this.prefix = parsed.prefix;
    this.holder = holder;
    this.redis = new Redis(parsed.url, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    this.redis.on('error', () => undefined);
  }

  /** Waits briefly for the connection (at start-up, or while it reconnects); false if it is not there. */
  private async connected(): Promise<boolean> {
    if (this.redis.status === 'ready') return true;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.redis.off('ready', onReady);
        resolve(false);
      }, 1000);
      const onReady = (): void => {
        clearTimeout(timer);
        resolve(true);
      };
      this.redis.once('ready', onReady);
    });
  }

  async acquire(name: string, ttlMs: number): Promise<{ fence: number } | null> {
    if (!(await this.connected())) return null;
    try {
      const value = (await this.redis.eval(ACQUIRE, 2, `${this.prefix}lease:${name}`, `${this.prefix}fence:${name}`, this.holder, String(ttlMs))) as string | null;
      if (!value) return null;
      return { fence: Number(value.slice(value.lastIndexOf(':') + 1)) };
    } catch {
      return null;
    }
  }

  async release(name: string): Promise<void> {
    await this.redis.eval(RELEASE, 1, `${this.prefix}lease:${name}`, this.holder).catch(() => undefined);
  }

  close(): void {
    this.redis.disconnect();
  }
}
