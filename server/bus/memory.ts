import type { BusEvent } from '../../core/model.js';
import type { EventBus, EventRepo, SubscribeOptions, Subscription } from '../../core/ports.js';
import { Fanout } from './fanout.js';

/**
 * The embedded bus: events are already rows of the events table when they are published, so a
 * subscriber that resumes from an id replays the table and then continues live.
 */
export class InProcessBus implements EventBus {
  private readonly fanout: Fanout;

  constructor(events: EventRepo) {
    this.fanout = new Fanout(events);
  }

  publish(events: BusEvent[]): void {
    this.fanout.deliver(events);
  }

  subscribe(orgId: string, options: SubscribeOptions, listener: (event: BusEvent) => void): Promise<Subscription> {
    return this.fanout.subscribe(orgId, options, listener);
  }

  get subscriberCount(): number {
    return this.fanout.size;
  }

  async close(): Promise<void> {
    this.fanout.clear();
  }
}
