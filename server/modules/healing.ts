import type { Module } from './module.js';

/** The healing area's routes and schedulers. Filled in by the healing engine. */
export const healingModule: Module = {
  name: 'healing',
  routes: () => [],
};
