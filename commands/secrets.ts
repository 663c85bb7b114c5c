import type { Command } from 'commander';
import type { CliContext } from '../cli/context.js';
import { AppError } from '../core/errors.js';

interface SecretView { name: string; keyId: string; createdBy: string; createdAt: string; updatedAt: string }

/** The value comes from stdin, an environment variable or a hidden prompt: never from argv, where `ps` would show it. */
async function readValue(ctx: CliContext, name: string, fromEnv?: string): Promise<string> {
  if (fromEnv) {
    const v = ctx.env[fromEnv];
    if (!v) throw new AppError('usage', `--from-env: ${fromEnv} is not set`);
    return v;
  }
  if (ctx.io.stdin.isTTY) {
    if (!ctx.interactive) throw new AppError('usage', 'no value given', 'pipe it on stdin or pass --from-env VAR');
    const { password } = await import('@inquirer/prompts');
    return password({ message: `value for ${name}`, mask: '*' });
  }
  const chunks: Buffer[] = [];
  for await (const chunk of ctx.io.stdin) chunks.push(chunk as Buffer);
  const value = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
  if (!value) throw new AppError('usage', 'no value on stdin', `e.g. printf %s "$SLACK_WEBHOOK" | foundry-op secrets set ${name}`);
  return value;
}

export function register(program: Command, ctx: CliContext): void {
  const secrets = program
    .command('secrets')
    .description('integration secrets (Slack webhooks, SMTP URLs, API keys), encrypted at rest; admins only');

  secrets
    .command('list')
    .description('list stored secrets by name (values are never shown)')
    .action(async () => {
      const list = await ctx.client().get<SecretView[]>('/v1/secrets');
      ctx.out.list(list, [
        { header: 'name', value: 'name' },
        { header: 'key', value: 'keyId' },
        { header: 'set by', value: 'createdBy' },
        { header: 'updated', value: 'updatedAt' },
      ]);
    });

  secrets
    .command('set <name>')
    .description('store or replace a secret; the value is read from stdin (or a hidden prompt on a TTY)')
    .option('--from-env <VAR>', 'take the value from this environment variable')
    .action(async (name: string, opts: { fromEnv?: string }) => {
      const value = await readValue(ctx, name, opts.fromEnv);
      const saved = await ctx.client().put<SecretView>(`/v1/secrets/${encodeURIComponent(name)}`, { value });
      if (ctx.out.json) return ctx.out.data(saved);
      ctx.out.line(`stored ${saved.name} (sealed with key ${saved.keyId})`);
    });

  secrets
    .command('remove <name>')
    .description('delete a secret')
    .action(async (name: string) => {
      if (!(await ctx.confirm(`remove secret ${name}?`))) return;
      const removed = await ctx.client().delete<{ name: string }>(`/v1/secrets/${encodeURIComponent(name)}`);
      if (ctx.out.json) return ctx.out.data(removed);
      ctx.out.line(`removed ${removed.name}`);
    });

  secrets
    .command('rotate-key')
    .description('new encryption key: re-encrypt every stored secret with it, then forget the old key')
    .action(async () => {
      const r = await ctx.client().post<{ keyId: string; resealed: number; retired: string[] }>('/v1/secrets/rotate');
      if (ctx.out.json) return ctx.out.data(r);
      ctx.out.line(`now using key ${r.keyId}; re-encrypted ${r.resealed} secret(s); retired ${r.retired.join(', ') || 'no keys'}`);
      ctx.out.info('back up secrets.key in the state folder: without it the stored secrets cannot be read');
    });
}
