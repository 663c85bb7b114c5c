import type { Module, ModuleContext } from './module.js';
import { healingActionRoutes, startHealingActions } from './healing-actions.js';

/**
 * The healing area. Action half (playbooks, actions, queue): ./healing-actions.ts. The detection half
 * (issues, health monitor) adds its routes and start/stop beside these.
 */
let stopActions: (() => Promise<void>) | null = null;

export const healingModule: Module = {
  name: 'healing',
  routes: (ctx: ModuleContext) => [...healingActionRoutes(ctx)],
  async start(ctx: ModuleContext) {
    stopActions = await startHealingActions(ctx);
  },
  async stop() {
    await stopActions?.();
    stopActions = null;
  },
};
