import type { Actor } from './model.js';
import type { Change, Clock, Commit, EventBus, Store, Tx } from './ports.js';

/**
 * The one door for changes: the work, its audit entries and its events commit together, and the
 * events reach the bus only after the commit (in commit order).
 */
export function makeCommit(store: Store, bus: EventBus, clock: Clock): Commit {
  return <T>(actor: Actor, work: (tx: Tx) => Promise<Change<T>>): Promise<T> =>
    store.transaction(async (tx) => {
      const change = await work(tx);
      const at = clock.now();
      const audits = change.audit === undefined ? [] : Array.isArray(change.audit) ? change.audit : [change.audit];
      await tx.audit.appendMany(actor.orgId, actor.name, at, audits);
      if (change.events && change.events.length > 0) {
        const events = await tx.events.insert(actor.orgId, actor.name, at, change.events);
        tx.onCommit(() => bus.publish(events));
      }
      return change.value;
    });
}
