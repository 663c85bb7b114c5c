import type { Module } from './module.js';

/** The workload area's routes and schedulers. Filled in by the workload engine. */
export const workloadModule: Module = {
  name: 'workload',
  routes: () => [],
};
