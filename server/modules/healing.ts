import type { Module, ModuleContext } from './module.js';
import { healingActionRoutes, startHealingActions } from './healing-actions.js';
import { healingDetectionRoutes, startHealingDetection } from './healing-detection.js';

/**
 * The healing area. Action half (playbooks, actions, queue): ./healing-actions.ts. Detection half
 * (issues, Alertmanager intake, health monitor): ./healing-detection.ts.
 */
let stopActions: (() => Promise<void>) | null = null;
let stopDetection: (() => Promise<void>) | null = null;

export const healingModule: Module = {
  name: 'healing',
  routes: (ctx: ModuleContext) => [...healingDetectionRoutes(ctx), ...healingActionRoutes(ctx)],
  async start(ctx: ModuleContext) {
    stopDetection = await startHealingDetection(ctx);
    stopActions = await startHealingActions(ctx);
  },
  async stop() {
    await stopActions?.();
    stopActions = null;
    await stopDetection?.();
    stopDetection = null;
  },
};
