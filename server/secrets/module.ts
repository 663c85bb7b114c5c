import { z } from 'zod';
import { route, type Route } from '../http/route.js';
import type { Module, ModuleContext } from '../modules/module.js';
import type { SqlStore } from '../store/index.js';
import { Keyring } from './keyring.js';
import { SecretVault } from './vault.js';

const secretBody = z.strictObject({ value: z.string().min(1, 'a secret cannot be empty').max(16_384) });

/**
 * Integration secrets (Slack webhooks, SMTP URLs with passwords, API keys): write-only over HTTP. Values go
 * in and are used by the engines (`ctx.services.get<Secrets>('secrets')`); no route ever returns one.
 */
export function secretsModule(store: SqlStore): Module {
  let vault: SecretVault | null = null;
  return {
    name: 'secrets',
    routes(ctx: ModuleContext): Route[] {
      vault = new SecretVault(store.db, Keyring.open(ctx.config.home, ctx.clock.now()), ctx.bus, ctx.clock);
      ctx.services.provide('secrets', vault);
      const v = vault;
      return [
        route({
          method: 'GET', path: '/v1/secrets', perm: ['users', 'read'],
          handler: async ({ caller }) => ({ body: await v.list(caller.orgId) }),
        }),
        route({
          method: 'PUT', path: '/v1/secrets/:name', perm: ['users', 'write'], body: secretBody,
          handler: async ({ caller, params, body }) => ({ body: await v.set(caller.actor, params.name!, body.value) }),
        }),
        route({
          method: 'DELETE', path: '/v1/secrets/:name', perm: ['users', 'write'],
          handler: async ({ caller, params }) => {
            await v.remove(caller.actor, params.name!);
            return { body: { name: params.name, removed: true } };
          },
        }),
        route({
          method: 'POST', path: '/v1/secrets/rotate', perm: ['users', 'write'],
          handler: async ({ caller }) => ({ body: await v.rotate(caller.actor) }),
        }),
      ];
    },
    // Every engine registered its sealed columns in routes(); values stored before a column was sealed
    // (routing webhook secrets of older versions) are encrypted now, before the daemon listens.
    async start(ctx: ModuleContext): Promise<void> {
      for (const s of (await vault?.sealPlaintextColumns()) ?? []) {
        ctx.log.info('sealed plain-text secrets at rest', { table: s.table, column: s.column, rows: s.sealed });
      }
    },
  };
}
