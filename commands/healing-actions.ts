import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { CliContext } from '../cli/context.js';
import { AppError } from '../core/errors.js';
import { parsePlaybook } from '../core/healing/playbooks/parse.js';
import { ACTION_STATUSES } from '../core/healing/actions/model.js';

/** `healing playbooks …` and `healing actions …`. */

interface PlaybookView {
  id: string; name: string; description: string | null; enabled: boolean; disabledReason: string | null; trigger: unknown;
  steps: number; rollbackSteps: number; cooldownSeconds: number; version: number; createdBy: string; createdAt: string; updatedAt: string;
  spec?: { steps: Array<{ id: string; type: string }>; rollback: Array<{ id: string; type: string }> }; source?: string;
}

interface StepView {
  stepId: string; phase: string; type: string; status: string; attempt: number; error: string | null; durationMs: number | null;
  startedAt: string; finishedAt: string | null; output: Record<string, unknown>; rendered: unknown;
}

interface ActionView {
  id: string; playbookId: string; playbookName: string; issueId: string | null; target: string; status: string; phase: string;
  trigger: string; startedBy: string; approval: { stepId: string; expiresAt: string; decidedBy: string | null; decision: string | null } | null;
  error: string | null; createdAt: string; startedAt: string | null; finishedAt: string | null; steps?: StepView[];
}

const statusColor = (s: string): 'red' | 'yellow' | 'green' | 'gray' | undefined =>
  s === 'succeeded' ? 'green' : s === 'failed' || s === 'rolled_back' ? 'red' : s === 'awaiting_approval' || s === 'running' ? 'yellow' : s === 'pending' ? undefined : 'gray';

const ACTION_COLUMNS = [
  { header: 'id', value: 'id' as const },
  { header: 'status', value: 'status' as const, color: statusColor },
  { header: 'playbook', value: 'playbookName' as const },
  { header: 'target', value: 'target' as const },
  { header: 'issue', value: 'issueId' as const },
  { header: 'by', value: 'startedBy' as const },
  { header: 'created', value: 'createdAt' as const },
  { header: 'error', value: 'error' as const },
];

const PLAYBOOK_COLUMNS = [
  { header: 'id', value: 'id' as const },
  { header: 'name', value: 'name' as const },
  { header: 'enabled', value: 'enabled' as const, color: (t: string) => (t === 'yes' ? ('green' as const) : ('gray' as const)) },
  { header: 'steps', value: 'steps' as const },
  { header: 'cooldown', value: (p: PlaybookView) => `${p.cooldownSeconds}s` },
  { header: 'trigger', value: (p: PlaybookView) => (p.trigger ? JSON.stringify(p.trigger) : 'manual only') },
  { header: 'note', value: 'disabledReason' as const },
];

/** Reads a playbook file (or stdin for `-`) and validates it here, so a bad file exits 2 and sends nothing. */
export function readPlaybookFile(file: string, stdin: () => string = () => readFileSync(0, 'utf8')): string {
  let text: string;
  try {
    text = file === '-' ? stdin() : readFileSync(file, 'utf8');
  } catch (e) {
    throw new AppError('usage', `--file ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  try {
    parsePlaybook(text);
  } catch (e) {
    if (e instanceof AppError) throw new AppError('usage', `${file}: ${e.message}`, 'nothing was stored', e.details);
    throw e;
  }
  return text;
}

function showAction(ctx: CliContext, a: ActionView): void {
  if (ctx.out.json) return ctx.out.data(a);
  ctx.out.object(a as unknown as Record<string, unknown>, [
    ['id', a.id], ['status', a.status], ['playbook', `${a.playbookName} (${a.playbookId})`], ['target', a.target], ['issue', a.issueId],
    ['started', `${a.createdAt} by ${a.startedBy} (${a.trigger})`], ['finished', a.finishedAt],
    ...(a.approval ? ([['approval', `${a.approval.decision ?? 'waiting'} at step ${a.approval.stepId}${a.approval.decidedBy ? ` by ${a.approval.decidedBy}` : `, expires ${a.approval.expiresAt}`}`]] as [string, unknown][]) : []),
    ...(a.phase === 'rollback' ? ([['phase', 'rollback']] as [string, unknown][]) : []),
    ['error', a.error],
  ]);
  if (a.steps && a.steps.length > 0) {
    ctx.out.line('');
    ctx.out.list(a.steps, [
      { header: 'step', value: (s: StepView) => (s.phase === 'rollback' ? `↺ ${s.stepId}` : s.stepId) },
      { header: 'type', value: 'type' },
      { header: 'status', value: 'status', color: (t: string) => statusColor(t) },
      { header: 'try', value: 'attempt' },
      { header: 'ms', value: 'durationMs' },
      { header: 'result', value: (s: StepView) => s.error ?? summarizeOutput(s.output) },
    ]);
  }
}

function summarizeOutput(o: Record<string, unknown>): string {
  if (typeof o.detail === 'string') return o.detail;
  if (typeof o.status === 'number') return `HTTP ${o.status}`;
  if (typeof o.stdout === 'string') return o.stdout.trim().split('\n').slice(-1)[0] ?? '';
  return '';
}

const TERMINAL = new Set(['succeeded', 'failed', 'rolled_back', 'rejected', 'expired']);

export function registerHealingActions(healing: Command, ctx: CliContext): void {
  const playbooks = healing.command('playbooks').description('remediation playbooks: add, list, show, enable, disable, run');

  playbooks.command('list').description('list playbooks').action(async () => {
    ctx.out.list(await ctx.client().get<PlaybookView[]>('/v1/healing/playbooks'), PLAYBOOK_COLUMNS);
  });

  playbooks.command('show <id>').description('show a playbook (id or name) and its file').action(async (id: string) => {
    const p = await ctx.client().get<PlaybookView>(`/v1/healing/playbooks/${encodeURIComponent(id)}`);
    if (ctx.out.json) return ctx.out.data(p);
    ctx.out.object(p as unknown as Record<string, unknown>, [
      ['id', p.id], ['name', p.name], ['description', p.description], ['enabled', p.disabledReason ? `no (${p.disabledReason})` : p.enabled],
      ['trigger', p.trigger ?? 'manual only'], ['steps', p.spec?.steps.map((s) => `${s.id}:${s.type}`).join(' → ')],
      ['rollback', p.spec?.rollback.map((s) => `${s.id}:${s.type}`).join(' → ') || null], ['cooldown', `${p.cooldownSeconds}s`],
      ['version', p.version], ['created', `${p.createdAt} by ${p.createdBy}`],
    ]);
    if (p.source) ctx.out.line(`\n${p.source.trimEnd()}`);
  });

  playbooks
    .command('add')
    .description('add a playbook from a YAML or JSON file (refused whole, with the path of any bad field)')
    .requiredOption('--file <file>', 'the playbook file, or - for stdin')
    .action(async (opts: { file: string }) => {
      const source = readPlaybookFile(opts.file);
      const p = await ctx.client().post<PlaybookView>('/v1/healing/playbooks', { source });
      if (ctx.out.json) return ctx.out.data(p);
      ctx.out.line(`added playbook ${p.name} (${p.id})`);
    });

  playbooks
    .command('update <id>')
    .description('replace a playbook with a new version of its file')
    .requiredOption('--file <file>', 'the playbook file, or - for stdin')
    .action(async (id: string, opts: { file: string }) => {
      const source = readPlaybookFile(opts.file);
      const p = await ctx.client().put<PlaybookView>(`/v1/healing/playbooks/${encodeURIComponent(id)}`, { source });
      if (ctx.out.json) return ctx.out.data(p);
      ctx.out.line(`updated playbook ${p.name} to version ${p.version}`);
    });

  for (const verb of ['enable', 'disable'] as const) {
    playbooks.command(`${verb} <id>`).description(`${verb} a playbook${verb === 'enable' ? ' (also resets its circuit breaker)' : ''}`).action(async (id: string) => {
      const p = await ctx.client().post<PlaybookView>(`/v1/healing/playbooks/${encodeURIComponent(id)}/${verb}`);
      if (ctx.out.json) return ctx.out.data(p);
      ctx.out.line(`${verb}d playbook ${p.name}`);
    });
  }

  playbooks
    .command('run <id>')
    .description('start a playbook now (needs manager); --dry-run prints the rendered plan and changes nothing')
    .option('--issue <id>', 'the issue whose values fill the templates')
    .option('--dry-run', 'print the plan only')
    .option('--wait', 'wait until the action finishes or waits for approval')
    .action(async (id: string, opts: { issue?: string; dryRun?: boolean; wait?: boolean }) => {
      const path = `/v1/healing/playbooks/${encodeURIComponent(id)}/run`;
      if (opts.dryRun) {
        const r = await ctx.client().post<{ plan: unknown; text: string; wouldStart: boolean; refusal: { message: string } | null }>(path, { issueId: opts.issue, dryRun: true });
        if (ctx.out.json) return ctx.out.data(r);
        ctx.out.line(r.text);
        if (r.refusal) ctx.out.warn(`a real run would be refused now: ${r.refusal.message}`);
        return;
      }
      let a = await ctx.client().post<ActionView>(path, { issueId: opts.issue });
      if (opts.wait) {
        while (!TERMINAL.has(a.status) && a.status !== 'awaiting_approval') {
          await new Promise((r) => setTimeout(r, 200));
          a = await ctx.client().get<ActionView>(`/v1/healing/actions/${a.id}`);
        }
        return showAction(ctx, await ctx.client().get<ActionView>(`/v1/healing/actions/${a.id}`));
      }
      if (ctx.out.json) return ctx.out.data(a);
      ctx.out.line(`started ${a.id} (${a.status}); follow it with: foundry-op healing actions show ${a.id}`);
    });

  const actions = healing.command('actions').description('playbook runs: list, show, approve, reject');

  actions
    .command('list')
    .description('list actions, newest first')
    .option('--status <s>', `one or more of ${ACTION_STATUSES.join(', ')} (comma-separated)`)
    .option('--playbook <id>', 'playbook id or name')
    .option('--issue <id>')
    .option('--limit <n>', 'at most this many (default 100)')
    .action(async (opts: { status?: string; playbook?: string; issue?: string; limit?: string }) => {
      for (const s of opts.status?.split(',') ?? []) {
        if (!(ACTION_STATUSES as readonly string[]).includes(s)) throw new AppError('usage', `--status ${s}: expected one of ${ACTION_STATUSES.join(', ')}`);
      }
      const list = await ctx.client().get<ActionView[]>('/v1/healing/actions', { status: opts.status, playbook: opts.playbook, issue: opts.issue, limit: opts.limit });
      ctx.out.list(list, ACTION_COLUMNS);
    });

  actions.command('show <id>').description('show an action with each step, its output and timing').action(async (id: string) => {
    showAction(ctx, await ctx.client().get<ActionView>(`/v1/healing/actions/${encodeURIComponent(id)}`));
  });

  actions.command('approve <id>').description('approve a waiting action (manager or admin, not the one who started it)').action(async (id: string) => {
    const a = await ctx.client().post<ActionView>(`/v1/healing/actions/${encodeURIComponent(id)}/approve`);
    if (ctx.out.json) return ctx.out.data(a);
    ctx.out.line(`approved ${a.id}; it is ${a.status}`);
  });

  actions
    .command('reject <id>')
    .description('reject a waiting action')
    .requiredOption('--reason <text>', 'why, for the audit trail')
    .action(async (id: string, opts: { reason: string }) => {
      const a = await ctx.client().post<ActionView>(`/v1/healing/actions/${encodeURIComponent(id)}/reject`, { reason: opts.reason });
      if (ctx.out.json) return ctx.out.data(a);
      ctx.out.line(`rejected ${a.id}`);
    });
}
