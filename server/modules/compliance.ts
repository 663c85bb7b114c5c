import type { Module } from './module.js';

/** The compliance area's routes and schedulers. Filled in by the compliance engine. */
export const complianceModule: Module = {
  name: 'compliance',
  routes: () => [],
};
