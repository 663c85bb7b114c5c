import type { Registry } from 'prom-client';
import type { Clock, Commit, EventBus, Leases, Store } from '../../core/ports.js';
import type { DaemonConfig } from '../config.js';
import type { Route } from '../http/route.js';
import type { Logger } from '../log.js';

/** Engines publish services (e.g. the workload signals the router uses) by name for others to find. */
export interface Services {
  provide<T>(name: string, service: T): void;
  get<T>(name: string): T | undefined;
}

/** What every module gets from the composition root. */
export interface ModuleContext {
  config: DaemonConfig;
  store: Store;
  bus: EventBus;
  clock: Clock;
  commit: Commit;
  log: Logger;
  /** prom-client registry served at /metrics. */
  metrics: Registry;
  services: Services;
  /** Periodic work that one daemon at a time should do takes a lease first (always granted when embedded). */
  leases: Leases;
}

/**
 * One area of the daemon (core, routing, healing, …). Routes are data; the HTTP layer enforces their
 * permissions and schemas. start() begins schedulers and subscriptions; stop() ends them. The area's
 * tables come from server/store/migrations/<area>.ts.
 */
export interface Module {
  name: string;
  routes(ctx: ModuleContext): Route[];
  start?(ctx: ModuleContext): Promise<void>;
  stop?(): Promise<void>;
}

export function createServices(): Services {
  const map = new Map<string, unknown>();
  return {
    provide: (name, service) => void map.set(name, service),
    get: <T>(name: string) => map.get(name) as T | undefined,
  };
}
