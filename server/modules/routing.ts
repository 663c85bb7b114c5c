import type { Module } from './module.js';

/** The routing area's routes and schedulers. Filled in by the routing engine. */
export const routingModule: Module = {
  name: 'routing',
  routes: () => [],
};
