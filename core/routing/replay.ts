/**
 * Replay: recorded tasks run through the current rules and through the current rules with a draft
 * applied (a draft replaces the rule of the same name, or joins the set), to see which decisions a
 * rule change would alter. What the rules leave open (team by the classifier, the member by load)
 * is taken as recorded, so only the effect of the rules is measured. Nothing is stored.
 */
import type { Priority, Task } from '../model.js';
import { applyRules, compileRules, type RoutableTask, type RoutingRule, type RuleInput } from './rules.js';

export interface ReplayOutcome {
  team: string | null;
  priority: Priority;
  assignee: string | null;
  skills: string[];
  tags: Record<string, string>;
  rules: string[];
}

export interface ReplayChange {
  taskId: string;
  title: string;
  createdAt: number;
  before: ReplayOutcome;
  after: ReplayOutcome;
  /** which of team, priority, assignee, skills, tags differ */
  fields: string[];
}

export interface ReplayReport {
  checked: number;
  changed: number;
  unchanged: number;
  since: number;
  drafts: string[];
  /** the first changes, oldest first */
  changes: ReplayChange[];
}

export interface RecordedTask {
  task: Task;
  team: string | null;
  assignee: string | null;
}

/** Current rules with the drafts applied: same name → replaced, else added. */
export function withDrafts(current: readonly RoutingRule[], drafts: readonly RuleInput[], orgId: string, now: number): RoutingRule[] {
  const byName = new Map(current.map((r) => [r.name, r]));
  for (const d of drafts) {
    const old = byName.get(d.name);
    byName.set(d.name, { ...d, id: old?.id ?? `draft:${d.name}`, orgId, createdAt: old?.createdAt ?? now, updatedAt: now, createdBy: old?.createdBy ?? 'draft' });
  }
  return [...byName.values()];
}

export function replay(
  recorded: readonly RecordedTask[],
  current: readonly RoutingRule[],
  drafts: readonly RuleInput[],
  options: { orgId: string; now: number; since: number; limit?: number; name?: (ref: string) => string },
): ReplayReport {
  const name = options.name ?? ((ref: string) => ref);
  const before = compileRules(current);
  const after = compileRules(withDrafts(current, drafts, options.orgId, options.now));
  const changes: ReplayChange[] = [];
  let changed = 0;
  const ordered = [...recorded].sort((a, b) => a.task.createdAt - b.task.createdAt);
  for (const r of ordered) {
    const t = r.task;
    // the task as it arrived: team and assignee were what routing decided, so they are left out
    const input: RoutableTask = {
      title: t.title, description: t.description, priority: t.priority, status: 'open', tags: t.tags, source: t.source,
      createdBy: t.createdBy, createdAt: t.createdAt, team: null, assignee: null,
    };
    const b = outcome(applyRules(before, input), r, name);
    const a = outcome(applyRules(after, input), r, name);
    const fields = (['team', 'priority', 'assignee', 'skills', 'tags'] as const).filter((f) => JSON.stringify(b[f]) !== JSON.stringify(a[f]));
    if (fields.length === 0) continue;
    changed++;
    if (changes.length < (options.limit ?? 500)) changes.push({ taskId: t.id, title: t.title, createdAt: t.createdAt, before: b, after: a, fields: [...fields] });
  }
  return { checked: ordered.length, changed, unchanged: ordered.length - changed, since: options.since, drafts: drafts.map((d) => d.name), changes };
}

/** `name` turns a team or member reference (id or name) into its name. */
function outcome(o: ReturnType<typeof applyRules>, r: RecordedTask, name: (ref: string) => string): ReplayOutcome {
  const team = o.team ? name(o.team) : r.team;
  return {
    team,
    priority: o.priority ?? r.task.priority,
    // a rule that moves the task to another team also moves it away from the recorded assignee
    assignee: o.assignee ? name(o.assignee) : team !== r.team ? null : r.assignee,
    skills: [...o.skills].sort(),
    tags: Object.fromEntries(Object.entries(o.tags).sort()),
    rules: o.matched.map((m) => m.name),
  };
}
