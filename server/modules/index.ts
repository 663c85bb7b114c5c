import type { Module } from './module.js';
import { assistantModule } from './assistant.js';
import { complianceModule } from './compliance.js';
import { healingModule } from './healing.js';
import { metricsModule } from './metrics.js';
import { routingModule } from './routing.js';
import { workloadModule } from './workload.js';

/**
 * The engines' modules, in start order: engines that provide services to others (metrics, workload)
 * start before those that use them.
 */
export const areaModules: Module[] = [metricsModule, workloadModule, routingModule, healingModule, complianceModule, assistantModule];
