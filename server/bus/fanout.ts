import type { BusEvent } from '../../core/model.js';
import type { EventRepo, SubscribeOptions, Subscription } from '../../core/ports.js';

interface Subscriber {
  orgId: string;
  types: Set<string> | null;
  /** Events that arrive while the subscriber is still replaying history wait here. */
  pending: BusEvent[] | null;
  lastId: number;
  listener: (event: BusEvent) => void;
}

/**
 * Local delivery shared by every bus: subscribers per organisation, a replay of retained events from
 * the events table when a subscriber resumes, then live events, with no gap and no duplicate.
 */
export class Fanout {
  private readonly subscribers = new Set<Subscriber>();

  constructor(private readonly events: EventRepo) {}

  deliver(events: BusEvent[]): void {
    for (const sub of this.subscribers) {
      for (const event of events) {
        if (event.orgId !== sub.orgId) continue;
        if (sub.pending) sub.pending.push(event);
        else deliverTo(sub, event);
      }
    }
  }

  async subscribe(orgId: string, options: SubscribeOptions, listener: (event: BusEvent) => void): Promise<Subscription> {
    const types = options.types && options.types.length > 0 ? new Set(options.types) : null;
    const sub: Subscriber = { orgId, types, pending: options.afterId === undefined ? null : [], lastId: options.afterId ?? 0, listener };
    this.subscribers.add(sub);
    if (sub.pending) {
      try {
        for (;;) {
          const page = await this.events.list(orgId, { afterId: sub.lastId, types: options.types, limit: 1000 });
          for (const event of page) deliverTo(sub, event);
          if (page.length < 1000) break;
        }
      } finally {
        const waiting = sub.pending;
        sub.pending = null;
        for (const event of waiting) deliverTo(sub, event);
      }
    }
    return { close: () => this.subscribers.delete(sub) };
  }

  /** Organisations someone here is listening to. */
  orgs(): Set<string> {
    return new Set([...this.subscribers].map((s) => s.orgId));
  }

  get size(): number {
    return this.subscribers.size;
  }

  clear(): void {
    this.subscribers.clear();
  }
}

function deliverTo(sub: Subscriber, event: BusEvent): void {
  if (event.id <= sub.lastId) return;
  sub.lastId = event.id;
  if (sub.types && !sub.types.has(event.type)) return;
  sub.listener(event);
}
