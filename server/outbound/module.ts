import { route } from '../http/route.js';
import type { Module, ModuleContext } from '../modules/module.js';
import { createTracing, type Tracing } from '../tracing/tracing.js';
import { Outbound } from './outbound.js';

export interface OutboundPieces {
  tracing: Tracing;
  outbound: Outbound;
  /** `GET /v1/outbound`: each target's circuit and the latest failures. */
  module: Module;
  close(): Promise<void>;
}

/** The daemon's outbound layer; engines that call out cannot run without it. */
export function outboundOf(ctx: ModuleContext): Outbound {
  const outbound = ctx.services.get<Outbound>('outbound');
  if (!outbound) throw new Error('the outbound service is provided by createOutbound (server/outbound/module.ts) before any engine is built');
  return outbound;
}

/**
 * Builds tracing and the outbound layer and publishes them as the services `tracing` and `outbound`
 * (engines: `ctx.services.get<Outbound>('outbound')`, see server/outbound/README.md).
 */
export async function createOutbound(ctx: ModuleContext, version: string): Promise<OutboundPieces> {
  const tracing = await createTracing({ endpoint: ctx.config.otlpEndpoint, serviceName: 'foundry-op', version });
  const outbound = new Outbound({ clock: ctx.clock, log: ctx.log, metrics: ctx.metrics, tracing, commit: ctx.commit });
  ctx.services.provide('tracing', tracing);
  ctx.services.provide('outbound', outbound);
  const module: Module = {
    name: 'outbound',
    routes: () => [
      route({
        method: 'GET', path: '/v1/outbound', perm: ['events', 'read'],
        handler: async () => ({ body: { targets: outbound.status(), recentFailures: outbound.recentFailures() } }),
      }),
    ],
  };
  return { tracing, outbound, module, close: () => tracing.shutdown().catch(() => {}) };
}
