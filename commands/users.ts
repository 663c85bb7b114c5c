import type { Command } from 'commander';
import type { CliContext } from '../cli/context.js';
import { AppError } from '../core/errors.js';
import { ROLES } from '../core/model.js';

interface UserView { id: string; name: string; role: string; createdAt: string; tokens: { id: string; revokedAt: string | null; expiresAt: string | null }[] }

export function register(program: Command, ctx: CliContext): void {
  const users = program.command('users').description('people and automation that may use the API (admins only)');

  users
    .command('add <name>')
    .description('add a user and print their token once')
    .requiredOption('--role <role>', `one of ${ROLES.join(', ')}`)
    .option('--expires-in-days <n>', 'token lifetime in days (default 365)')
    .action(async (name: string, opts: { role: string; expiresInDays?: string }) => {
      const role = opts.role.toLowerCase();
      if (!(ROLES as readonly string[]).includes(role)) throw new AppError('usage', `--role: ${opts.role} is not one of ${ROLES.join(', ')}`);
      const body: Record<string, unknown> = { name, role };
      if (opts.expiresInDays !== undefined) body.expiresInDays = Number(opts.expiresInDays);
      const created = await ctx.client().post<{ id: string; name: string; role: string; tokenId: string; token: string }>('/v1/users', body);
      if (ctx.out.json) return ctx.out.data(created);
      ctx.out.line(`added ${created.name} (${created.role}), id ${created.id}`);
      ctx.out.line(`token (shown once; token id ${created.tokenId}):`);
      ctx.out.line(created.token);
    });

  users
    .command('list')
    .description('list users and their tokens')
    .action(async () => {
      const list = await ctx.client().get<UserView[]>('/v1/users');
      ctx.out.list(list, [
        { header: 'id', value: 'id' },
        { header: 'name', value: 'name' },
        { header: 'role', value: 'role' },
        { header: 'tokens', value: (u) => u.tokens.map((t) => `${t.id}${t.revokedAt ? ' (revoked)' : ''}`).join(' ') },
        { header: 'created', value: 'createdAt' },
      ]);
    });

  users
    .command('remove <name>')
    .description('remove a user; their tokens stop working at once')
    .action(async (name: string) => {
      const removed = await ctx.client().delete<{ id: string; name: string }>(`/v1/users/${encodeURIComponent(name)}`);
      if (ctx.out.json) return ctx.out.data(removed);
      ctx.out.line(`removed ${removed.name} (${removed.id})`);
    });

  const tokens = program.command('tokens').description('API tokens');
  tokens
    .command('revoke <id>')
    .description('revoke a token; it is refused from the next request on')
    .action(async (id: string) => {
      const token = await ctx.client().post<{ id: string }>(`/v1/tokens/${encodeURIComponent(id)}/revoke`);
      if (ctx.out.json) return ctx.out.data(token);
      ctx.out.line(`revoked ${token.id}`);
    });
}
