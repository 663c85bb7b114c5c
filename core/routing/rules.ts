/**
 * Routing rules: validated on save, compiled once, tried in ascending priority; the actions of every
 * matching rule apply until one says stop.
 */
import { z } from 'zod';
import { AppError } from '../errors.js';
import { PRIORITIES, type Priority } from '../model.js';
import { compileCondition, conditionSchema, describeCondition, type CompiledCondition, type Condition } from '../conditions/index.js';

/** Paths a routing rule's conditions may read from the task being routed. */
export const TASK_FIELDS = [
  'title', 'description', 'text', 'priority', 'status', 'team', 'assignee', 'source', 'createdBy', 'createdAt',
  'skills', 'tags', 'tags.*', 'labels', 'labels.*',
] as const;

export interface RuleActions {
  /** team name or id */
  team?: string;
  /** member name or id; must belong to `team` when both are given */
  assignee?: string;
  priority?: Priority;
  /** skills the assignee must have */
  skills?: string[];
  tags?: Record<string, string>;
  stop?: boolean;
}

export interface RuleInput {
  name: string;
  description?: string;
  priority: number;
  enabled: boolean;
  conditions: Condition;
  actions: RuleActions;
}

export interface RoutingRule extends RuleInput {
  id: string;
  orgId: string;
  createdAt: number;
  updatedAt: number;
  createdBy: string;
}

const tagKey = z.string().min(1).max(100).regex(/^[\w.\-:/@]+$/, 'a tag key has letters, digits and _ . - : / @ only');

export const ruleActionsSchema = z
  .strictObject({
    team: z.string().min(1).max(200).optional(),
    assignee: z.string().min(1).max(200).optional(),
    priority: z.enum(PRIORITIES).optional(),
    skills: z.array(z.string().min(1).max(100)).max(50).optional(),
    tags: z.record(tagKey, z.string().max(500)).optional(),
    stop: z.boolean().optional(),
  })
  .refine((a) => Object.keys(a).length > 0, 'a rule needs at least one action (team, assignee, priority, skills, tags, stop)');

/** The shape of a rule file (JSON or YAML); conditions are checked against TASK_FIELDS. */
export const ruleInputSchema = z.strictObject({
  name: z.string().trim().min(1, 'a rule needs a name').max(200),
  description: z.string().max(2000).optional(),
  priority: z.number().int().min(-1_000_000).max(1_000_000).default(100),
  enabled: z.boolean().default(true),
  conditions: conditionSchema({ fields: TASK_FIELDS }),
  actions: ruleActionsSchema,
}) as unknown as z.ZodType<RuleInput>;

export interface Issue {
  path: string;
  message: string;
}

/** Zod issues as `{path: 'conditions.all[0].op', message}`, with `prefix` before every path. */
export function zodIssues(error: z.ZodError, prefix = ''): Issue[] {
  return error.issues.map((i) => {
    let path = prefix;
    for (const p of i.path) path = typeof p === 'number' ? `${path}[${p}]` : path ? `${path}.${String(p)}` : String(p);
    return { path: path || '(root)', message: i.message };
  });
}

/** Validates a rule document; throws a validation AppError naming the first bad path and listing all. */
export function parseRule(json: unknown, prefix = ''): RuleInput {
  const r = ruleInputSchema.safeParse(json);
  if (r.success) return r.data;
  const issues = zodIssues(r.error, prefix);
  throw new AppError('validation', `${issues[0]!.path}: ${issues[0]!.message}`, 'fix the rule file and try again', issues);
}

/** A team or member as rule validation needs it. */
export interface RefTeam {
  id: string;
  name: string;
}
export interface RefMember {
  id: string;
  name: string;
  teamId: string | null;
}

/**
 * Checks the teams and members a rule names: each must exist, and an assignee must belong to the
 * team the same rule names. Returns the problems, each with its path.
 */
export function checkRuleRefs(rule: RuleInput, teams: readonly RefTeam[], members: readonly RefMember[], prefix = ''): Issue[] {
  const at = (p: string): string => (prefix ? `${prefix}.${p}` : p);
  const issues: Issue[] = [];
  const team = rule.actions.team ? teams.find((t) => t.id === rule.actions.team || t.name === rule.actions.team) : undefined;
  if (rule.actions.team && !team) issues.push({ path: at('actions.team'), message: `unknown team ${rule.actions.team}` });
  if (rule.actions.assignee) {
    const m = members.find((x) => x.id === rule.actions.assignee || x.name === rule.actions.assignee);
    if (!m) issues.push({ path: at('actions.assignee'), message: `unknown member ${rule.actions.assignee}` });
    else if (team && m.teamId !== team.id) {
      issues.push({ path: at('actions.assignee'), message: `${m.name} is not a member of team ${team.name}` });
    }
  }
  return issues;
}

/** The task as rule conditions see it: names rather than ids, `text` = title + description. */
export interface RoutableTask {
  title: string;
  description: string;
  text?: string;
  priority: Priority;
  status?: string;
  team?: string | null;
  assignee?: string | null;
  source?: string;
  createdBy?: string;
  createdAt?: number;
  skills?: string[];
  tags: Record<string, string>;
  labels?: Record<string, string>;
}

export interface CompiledRule {
  rule: RoutingRule;
  holds: CompiledCondition;
}

/** Enabled rules in the order they are tried (priority, then name, then id), each compiled once. */
export function compileRules(rules: readonly RoutingRule[]): CompiledRule[] {
  return rules
    .filter((r) => r.enabled)
    .slice()
    .sort((a, b) => a.priority - b.priority || a.name.localeCompare(b.name) || a.id.localeCompare(b.id))
    .map((rule) => ({ rule, holds: compileCondition(rule.conditions) }));
}

export interface RuleMatch {
  ruleId: string;
  name: string;
  priority: number;
  /** what the conditions are, in words */
  when: string;
  /** the actions this rule actually set (an action an earlier rule had already set is not repeated) */
  applied: RuleActions;
  /** actions that an earlier rule had already decided */
  overridden: (keyof RuleActions)[];
  stop: boolean;
}

export interface RulesOutcome {
  team?: string;
  assignee?: string;
  priority?: Priority;
  skills: string[];
  tags: Record<string, string>;
  matched: RuleMatch[];
  /** the rule that stopped evaluation, if any */
  stoppedBy?: string;
}

/**
 * Tries the rules in order against the task. A field set by an earlier (more important) rule is not
 * overwritten by a later one; skills and tags accumulate. Each rule sees the task as the rules
 * before it left it, so one rule may tag and a later one route on that tag.
 */
export function applyRules(rules: readonly CompiledRule[], task: RoutableTask): RulesOutcome {
  const out: RulesOutcome = { skills: [], tags: {}, matched: [] };
  const entity: RoutableTask = { ...task, text: `${task.title}\n${task.description}`, tags: { ...task.tags }, skills: [...(task.skills ?? [])] };
  for (const { rule, holds } of rules) {
    if (!holds(entity)) continue;
    const a = rule.actions;
    const applied: RuleActions = {};
    const overridden: (keyof RuleActions)[] = [];
    for (const key of ['team', 'assignee', 'priority'] as const) {
      if (a[key] === undefined) continue;
      if (out[key] === undefined) {
        (out as unknown as Record<string, unknown>)[key] = a[key];
        (applied as unknown as Record<string, unknown>)[key] = a[key];
        (entity as unknown as Record<string, unknown>)[key] = a[key];
      } else if (out[key] !== a[key]) overridden.push(key);
    }
    const newSkills = (a.skills ?? []).filter((s) => !out.skills.includes(s));
    if (newSkills.length) {
      out.skills.push(...newSkills);
      entity.skills!.push(...newSkills);
      applied.skills = newSkills;
    }
    for (const [k, v] of Object.entries(a.tags ?? {})) {
      if (k in out.tags) {
        if (out.tags[k] !== v && !overridden.includes('tags')) overridden.push('tags');
        continue;
      }
      out.tags[k] = v;
      entity.tags[k] = v;
      (applied.tags ??= {})[k] = v;
    }
    if (a.stop) applied.stop = true;
    out.matched.push({ ruleId: rule.id, name: rule.name, priority: rule.priority, when: describeCondition(rule.conditions), applied, overridden, stop: a.stop === true });
    if (a.stop) {
      out.stoppedBy = rule.name;
      break;
    }
  }
  return out;
}

/** One line per matched rule for `--explain`. */
export function describeMatch(m: RuleMatch): string {
  const parts: string[] = [];
  if (m.applied.team) parts.push(`team ${m.applied.team}`);
  if (m.applied.assignee) parts.push(`assignee ${m.applied.assignee}`);
  if (m.applied.priority) parts.push(`priority ${m.applied.priority}`);
  if (m.applied.skills?.length) parts.push(`needs ${m.applied.skills.join(', ')}`);
  if (m.applied.tags) parts.push(`tags ${Object.entries(m.applied.tags).map(([k, v]) => `${k}=${v}`).join(', ')}`);
  const did = parts.length ? parts.join('; ') : 'nothing new';
  const over = m.overridden.length ? ` (${m.overridden.join(', ')} already set by an earlier rule)` : '';
  return `rule "${m.name}" (priority ${m.priority}) matched: ${m.when} → ${did}${over}${m.stop ? '; stop' : ''}`;
}
