import type { Module } from './module.js';

/** The metrics area's routes and schedulers. Filled in by the metrics engine. */
export const metricsModule: Module = {
  name: 'metrics',
  routes: () => [],
};
