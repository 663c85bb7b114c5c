import type { Issue } from '../issues.js';
import { executionOrder } from './parse.js';
import { renderStep, RenderError, type RenderedStep, type TemplateContext } from './render.js';
import type { PlaybookSpec, Step } from './schema.js';
import { formatDuration } from './duration.js';
import { renderTemplate } from './template.js';

/** The context templates see for an issue; `issue` is absent for a manual run without one. */
export function templateContext(
  issue: Issue | null,
  extra: { actionId?: string; playbookId?: string; playbookName: string; target: string; steps?: TemplateContext['steps'] },
): TemplateContext {
  return {
    issue: issue as unknown as Record<string, unknown> | null,
    action: extra.actionId ? { id: extra.actionId } : {},
    playbook: { id: extra.playbookId, name: extra.playbookName },
    target: extra.target,
    steps: extra.steps ?? {},
  };
}

/**
 * What cooldowns and hourly caps count against: the playbook's `target` template if it renders, else the
 * issue's service or instance label, else its fingerprint; a manual run without an issue targets the playbook.
 */
export function resolveTarget(spec: PlaybookSpec, issue: Issue | null): string {
  if (spec.target) {
    try {
      return renderTemplate(spec.target, { issue, playbook: { name: spec.name } });
    } catch {
      // fall through to the defaults: a target that cannot render must not block a remediation
    }
  }
  if (!issue) return `playbook:${spec.name}`;
  return issue.labels['service'] ?? issue.labels['instance'] ?? issue.fingerprint;
}

export interface PlannedStep {
  id: string;
  phase: 'main' | 'rollback';
  type: Step['type'];
  idempotent: boolean;
  rendered: RenderedStep | null;
  /** One line a person reads. */
  summary: string;
  /** Values the step needs that are not known yet (results of earlier steps) or missing from the issue. */
  unresolved: string[];
  error: string | null;
}

export interface Plan {
  playbook: string;
  target: string;
  issueId: string | null;
  steps: PlannedStep[];
  rollback: PlannedStep[];
}

/** Quotes an argv item for display only; nothing ever runs this text. */
function showArg(a: string): string {
  return /^[\w@%+=:,./-]+$/.test(a) ? a : JSON.stringify(a);
}

export function summarizeStep(r: RenderedStep): string {
  switch (r.type) {
    case 'exec':
      return `run ${r.argv.map(showArg).join(' ')} (timeout ${formatDuration(r.timeout)}${Object.keys(r.env).length ? `, env ${Object.keys(r.env).join(',')}` : ''})`;
    case 'http':
      return `${r.method} ${r.url} expecting ${r.expectStatus ? r.expectStatus.join('|') : '2xx'} (timeout ${formatDuration(r.timeout)})`;
    case 'wait':
      return `wait ${formatDuration(r.duration)}`;
    case 'verify':
      return r.metric !== undefined
        ? `verify ${r.metric}${Object.keys(r.labels).length ? JSON.stringify(r.labels) : ''} ${r.condition?.op} ${r.condition?.value} within ${formatDuration(r.within)}`
        : `verify health check ${r.check} passes within ${formatDuration(r.within)}`;
    case 'notify':
      return `notify ${r.channel}${r.to ? ` ${r.to.join(',')}` : ''}: ${r.subject ? `[${r.subject}] ` : ''}${r.text}`;
    case 'approve':
      return `wait up to ${formatDuration(r.timeout)} for a manager or admin to approve${r.text ? `: ${r.text}` : ''}`;
  }
}

function planSteps(steps: Step[], phase: 'main' | 'rollback', base: TemplateContext, stepIds: ReadonlySet<string>): PlannedStep[] {
  const order = executionOrder(steps, phase === 'main' ? 'steps' : 'rollback', stepIds).order;
  return order.map((step) => {
    const unresolved: string[] = [];
    const onMissing = (path: string): string => {
      unresolved.push(path);
      return path.startsWith('steps.') ? `<${path}>` : `<missing ${path}>`;
    };
    try {
      const rendered = renderStep(step, base, { onMissing });
      return { id: step.id, phase, type: step.type, idempotent: step.idempotent, rendered, summary: summarizeStep(rendered), unresolved, error: null };
    } catch (e) {
      const error = e instanceof RenderError ? e.message : String(e);
      return { id: step.id, phase, type: step.type, idempotent: step.idempotent, rendered: null, summary: `(cannot render: ${error})`, unresolved, error };
    }
  });
}

/** The rendered plan a dry run prints: every step with its templates filled from the issue. */
export function renderPlan(spec: PlaybookSpec, issue: Issue | null, playbookId?: string): Plan {
  const target = resolveTarget(spec, issue);
  const ctx = templateContext(issue, { playbookName: spec.name, target, ...(playbookId ? { playbookId } : {}), actionId: 'dry-run' });
  const mainIds = new Set(spec.steps.map((s) => s.id));
  return {
    playbook: spec.name,
    target,
    issueId: issue?.id ?? null,
    steps: planSteps(spec.steps, 'main', ctx, new Set()),
    rollback: planSteps(spec.rollback, 'rollback', ctx, mainIds),
  };
}

/** Plain-text form of a plan, one line per step. */
export function formatPlan(plan: Plan): string {
  const lines = [`dry run of ${plan.playbook} on target ${plan.target}${plan.issueId ? ` for issue ${plan.issueId}` : ''}: nothing was changed`];
  plan.steps.forEach((s, i) => lines.push(`  ${i + 1}. ${s.id} [${s.type}${s.idempotent ? ', idempotent' : ''}] ${s.summary}`));
  if (plan.rollback.length) {
    lines.push('  on failure, rollback:');
    plan.rollback.forEach((s, i) => lines.push(`  r${i + 1}. ${s.id} [${s.type}] ${s.summary}`));
  }
  return lines.join('\n');
}
