/**
 * The routing engine: rules management, decisions stored with the task in one transaction, history
 * import, explanations. It receives the store, clock, classifier hub, model client, calendars and
 * workload signals; it does no I/O of its own.
 */
import type { Interval } from '../calendar/business-time.js';
import { AppError, conflict, notFound } from '../errors.js';
import { newId } from '../ids.js';
import type { Llm } from '../llm.js';
import type { Actor, Member, Priority, Task, Team } from '../model.js';
import type { Clock, Commit, Store } from '../ports.js';
import { buildTask, resolveAssignment } from '../tasks/tasks.js';
import type { WorkloadSignals } from '../workload/ports.js';
import { CandidateSource } from './candidates.js';
import { askClaude } from './claude.js';
import { decide, DEFAULT_MIN_CONFIDENCE, type ClaudeOutcome, type Decision } from './decide.js';
import type { ClassifierHub } from './hub.js';
import type { NewHistoryRow, StoredDecision } from './ports.js';
import { replay, type RecordedTask, type ReplayReport } from './replay.js';
import { applyRules, checkRuleRefs, compileRules, parseRule, type CompiledRule, type RoutableTask, type RoutingRule, type RuleInput } from './rules.js';

/** Out-of-office time of a member, from a cache the server keeps warm; never waits on the network. */
export interface CalendarSource {
  busy(member: Member, now: number): readonly Interval[];
}

export interface RoutingSettings {
  minConfidence: number;
  claudeBudgetMs: number;
}

export interface RoutingEngineDeps {
  store: Store;
  commit: Commit;
  clock: Clock;
  /** null when learned routing is switched off (ENABLE_AI_ROUTING=false) */
  hub: ClassifierHub | null;
  llm: Llm | null;
  calendars: CalendarSource;
  signals: () => WorkloadSignals | undefined;
  settings?: Partial<RoutingSettings>;
  /** a monotonic reading in ms, for latency */
  monotonic?: () => number;
  observe?: (method: string, seconds: number) => void;
}

export interface RouteInput {
  title: string;
  description?: string;
  priority?: Priority;
  tags?: Record<string, string>;
  /** extra facts rules may test (`labels.<k>`), e.g. from a webhook; not stored on the task */
  labels?: Record<string, string>;
  source?: string;
  team?: string | null;
  assignee?: string | null;
}

export interface RouteResult extends Decision {
  taskId: string | null;
  dryRun: boolean;
  latencyMs: number;
  /** the factors in words, one line each */
  explanation: string[];
}

export interface HistoryInput {
  title: string;
  description?: string;
  team: string;
  assignee?: string;
  priority?: Priority;
  tags?: Record<string, string>;
  skills?: string[];
  createdAt?: number;
}

interface OrgContext {
  at: number;
  signature: string;
  teams: Team[];
  members: Member[];
  rules: CompiledRule[];
}

const CONTEXT_TTL_MS = 2_000;


export class RoutingEngine {
  private readonly contexts = new Map<string, OrgContext>();
  private readonly settings: RoutingSettings;
  private readonly candidates: CandidateSource;

  constructor(private readonly deps: RoutingEngineDeps) {
    this.settings = { minConfidence: DEFAULT_MIN_CONFIDENCE, claudeBudgetMs: 2_500, ...deps.settings };
    this.candidates = new CandidateSource({ repo: deps.store.routing, busy: (m, now) => deps.calendars.busy(m, now), signals: deps.signals });
  }

  // ---- rules ---------------------------------------------------------------------------------

  listRules(orgId: string): Promise<RoutingRule[]> {
    return this.deps.store.routing.listRules(orgId);
  }

  async getRule(orgId: string, idOrName: string): Promise<RoutingRule> {
    const rule = await this.deps.store.routing.findRule(orgId, idOrName);
    if (!rule) throw notFound('rule', idOrName);
    return rule;
  }

  /** Parses a rule document and checks the teams and members it names; throws with the bad path. */
  async validateRule(orgId: string, json: unknown, prefix = ''): Promise<RuleInput> {
    const input = parseRule(json, prefix);
    const [teams, members] = await Promise.all([this.deps.store.teams.list(orgId), this.deps.store.members.list(orgId)]);
    const issues = checkRuleRefs(input, teams, members, prefix);
    if (issues.length) throw new AppError('validation', `${issues[0]!.path}: ${issues[0]!.message}`, 'see: foundry-op teams list, foundry-op members list', issues);
    return input;
  }

  async addRule(actor: Actor, json: unknown): Promise<RoutingRule> {
    const input = await this.validateRule(actor.orgId, json);
    const rule = await this.deps.commit(actor, async (tx) => {
      if (await tx.routing.findRule(actor.orgId, input.name)) throw conflict(`rule ${input.name} already exists`, `change it with: foundry-op rules update ${input.name} --file F`);
      const now = this.deps.clock.now();
      const rule: RoutingRule = { ...input, id: newId('rule', now), orgId: actor.orgId, createdAt: now, updatedAt: now, createdBy: actor.name };
      await tx.routing.insertRule(rule);
      return {
        value: rule,
        audit: { action: 'rule.create', subject: rule.id, summary: `created routing rule ${rule.name} (priority ${rule.priority})` },
        events: [{ type: 'rule.created', subject: rule.id, data: rule }],
      };
    });
    this.contexts.delete(actor.orgId);
    return rule;
  }

  async updateRule(actor: Actor, idOrName: string, json: unknown): Promise<RoutingRule> {
    const input = await this.validateRule(actor.orgId, json);
    return this.changeRule(actor, idOrName, 'update', (old) => ({ ...old, ...input, description: input.description }));
  }

  setEnabled(actor: Actor, idOrName: string, enabled: boolean): Promise<RoutingRule> {
    return this.changeRule(actor, idOrName, enabled ? 'enable' : 'disable', (old) => ({ ...old, enabled }));
  }

  async deleteRule(actor: Actor, idOrName: string): Promise<RoutingRule> {
    const rule = await this.deps.commit(actor, async (tx) => {
      const rule = await tx.routing.findRule(actor.orgId, idOrName);
      if (!rule) throw notFound('rule', idOrName);
      await tx.routing.deleteRule(actor.orgId, rule.id);
      return {
        value: rule,
        audit: { action: 'rule.delete', subject: rule.id, summary: `deleted routing rule ${rule.name}` },
        events: [{ type: 'rule.deleted', subject: rule.id, data: { id: rule.id, name: rule.name } }],
      };
    });
    this.contexts.delete(actor.orgId);
    return rule;
  }

  private async changeRule(actor: Actor, idOrName: string, verb: string, change: (old: RoutingRule) => RoutingRule): Promise<RoutingRule> {
    const rule = await this.deps.commit(actor, async (tx) => {
      const old = await tx.routing.findRule(actor.orgId, idOrName);
      if (!old) throw notFound('rule', idOrName);
      const next = { ...change(old), id: old.id, orgId: old.orgId, createdAt: old.createdAt, createdBy: old.createdBy, updatedAt: this.deps.clock.now() };
      if (next.name !== old.name && (await tx.routing.findRule(actor.orgId, next.name))) throw conflict(`rule ${next.name} already exists`);
      await tx.routing.updateRule(next);
      return {
        value: next,
        audit: { action: `rule.${verb}`, subject: old.id, summary: `${verb}d routing rule ${next.name}` },
        events: [{ type: 'rule.updated', subject: old.id, data: next }],
      };
    });
    this.contexts.delete(actor.orgId);
    return rule;
  }

  // ---- decisions -----------------------------------------------------------------------------

  /** Decides team and assignee; unless dryRun, stores task and decision in one transaction. */
  async route(actor: Actor, input: RouteInput, opts: { dryRun?: boolean } = {}): Promise<RouteResult> {
    const mono = this.deps.monotonic ?? (() => this.deps.clock.now());
    const started = mono();
    const orgId = actor.orgId;
    const title = input.title.trim();
    const description = (input.description ?? '').trim();
    if (title === '') {
      throw new AppError('validation', 'title: must not be empty', 'give the task a title', [{ path: 'title', message: 'must not be empty' }]);
    }
    const ctx = await this.context(orgId);
    const given = await resolveAssignment(this.deps.store, orgId, input.team, input.assignee);
    const now = this.deps.clock.now();
    const task: RoutableTask = {
      title, description, priority: input.priority ?? 'P3', status: 'open', tags: input.tags ?? {}, labels: input.labels ?? {},
      source: input.source ?? 'api', createdBy: actor.name, createdAt: now, team: null, assignee: null,
    };

    const candidatesOf = await this.candidates.byTeam(orgId, ctx.members, now);
    const model = this.deps.hub ? await this.deps.hub.get(orgId) : null;
    const classifier = model?.status === 'ready' ? model.classifier : model?.status === 'training' ? model.classifier : null;
    // The classifier (and Claude) are asked only when neither the caller nor a rule fixed the team:
    // their answer would not be used, and classifying is a good part of a decision's cost.
    const applied = applyRules(ctx.rules, task);
    const teamFixed = given.teamId !== null || (applied.team !== undefined && ctx.teams.some((t) => t.id === applied.team || t.name === applied.team));
    const classification = classifier && !teamFixed ? classifier.classify(title, description) : null;
    let claude: ClaudeOutcome | undefined;
    if (classification && classification.confidence < this.settings.minConfidence && this.deps.llm) {
      claude = await askClaude(
        this.deps.llm, { title, description, priority: task.priority, orgId }, ctx.teams.map((t) => ({ name: t.name, description: t.description })),
        this.settings.claudeBudgetMs, classification.ranked.slice(0, 3),
      );
    }
    const decision = decide({
      task, now, rules: ctx.rules, applied, classification, claude, teams: ctx.teams,
      candidates: candidatesOf,
      given: { team: given.teamId ? ctx.teams.find((t) => t.id === given.teamId) ?? null : null, assignee: given.member },
      minConfidence: this.settings.minConfidence,
    });
    if (model?.status === 'training' && !classifier) {
      decision.factors.unshift({ kind: 'note', text: `the classifier is still learning ${model.items} history items; decided by rules and load meanwhile` });
    }
    if (!this.deps.hub) decision.factors.unshift({ kind: 'note', text: 'learned routing is switched off (ENABLE_AI_ROUTING); decided by rules and load' });

    let taskId: string | null = null;
    if (!opts.dryRun) {
      taskId = await this.store(actor, input, decision, started, mono);
      if (decision.assignee) this.candidates.assigned(orgId, decision.assignee, now);
    }
    const latencyMs = round(mono() - started);
    this.deps.observe?.(decision.method, latencyMs / 1000);
    return { ...decision, taskId, dryRun: Boolean(opts.dryRun), latencyMs, explanation: decision.factors.map((f) => f.text) };
  }

  private async store(actor: Actor, input: RouteInput, d: Decision, started: number, mono: () => number): Promise<string> {
    return this.deps.commit(actor, async (tx) => {
      const now = this.deps.clock.now();
      const tags = { ...(input.tags ?? {}), ...d.tags };
      const task: Task = buildTask({ ...input, priority: d.priority, tags }, actor, now, d.teamId, d.assignee);
      await tx.tasks.insert(task);
      const stored: StoredDecision = {
        id: newId('dec', now), orgId: actor.orgId, taskId: task.id, teamId: d.teamId, team: d.team, assigneeId: d.assignee,
        assignee: d.assigneeName, confidence: d.confidence, method: d.method, priority: d.priority, skills: d.skills,
        factors: d.factors, latencyMs: round(mono() - started), createdAt: now,
      };
      await tx.routing.insertDecision(stored);
      const routed = {
        taskId: task.id, team: d.team, teamId: d.teamId, assignee: d.assignee, assigneeName: d.assigneeName,
        confidence: d.confidence, method: d.method, priority: d.priority,
      };
      return {
        value: task.id,
        audit: {
          action: 'task.route', subject: task.id,
          summary: `routed ${task.priority} task "${task.title.slice(0, 60)}" to ${d.team ?? 'no team'}${d.assigneeName ? ` / ${d.assigneeName}` : ''} (${d.method}, confidence ${d.confidence.toFixed(2)})`,
        },
        events: [
          { type: 'task.created', subject: task.id, data: task },
          { type: 'task.routed', subject: task.id, data: routed },
        ],
      };
    });
  }

  /** The stored decision of a task in words, for `tasks show` and `route --explain`. */
  async explain(orgId: string, taskId: string): Promise<(StoredDecision & { explanation: string[] }) | null> {
    const d = await this.deps.store.routing.decisionForTask(orgId, taskId);
    return d ? { ...d, explanation: d.factors.map((f) => f.text) } : null;
  }

  /** What the drafts would change on tasks recorded since `since`; stores nothing. */
  async replay(orgId: string, drafts: readonly unknown[], since: number): Promise<ReplayReport> {
    const inputs: RuleInput[] = [];
    for (let i = 0; i < drafts.length; i++) inputs.push(await this.validateRule(orgId, drafts[i], drafts.length > 1 ? `rules[${i}]` : ''));
    const names = inputs.map((d) => d.name);
    const dup = names.find((n, i) => names.indexOf(n) !== i);
    if (dup) throw new AppError('validation', `rules: the name ${dup} appears twice`, undefined, [{ path: 'rules', message: `duplicate name ${dup}` }]);
    const [current, tasks, teams, members] = await Promise.all([
      this.deps.store.routing.listRules(orgId),
      this.deps.store.tasks.list(orgId, { since, limit: 100_000 }),
      this.deps.store.teams.list(orgId),
      this.deps.store.members.list(orgId),
    ]);
    const teamName = new Map(teams.map((t) => [t.id, t.name]));
    const memberName = new Map(members.map((m) => [m.id, m.name]));
    const recorded: RecordedTask[] = tasks.map((task) => ({
      task, team: task.teamId ? teamName.get(task.teamId) ?? null : null, assignee: task.assigneeId ? memberName.get(task.assigneeId) ?? null : null,
    }));
    return replay(recorded, current, inputs, {
      orgId, now: this.deps.clock.now(), since, name: (ref) => teamName.get(ref) ?? memberName.get(ref) ?? ref,
    });
  }

  // ---- history -------------------------------------------------------------------------------

  /** Loads past tasks with their team, creating unknown teams; all or nothing. */
  async importHistory(actor: Actor, items: readonly HistoryInput[]): Promise<{ imported: number; teamsCreated: string[]; historySize: number }> {
    const result = await this.deps.commit(actor, async (tx) => {
      const now = this.deps.clock.now();
      const teams = await tx.teams.list(actor.orgId);
      const known = new Set(teams.map((t) => t.name));
      const created: string[] = [];
      for (const it of items) {
        if (known.has(it.team)) continue;
        known.add(it.team);
        created.push(it.team);
        await tx.teams.insert({ id: newId('team', now), orgId: actor.orgId, name: it.team, description: null, timezone: null, workingHours: null, holidays: [], createdAt: now });
      }
      const rows: NewHistoryRow[] = items.map((it) => ({
        orgId: actor.orgId, id: newId('hist', it.createdAt ?? now), taskId: null, title: it.title, description: it.description ?? '',
        team: it.team, assignee: it.assignee ?? null, priority: it.priority ?? null, tags: it.tags ?? {}, skills: it.skills ?? [],
        origin: 'import', createdAt: it.createdAt ?? now,
      }));
      await tx.routing.insertHistory(rows);
      return {
        value: { imported: rows.length, teamsCreated: created },
        audit: { action: 'history.import', subject: actor.orgId, summary: `imported ${rows.length} history items${created.length ? `, created teams ${created.join(', ')}` : ''}` },
        events: [{ type: 'history.imported', subject: actor.orgId, data: { imported: rows.length, teamsCreated: created } }],
      };
    });
    this.contexts.delete(actor.orgId);
    void this.deps.hub?.refresh(actor.orgId);
    return { ...result, historySize: await this.deps.store.routing.countHistory(actor.orgId) };
  }

  /** Resolved tasks join the history (and so the classifier). Returns how many joined. */
  async sweepResolved(orgId: string): Promise<number> {
    const rows = await this.deps.store.routing.resolvedNotInHistory(orgId, 10_000);
    if (rows.length) {
      await this.deps.store.transaction(async (tx) => tx.routing.insertHistory(rows));
      void this.deps.hub?.refresh(orgId);
    }
    return rows.length;
  }

  // ---- shared --------------------------------------------------------------------------------

  /** Teams, members and compiled rules of an org, cached briefly (rules recompile only on change). */
  async context(orgId: string): Promise<OrgContext> {
    const now = this.deps.clock.now();
    const hit = this.contexts.get(orgId);
    if (hit && now - hit.at < CONTEXT_TTL_MS && now >= hit.at) return hit;
    const [teams, members, rules] = await Promise.all([
      this.deps.store.teams.list(orgId), this.deps.store.members.list(orgId), this.deps.store.routing.listRules(orgId),
    ]);
    // rules are compiled (regexes built) only when the set changed, not on every refresh
    const signature = rules.map((r) => `${r.id}:${r.updatedAt}:${r.enabled ? 1 : 0}`).join(',');
    const compiled = hit && hit.signature === signature ? hit.rules : compileRules(rules);
    const ctx = { at: now, teams, members, rules: compiled, signature };
    this.contexts.set(orgId, ctx);
    return ctx;
  }

  forget(orgId: string): void {
    this.contexts.delete(orgId);
  }
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
