import type { Module } from './module.js';

/** The assistant area's routes and schedulers. Filled in by the assistant engine. */
export const assistantModule: Module = {
  name: 'assistant',
  routes: () => [],
};
