// The daemon's JSON to view models. Engines are free to add fields, and a few name things
// differently (a task's `team` may be a name or an object), so every mapper reads defensively and
// falls back rather than failing the whole panel.
import type {
  ActionVM, ComplianceVM, DecisionVM, EventVM, HeaderVM, IssueVM, MemberLoadVM, MetricSeriesVM, Severity, SlaRiskVM, TaskVM, ViolationVM,
} from '../model.js';
import { SEVERITIES } from '../model.js';

type Json = Record<string, unknown>;

export function obj(v: unknown): Json {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {};
}

/** A list response: a bare array, or an array under a usual key. */
export function list(v: unknown, ...keys: string[]): unknown[] {
  if (Array.isArray(v)) return v;
  const o = obj(v);
  for (const k of [...keys, 'items', 'data', 'results']) if (Array.isArray(o[k])) return o[k] as unknown[];
  return [];
}

/** The first of `keys` that holds a usable string (an object's `name` counts). */
export function str(o: Json, ...keys: string[]): string | null {
  for (const k of keys) {
    const v = o[k];
    if (typeof v === 'string' && v !== '') return v;
    if (typeof v === 'number') return String(v);
    if (v && typeof v === 'object' && typeof (v as Json).name === 'string') return (v as Json).name as string;
  }
  return null;
}

export function num(o: Json, ...keys: string[]): number | null {
  for (const k of keys) {
    const v = o[k];
    if (typeof v === 'number' && Number.isFinite(v)) return v;
    if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  }
  return null;
}

/** ISO string or epoch ms to epoch ms. */
export function time(o: Json, fallback: number, ...keys: string[]): number {
  for (const k of keys) {
    const v = o[k];
    if (typeof v === 'number' && Number.isFinite(v)) return v;
    if (typeof v === 'string') {
      const t = Date.parse(v);
      if (Number.isFinite(t)) return t;
    }
  }
  return fallback;
}

export function toHeader(status: unknown, url: string): HeaderVM {
  const s = obj(status);
  const user = obj(s.user);
  return {
    org: str(obj(s.org), 'name', 'id') ?? str(s, 'org', 'organization') ?? '?',
    url,
    user: str(user, 'name', 'id') ?? '?',
    role: (str(user, 'role') ?? '?').toLowerCase(),
  };
}

export function toTask(v: unknown, now: number): TaskVM {
  const o = obj(v);
  return {
    id: str(o, 'id') ?? '?',
    title: str(o, 'title') ?? '',
    priority: str(o, 'priority') ?? '-',
    status: str(o, 'status') ?? '-',
    team: str(o, 'team', 'teamName', 'teamId'),
    assignee: str(o, 'assignee', 'assigneeName', 'assigneeId'),
    createdAt: time(o, now, 'createdAt'),
  };
}

/** A decision from its task.routed event: `{taskId, team, assignee, assigneeName, confidence}`. */
export function toDecisionFromEvent(v: unknown, titles: ReadonlyMap<string, string>, now: number): DecisionVM {
  const e = obj(v);
  const d = obj(e.data);
  const taskId = str(d, 'taskId') ?? str(e, 'subject') ?? '';
  return {
    id: str(e, 'id') ?? taskId,
    taskId,
    taskTitle: titles.get(taskId) ?? str(d, 'title') ?? taskId,
    team: str(d, 'team', 'teamId'),
    assignee: str(d, 'assigneeName', 'assignee'),
    confidence: num(d, 'confidence') ?? 0,
    at: time(e, now, 'at'),
  };
}

export function toIssue(v: unknown, now: number): IssueVM {
  const o = obj(v);
  return {
    id: str(o, 'id') ?? '?',
    title: str(o, 'title', 'summary', 'name', 'message') ?? str(obj(o.labels), 'alertname') ?? '',
    severity: (str(o, 'severity') ?? 'low').toLowerCase(),
    status: str(o, 'status') ?? 'open',
    source: str(o, 'source') ?? '',
    detectedAt: time(o, now, 'detectedAt', 'firstSeenAt', 'openedAt', 'createdAt'),
  };
}

export function toAction(v: unknown, now: number): ActionVM {
  const o = obj(v);
  return {
    id: str(o, 'id') ?? '?',
    playbook: str(o, 'playbook', 'playbookName', 'playbookId') ?? '',
    issueId: str(o, 'issueId', 'issue'),
    status: str(o, 'status') ?? '-',
    step: str(o, 'step', 'currentStep', 'stepId') ?? str(obj(o.approval), 'stepId'),
    createdAt: time(o, now, 'createdAt', 'startedAt'),
  };
}

export function toViolation(v: unknown, now: number): ViolationVM {
  const o = obj(v);
  return {
    id: str(o, 'id') ?? '?',
    rule: str(o, 'rule', 'ruleName', 'ruleId') ?? '',
    severity: (str(o, 'severity') ?? 'low').toLowerCase(),
    entity: str(o, 'entity', 'entityId', 'subject', 'taskId') ?? '',
    status: str(o, 'status') ?? 'open',
    detectedAt: time(o, now, 'detectedAt', 'openedAt', 'createdAt'),
  };
}

export function toSlaRisk(v: unknown, now: number): SlaRiskVM {
  const o = obj(v);
  const dueAt = time(o, now, 'dueAt', 'deadlineAt', 'breachAt');
  return {
    id: str(o, 'id', 'taskId', 'entityId') ?? '?',
    subject: [str(o, 'taskId', 'entityId', 'subject'), str(o, 'title', 'taskTitle')].filter(Boolean).join(' ') || '?',
    clock: str(o, 'clock', 'kind', 'rule', 'ruleName') ?? '',
    dueAt,
    breached: o.breached === true || str(o, 'state', 'status') === 'breached',
  };
}

export function toCompliance(score: unknown, violations: readonly ViolationVM[], slas: readonly SlaRiskVM[]): ComplianceVM {
  const raw = obj(score);
  const s = raw.org && typeof raw.org === 'object' ? { ...raw, ...obj(raw.org) } : raw;
  const open = violations.filter((v) => v.status === 'open' || v.status === 'acknowledged');
  const counted = Object.fromEntries(SEVERITIES.map((sev) => [sev, open.filter((v) => v.severity === sev).length])) as Record<Severity, number>;
  const given = obj(s.bySeverity ?? s.openBySeverity ?? s.open);
  const bySeverity = Object.fromEntries(SEVERITIES.map((sev) => [sev, num(given, sev) ?? counted[sev]])) as Record<Severity, number>;
  return { score: num(s, 'score', 'value'), bySeverity, violations, slasAtRisk: slas };
}

export function toMemberLoad(v: unknown): MemberLoadVM {
  const o = obj(v);
  const risk = obj(o.burnout ?? o.risk);
  const member = obj(o.member);
  const score = num(o, 'burnoutRisk', 'burnoutScore', 'riskScore', 'score') ?? num(risk, 'score', 'value') ?? 0;
  // The workload API scores 0-100 in whole points; a fraction (0.72) is already 0-1.
  const scaled = score > 1 || Number.isInteger(score) ? score / 100 : score;
  const util = num(o, 'utilization', 'load') ?? 0;
  return {
    id: str(o, 'memberId', 'id') ?? str(member, 'id') ?? '?',
    name: str(o, 'name', 'memberName') ?? str(member, 'name') ?? '?',
    team: str(o, 'team', 'teamName', 'teamId') ?? str(member, 'teamId'),
    activeTasks: num(o, 'activeTasks', 'active', 'openTasks') ?? 0,
    utilization: util > 3 ? util / 100 : util,
    burnoutRisk: scaled,
    riskLevel: str(o, 'riskLevel', 'level') ?? str(risk, 'level') ?? (scaled >= 0.7 ? 'high' : scaled >= 0.4 ? 'medium' : 'low'),
    topFactor: str(o, 'topFactor') ?? str(risk, 'topFactor'),
  };
}

export function toSeries(name: string, v: unknown): MetricSeriesVM {
  const points = list(v, 'buckets', 'points', 'series').map((p) => (typeof p === 'number' ? p : num(obj(p), 'value', 'avg', 'mean', 'v') ?? NaN));
  const finite = points.filter((p) => Number.isFinite(p));
  return { name, points: finite, last: finite.length > 0 ? finite[finite.length - 1]! : null };
}

/** One line that says what happened, from whatever the event's data carries. */
export function summarize(data: unknown): string {
  const d = obj(data);
  const said = str(d, 'summary', 'message', 'title', 'name', 'reason', 'text');
  if (said) return said;
  const bits = ['team', 'assignee', 'status', 'severity', 'score', 'rule', 'playbook']
    .map((k) => [k, str(d, k)] as const)
    .filter(([, v]) => v !== null)
    .map(([k, v]) => `${k}=${v}`);
  if (bits.length > 0) return bits.join(' ');
  return Object.keys(d).length > 0 ? JSON.stringify(data).slice(0, 200) : '';
}

export function toEvent(v: unknown, now: number): EventVM {
  const o = obj(v);
  return {
    id: str(o, 'id') ?? '',
    type: str(o, 'type') ?? 'message',
    at: time(o, now, 'at'),
    actor: str(o, 'actor') ?? '',
    subject: str(o, 'subject') ?? '',
    summary: summarize(o.data),
  };
}
