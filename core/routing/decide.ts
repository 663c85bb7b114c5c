/**
 * One routing decision, as a pure function: rules first, then the classifier (or Claude's answer,
 * when it was asked), then the member within the team. Every step leaves a factor saying, in words
 * and in data, what it contributed, so `route --explain` can show why.
 */
import type { Member, Priority, Team } from '../model.js';
import type { Classification } from './classifier.js';
import { chooseMember, type Candidate, type MemberAssessment } from './members.js';
import { applyRules, describeMatch, type CompiledRule, type RoutableTask, type RulesOutcome } from './rules.js';

export type FactorKind = 'rule' | 'given' | 'classifier' | 'claude' | 'load' | 'member' | 'note';

export interface Factor {
  kind: FactorKind;
  /** one sentence for people */
  text: string;
  data?: unknown;
}

export type DecisionMethod = 'given' | 'rules' | 'classifier' | 'claude' | 'load' | 'none';

export interface Decision {
  /** team name, or null when no team could be chosen */
  team: string | null;
  teamId: string | null;
  /** member id */
  assignee: string | null;
  assigneeName: string | null;
  priority: Priority;
  skills: string[];
  tags: Record<string, string>;
  /** 0..1: 1 for a team a rule or the caller named, the calibrated probability for a learned one */
  confidence: number;
  method: DecisionMethod;
  factors: Factor[];
}

/** Claude's answer (already validated) or why there is none. */
export type ClaudeOutcome =
  | { ok: true; team: string; skills: string[]; priority?: Priority; confidence: number; rationale: string; model: string }
  | { ok: false; reason: string };

export interface DecideInput {
  task: RoutableTask;
  now: number;
  rules: readonly CompiledRule[];
  /** what `rules` make of `task`, when the caller has worked it out already */
  applied?: RulesOutcome;
  /** null when there is no history to learn from */
  classification: Classification | null;
  claude?: ClaudeOutcome;
  teams: readonly Team[];
  /** candidates of a team (members with their load, calendar and round-robin state) */
  candidates(teamId: string): readonly Candidate[];
  /** what the caller fixed themselves (`tasks create --team`) */
  given?: { team?: Team | null; assignee?: Member | null };
  /** below this classifier confidence Claude is consulted (when configured) */
  minConfidence?: number;
}

export const DEFAULT_MIN_CONFIDENCE = 0.6;

/**
 * The nearest past tasks a decision keeps as evidence. The classifier votes with more neighbours, but
 * five is what anyone reads, and every decision is stored and sent with its factors.
 */
export const EVIDENCE_KEPT = 5;

/** P1 and P2 need someone now; P3 and P4 may wait for the soonest available. */
export function isUrgent(p: Priority): boolean {
  return p === 'P1' || p === 'P2';
}

export function decide(input: DecideInput): Decision {
  const factors: Factor[] = [];
  const rules = input.applied ?? applyRules(input.rules, input.task);
  for (const m of rules.matched) factors.push({ kind: 'rule', text: describeMatch(m), data: m });
  const priority = rules.priority ?? input.task.priority;
  const skills = [...rules.skills];
  const findTeam = (ref: string): Team | undefined => input.teams.find((t) => t.id === ref || t.name === ref);

  let team: Team | null = null;
  let confidence = 0;
  let method: DecisionMethod = 'none';

  if (input.given?.team) {
    team = input.given.team;
    confidence = 1;
    method = 'given';
    factors.push({ kind: 'given', text: `team ${team.name} was given with the task` });
  } else if (input.given?.assignee?.teamId) {
    team = input.teams.find((t) => t.id === input.given!.assignee!.teamId) ?? null;
    if (team) {
      confidence = 1;
      method = 'given';
      factors.push({ kind: 'given', text: `assignee ${input.given.assignee.name} was given with the task; team ${team.name} is theirs` });
    }
  }
  if (!team && rules.team) {
    const t = findTeam(rules.team);
    if (t) {
      team = t;
      confidence = 1;
      method = 'rules';
    } else {
      factors.push({ kind: 'note', text: `a rule names team ${rules.team}, which no longer exists; ignored` });
    }
  }
  if (!team) {
    const learned = fromClassifier(input, findTeam, factors, skills);
    if (learned) ({ team, confidence, method } = learned);
  }
  if (!team) {
    const byLoad = leastLoaded(input, factors);
    if (byLoad) {
      team = byLoad;
      confidence = input.teams.length ? round(1 / input.teams.length) : 0;
      method = 'load';
    }
  }
  if (!team) {
    factors.push({ kind: 'note', text: 'no team could be chosen: there are no teams yet' });
    return { team: null, teamId: null, assignee: null, assigneeName: null, priority, skills, tags: rules.tags, confidence: 0, method: 'none', factors };
  }

  const member = chooseAssignee(input, team, rules.assignee, priority, skills, factors);
  return {
    team: team.name,
    teamId: team.id,
    assignee: member?.id ?? null,
    assigneeName: member?.name ?? null,
    priority,
    skills,
    tags: rules.tags,
    confidence: round(confidence),
    method,
    factors,
  };
}

function fromClassifier(
  input: DecideInput,
  findTeam: (ref: string) => Team | undefined,
  factors: Factor[],
  skills: string[],
): { team: Team; confidence: number; method: DecisionMethod } | null {
  const c = input.classification;
  if (!c || c.ranked.length === 0) {
    factors.push({ kind: 'note', text: 'no routing history yet: the team is chosen by rules and load' });
    return null;
  }
  const known = c.ranked.filter((r) => findTeam(r.team));
  const top = known[0];
  if (!top) return null;
  const evidence = c.evidence.slice(0, 3).map((e) => `${e.id} (${e.team}, ${e.similarity.toFixed(2)})`).join(', ');
  const alternatives = known.slice(1, 3).map((r) => `${r.team} ${pct(r.probability)}`).join(', ');
  factors.push({
    kind: 'classifier',
    text: `history of ${c.historySize} tasks says ${top.team} with ${pct(top.probability)} confidence` +
      (alternatives ? ` (then ${alternatives})` : '') + (evidence ? `; nearest past tasks: ${evidence}` : ''),
    data: { ranked: known.slice(0, 3), evidence: c.evidence.slice(0, EVIDENCE_KEPT), skills: c.skills, historySize: c.historySize },
  });
  const threshold = input.minConfidence ?? DEFAULT_MIN_CONFIDENCE;
  const claude = input.claude;
  if (claude && top.probability < threshold) {
    if (claude.ok && findTeam(claude.team)) {
      factors.push({
        kind: 'claude',
        text: `confidence below ${pct(threshold)}, so Claude (${claude.model}) was asked: ${claude.team} with ${pct(claude.confidence)} confidence — ${claude.rationale}`,
        data: claude,
      });
      for (const s of claude.skills) if (!skills.includes(s)) skills.push(s);
      return { team: findTeam(claude.team)!, confidence: claude.confidence, method: 'claude' };
    }
    const why = claude.ok ? `it named team ${claude.team}, which does not exist` : claude.reason;
    factors.push({ kind: 'claude', text: `confidence below ${pct(threshold)}; Claude was asked but ${why}, so the offline answer stands`, data: claude });
  }
  for (const s of c.skills) if (s.score >= 0.5 && !skills.includes(s.name)) skills.push(s.name);
  return { team: findTeam(top.team)!, confidence: top.probability, method: 'classifier' };
}

function leastLoaded(input: DecideInput, factors: Factor[]): Team | null {
  let best: { team: Team; room: number } | null = null;
  for (const team of input.teams) {
    let room = 0;
    for (const c of input.candidates(team.id)) if (c.member.active) room += Math.max(0, c.member.capacity - c.activeTasks);
    if (!best || room > best.room) best = { team, room };
  }
  if (best) factors.push({ kind: 'load', text: `team ${best.team.name} has the most room (${best.room} open slots)`, data: { room: best.room } });
  return best?.team ?? null;
}

function chooseAssignee(input: DecideInput, team: Team, ruleAssignee: string | undefined, priority: Priority, skills: string[], factors: Factor[]): { id: string; name: string } | null {
  const candidates = input.candidates(team.id);
  const given = input.given?.assignee;
  if (given) {
    if (given.teamId === team.id) {
      factors.push({ kind: 'given', text: `assignee ${given.name} was given with the task` });
      return given;
    }
    factors.push({ kind: 'note', text: `given assignee ${given.name} is not in team ${team.name}; ignored` });
  }
  if (ruleAssignee) {
    const c = candidates.find((x) => x.member.id === ruleAssignee || x.member.name === ruleAssignee);
    if (c) {
      factors.push({ kind: 'member', text: `a rule assigns ${c.member.name}` });
      return c.member;
    }
    factors.push({ kind: 'note', text: `a rule assigns ${ruleAssignee}, who is not in team ${team.name}; chose within the team instead` });
  }
  const choice = chooseMember(candidates, { now: input.now, urgent: isUrgent(priority), skills, team });
  factors.push({
    kind: 'member',
    text: choice.memberId ? `${choice.name}: ${choice.reason}` : `no assignee: ${choice.reason}`,
    data: { assessments: choice.assessments.map(brief) },
  });
  return choice.memberId ? { id: choice.memberId, name: choice.name! } : null;
}

function brief(a: MemberAssessment): Record<string, unknown> {
  return {
    memberId: a.memberId, name: a.name, note: a.note, availableNow: a.availableNow, availableAt: a.availableAt,
    skillScore: a.skillScore, activeTasks: a.activeTasks, capacity: a.capacity, room: a.room, penalty: a.penalty,
  };
}

function pct(p: number): string {
  return `${Math.round(p * 100)}%`;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
