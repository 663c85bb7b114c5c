import { Redis } from 'ioredis';
import type { BusEvent } from '../../core/model.js';
import type { EventBus, EventRepo, SubscribeOptions, Subscription } from '../../core/ports.js';
import type { Logger } from '../log.js';
import { Fanout } from './fanout.js';

export interface RedisBusOptions {
  /** redis://host:port/db, optionally with ?prefix=NAME for the keys (tests use their own). */
  url: string;
  events: EventRepo;
  log: Logger;
  /** How often organisations with listeners are re-read from the store, whatever Redis says. */
  safetyPollMs?: number;
  /** Stream length kept in Redis (notifications only; the events themselves live in the store). */
  maxLen?: number;
}

export function parseRedisUrl(url: string): { url: string; prefix: string } {
  const u = new URL(url);
  const prefix = u.searchParams.get('prefix') ?? 'foundry';
  u.searchParams.delete('prefix');
  return { url: u.toString(), prefix: `${prefix}:` };
}

/**
 * The scaled bus. Events are rows of the shared events table; Redis Streams carry only "organisation X
 * has new events" notifications between daemons. On a notification (or its own publish) a daemon reads
 * the organisation's events after the last id it delivered, in id order, so every SSE client on every
 * daemon sees the same events in the same order. Within an organisation event ids commit in order (see
 * the events repository), so reading "after N" never skips one. If Redis is unreachable, publishing still
 * reaches local clients and a periodic re-read of the store carries events between daemons: slower, never lost.
 */
export class RedisBus implements EventBus {
  private readonly fanout: Fanout;
  private readonly pub: Redis;
  private readonly sub: Redis;
  private readonly stream: string;
  private readonly cursor = new Map<string, number>();
  private readonly poked = new Set<string>();
  private fetching = false;
  private closed = false;
  private lastStreamId = '$';
  private readonly safety: NodeJS.Timeout;
  private redisOk = true;
  private lastError: string | null = null;

  constructor(private readonly opts: RedisBusOptions) {
    const { url, prefix } = parseRedisUrl(opts.url);
    this.stream = `${prefix}events`;
    this.fanout = new Fanout(opts.events);
    // Publishing must fail fast when Redis is down, not queue behind a dead connection.
    this.pub = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: false });
    this.sub = new Redis(url, { maxRetriesPerRequest: null });
    for (const conn of [this.pub, this.sub]) {
      conn.on('error', (err: Error) => this.degrade(err));
      conn.on('ready', () => this.recover());
    }
    void this.readLoop();
    this.safety = setInterval(() => {
      for (const org of this.fanout.orgs()) this.poke(org);
    }, opts.safetyPollMs ?? 1000);
    this.safety.unref();
  }

  /** 'ok', or why not: readiness reports it. */
  status(): string {
    return this.redisOk ? 'ok' : `degraded: ${this.lastError ?? 'redis unreachable'} (events travel through the store every second)`;
  }

  publish(events: BusEvent[]): void {
    const orgs = new Set(events.map((e) => e.orgId));
    for (const org of orgs) {
      this.poke(org);
      const last = Math.max(...events.filter((e) => e.orgId === org).map((e) => e.id));
      this.pub
        .xadd(this.stream, 'MAXLEN', '~', String(this.opts.maxLen ?? 10_000), '*', 'org', org, 'id', String(last))
        .catch((err: Error) => this.degrade(err));
    }
  }

  async subscribe(orgId: string, options: SubscribeOptions, listener: (event: BusEvent) => void): Promise<Subscription> {
    if (!this.cursor.has(orgId)) this.cursor.set(orgId, await this.opts.events.lastId(orgId));
    return this.fanout.subscribe(orgId, options, listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.safety);
    this.fanout.clear();
    this.pub.disconnect();
    this.sub.disconnect();
  }

  private degrade(err: Error): void {
    if (this.redisOk) this.opts.log.warn('redis unavailable: events travel through the store until it returns', { error: err.message });
    this.redisOk = false;
    this.lastError = err.message;
  }

  private recover(): void {
    if (!this.redisOk) this.opts.log.info('redis is back', {});
    this.redisOk = true;
    this.lastError = null;
    for (const org of this.fanout.orgs()) this.poke(org);
  }

  private poke(org: string): void {
    if (!this.cursor.has(org)) return; // nobody here listens to it
    this.poked.add(org);
    if (!this.fetching) setImmediate(() => void this.fetch());
  }

  /** Reads each poked organisation's new events in id order and hands them to local subscribers. */
  private async fetch(): Promise<void> {
    if (this.fetching || this.closed) return;
    this.fetching = true;
    try {
      while (this.poked.size > 0) {
        const orgs = [...this.poked];
        this.poked.clear();
        for (const org of orgs) {
          for (;;) {
            const after = this.cursor.get(org) ?? 0;
            const page = await this.opts.events.list(org, { afterId: after, limit: 1000 });
            if (page.length === 0) break;
            this.cursor.set(org, page[page.length - 1]!.id);
            this.fanout.deliver(page);
            if (page.length < 1000) break;
          }
        }
      }
    } catch (err) {
      this.opts.log.warn('reading events from the store failed; retrying', { error: (err as Error).message });
    } finally {
      this.fetching = false;
    }
  }

  private async readLoop(): Promise<void> {
    while (!this.closed) {
      try {
        const res = (await this.sub.xread('BLOCK', 1000, 'STREAMS', this.stream, this.lastStreamId)) as [string, [string, string[]][]][] | null;
        if (!res) continue;
        for (const [, entries] of res) {
          for (const [id, fields] of entries) {
            this.lastStreamId = id;
            const org = fields[fields.indexOf('org') + 1];
            if (org) this.poke(org);
          }
        }
      } catch (err) {
        if (this.closed) return;
        this.degrade(err as Error);
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }
}
