import { notFound } from '../../core/errors.js';
import { z } from 'zod';
import { Counter, Gauge } from 'prom-client';
import { HealingEngine } from '../../core/healing/actions/engine.js';
import { actionToJson, ACTION_STATUSES, type ActionStatus } from '../../core/healing/actions/model.js';
import type { PlaybookRecord } from '../../core/healing/actions/ports.js';
import { formatPlan } from '../../core/healing/playbooks/plan.js';
import { ISSUE_DETECTED, ISSUE_RESOLVED } from '../../core/healing/issues.js';
import type { JobQueue } from '../../core/jobs.js';
import type { Subscription } from '../../core/ports.js';
import { createStepExecutors, type MetricLatest, type RunCheck } from '../exec/executors.js';
import { route, type Route } from '../http/route.js';
import { StoreJobQueue } from '../jobs/store-queue.js';
import { ChannelNotifier, notifierSettings } from '../notify/notifier.js';
import type { Notifier } from '../../core/notify/ports.js';
import { outboundOf } from '../outbound/module.js';
import { ResilientNotifier } from '../outbound/notifier.js';
import type { Secrets } from '../secrets/vault.js';
import type { SqlDb } from '../store/sql.js';
import type { ModuleContext } from './module.js';

/**
 * The action half of self-healing in the daemon: playbooks, actions, approvals, the durable queue and the
 * `issue.detected` subscription. Services it reads: `healing.metricLatest` (verify on a metric),
 * `healing.runCheck` (verify by a health check), `jobs.queue` (scaled mode). Services it provides:
 * `healing.actions` (the engine) and `notifier` (for compliance and others).
 */

const playbookBody = z.object({ source: z.string().min(1).max(256 * 1024) });
const runBody = z.object({ issueId: z.string().optional(), dryRun: z.boolean().optional() }).default({});
const rejectBody = z.object({ reason: z.string().min(1).max(2000) });
const actionsQuery = z.object({
  status: z.string().optional(),
  playbook: z.string().optional(),
  issue: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
});

/** The list view of a playbook; `show` adds the definition and its source text. */
function playbookSummary(p: PlaybookRecord): Record<string, unknown> {
  return {
    id: p.id, name: p.name, description: p.spec.description ?? null, enabled: p.enabled, disabledReason: p.disabledReason,
    trigger: p.spec.trigger ?? null, steps: p.spec.steps.length, rollbackSteps: p.spec.rollback.length,
    cooldownSeconds: p.spec.cooldown / 1000, version: p.version, createdBy: p.createdBy, createdAt: p.createdAt, updatedAt: p.updatedAt,
  };
}

export interface HealingActionsRuntime {
  engine: HealingEngine;
  queue: JobQueue;
  notifier: Notifier;
  channels: ChannelNotifier;
}

const runtimes = new WeakMap<ModuleContext, HealingActionsRuntime>();

/** One engine per daemon, shared by the routes and start(). */
export function healingActionsRuntime(ctx: ModuleContext): HealingActionsRuntime {
  const existing = runtimes.get(ctx);
  if (existing) return existing;
  // Slack and SMTP come from each organisation's integration secrets when stored, else from the settings.
  const channels = new ChannelNotifier(notifierSettings(ctx.config.settings), ctx.commit, ctx.services.get<Secrets>('secrets'));
  // Through the outbound layer: retries, a deadline and a circuit breaker per channel.
  const outbound = outboundOf(ctx);
  const notifier: Notifier = new ResilientNotifier(channels, outbound);
  const queue = ctx.services.get<JobQueue>('jobs.queue') ?? new StoreJobQueue((ctx.store as unknown as { db: SqlDb }).db, {
    clock: ctx.clock,
    // Embedded: this daemon owns the database, so jobs left running belonged to a process that died.
    reclaimAllOnStart: ctx.config.redis === null,
    // Embedded, every enqueue wakes the worker in-process and timers cover delayed jobs: the poll is a safety net only.
    pollMs: ctx.config.redis === null ? 5_000 : 500,
    onError: (err, job) => ctx.log.error('job failed', { kind: job.kind, jobId: job.id, error: (err as Error).message }),
  });
  const executed = new Counter({ name: 'selfhealing_actions_executed', help: 'Healing actions that finished, by final status', labelNames: ['status'], registers: [ctx.metrics] });
  const failed = new Counter({ name: 'selfhealing_actions_failed', help: 'Healing actions that ended failed or rolled back', registers: [ctx.metrics] });
  const store = ctx.store;
  new Gauge({
    name: 'selfhealing_actions_success_ratio',
    help: 'Succeeded / (succeeded + failed + rolled back) healing actions, over all stored actions',
    registers: [ctx.metrics],
    async collect() {
      let ok = 0;
      let all = 0;
      for (const org of await store.orgs.list()) {
        ok += await store.healing.countActions(org.id, { status: ['succeeded'] });
        all += await store.healing.countActions(org.id, { status: ['succeeded', 'failed', 'rolled_back'] });
      }
      this.set(all === 0 ? 1 : ok / all);
    },
  });
  const latestFromStore: MetricLatest = async (orgId, name, labels, since) => {
    const points = await store.metrics.recentPoints(orgId, name, since, 5_000);
    for (let i = points.length - 1; i >= 0; i--) {
      const p = points[i]!;
      if (Object.entries(labels).every(([k, v]) => p.tags[k] === v)) return { value: p.value, at: p.at };
    }
    return null;
  };
  const executors = createStepExecutors({
    clock: ctx.clock,
    notifier,
    outbound,
    metricLatest: () => ctx.services.get<MetricLatest>('healing.metricLatest') ?? latestFromStore,
    runCheck: () => ctx.services.get<RunCheck>('healing.runCheck'),
  });
  const engine = new HealingEngine({
    store: ctx.store, commit: ctx.commit, queue, clock: ctx.clock, executors, autoHealing: ctx.config.flags.autoHealing,
    limits: { maxConcurrent: Number(ctx.config.settings['healing_max_concurrent']) || 4 },
    metrics: {
      actionFinished(status: ActionStatus) {
        executed.inc({ status });
        if (status === 'failed' || status === 'rolled_back') failed.inc();
      },
    },
  });
  engine.attach();
  ctx.services.provide('healing.actions', engine);
  ctx.services.provide('notifier', notifier);
  const runtime = { engine, queue, notifier, channels };
  runtimes.set(ctx, runtime);
  return runtime;
}

export function healingActionRoutes(ctx: ModuleContext): Route[] {
  const { engine } = healingActionsRuntime(ctx);
  const store = ctx.store;
  return [
    route({
      method: 'GET', path: '/v1/healing/playbooks', perm: ['healing', 'read'],
      handler: async ({ caller }) => ({ body: (await engine.listPlaybooks(caller.orgId)).map(playbookSummary) }),
    }),
    route({
      method: 'POST', path: '/v1/healing/playbooks', perm: ['healing', 'manage'], body: playbookBody,
      handler: async ({ caller, body }) => ({ status: 201, body: playbookSummary(await engine.addPlaybook(caller.actor, body.source)) }),
    }),
    route({
      method: 'GET', path: '/v1/healing/playbooks/:id', perm: ['healing', 'read'],
      handler: async ({ caller, params }) => {
        const p = await engine.getPlaybook(caller.orgId, params.id!);
        return { body: { ...playbookSummary(p), spec: p.spec, source: p.source } };
      },
    }),
    route({
      method: 'PUT', path: '/v1/healing/playbooks/:id', perm: ['healing', 'manage'], body: playbookBody,
      handler: async ({ caller, params, body }) => ({ body: playbookSummary(await engine.updatePlaybook(caller.actor, params.id!, body.source)) }),
    }),
    route({
      method: 'POST', path: '/v1/healing/playbooks/:id/enable', perm: ['healing', 'manage'],
      handler: async ({ caller, params }) => ({ body: playbookSummary(await engine.setEnabled(caller.actor, params.id!, true)) }),
    }),
    route({
      method: 'POST', path: '/v1/healing/playbooks/:id/disable', perm: ['healing', 'manage'],
      handler: async ({ caller, params }) => ({ body: playbookSummary(await engine.setEnabled(caller.actor, params.id!, false)) }),
    }),
    route({
      method: 'POST', path: '/v1/healing/playbooks/:id/run', perm: ['healing', 'execute'], body: runBody,
      handler: async ({ caller, params, body }) => {
        if (body.dryRun) {
          const { plan, refusal } = await engine.dryRun(caller.orgId, params.id!, body.issueId);
          return { body: { dryRun: true, plan, text: formatPlan(plan), wouldStart: refusal === null, refusal } };
        }
        return { status: 201, body: actionToJson(await engine.run(caller.actor, params.id!, body.issueId)) };
      },
    }),
    route({
      method: 'GET', path: '/v1/healing/actions', perm: ['healing', 'read'], query: actionsQuery,
      handler: async ({ caller, query }) => {
        const status = query.status?.split(',').filter((s): s is ActionStatus => (ACTION_STATUSES as readonly string[]).includes(s));
        let playbookId: string | undefined;
        if (query.playbook) playbookId = (await engine.getPlaybook(caller.orgId, query.playbook)).id;
        const list = await store.healing.listActions(caller.orgId, {
          ...(status && status.length ? { status } : {}), ...(playbookId ? { playbookId } : {}), ...(query.issue ? { issueId: query.issue } : {}), limit: query.limit ?? 100,
        });
        return { body: list.map((a) => actionToJson(a)) };
      },
    }),
    route({
      method: 'GET', path: '/v1/healing/actions/:id', perm: ['healing', 'read'],
      handler: async ({ caller, params }) => {
        const a = await store.healing.getAction(caller.orgId, params.id!);
        if (!a) throw notFound('action', params.id!);
        return { body: actionToJson(a, await store.healing.listSteps(caller.orgId, a.id)) };
      },
    }),
    route({
      method: 'POST', path: '/v1/healing/actions/:id/approve', perm: ['healing', 'execute'],
      handler: async ({ caller, params }) => ({ body: actionToJson(await engine.approve(caller.actor, params.id!)) }),
    }),
    route({
      method: 'POST', path: '/v1/healing/actions/:id/reject', perm: ['healing', 'execute'], body: rejectBody,
      handler: async ({ caller, params, body }) => ({ body: actionToJson(await engine.reject(caller.actor, params.id!, body.reason)) }),
    }),
  ];
}

const PLAYBOOK_CHANGES = ['playbook.added', 'playbook.updated', 'playbook.enabled', 'playbook.disabled'];

/** Subscribes to new issues, starts the queue and picks up whatever a previous daemon left unfinished. */
export async function startHealingActions(ctx: ModuleContext): Promise<() => Promise<void>> {
  const { engine, queue, channels } = healingActionsRuntime(ctx);
  const subs: Subscription[] = [];
  for (const org of await ctx.store.orgs.list()) {
    subs.push(
      await ctx.bus.subscribe(org.id, { types: [ISSUE_DETECTED, ISSUE_RESOLVED] }, (event) => {
        const work = event.type === ISSUE_DETECTED ? engine.onIssueDetected(event) : engine.onIssueResolved(event);
        work.catch((err: Error) => ctx.log.error('healing: reacting to an issue failed', { type: event.type, issueId: event.subject, error: err.message }));
      }),
      // new issues are matched against playbooks kept for a few seconds: a change, here or on another daemon, is heard at once
      await ctx.bus.subscribe(org.id, { types: PLAYBOOK_CHANGES }, (event) => engine.forgetPlaybooks(event.orgId)),
    );
  }
  await queue.start();
  const resumed = await engine.recover();
  if (resumed > 0) ctx.log.info('healing actions resumed after restart', { count: resumed });
  return async () => {
    for (const s of subs) s.close();
    await queue.close();
    channels.close();
  };
}
