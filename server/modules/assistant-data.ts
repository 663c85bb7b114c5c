import type {
  ActionSummary, AssistantData, ComplianceStatus, IssueSummary, MemberLoad, RoutingExplanation, RunbookHit, TaskSummary, TeamStatus,
  ViolationSummary,
} from '../../core/assistant/data.js';
import { AppError } from '../../core/errors.js';

/**
 * The assistant's data, read through the daemon's own HTTP API with the caller's token: every tool
 * call goes through the same authentication, RBAC, validation and engines as the CLI, so the
 * assistant can never read or change more than its user could. Engines' routes are picked up as
 * they land; a route that is not there (404) makes its tool say so.
 */
export interface LoopbackOptions {
  baseUrl: string;
  authorization: string;
  /** The fetch to use (an HTTPS daemon passes one that reaches its own socket). */
  fetch?: typeof fetch;
  searchRunbooks?: (query: string, limit: number) => RunbookHit[];
}

type Json = Record<string, unknown>;
const str = (v: unknown): string | null => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : null);
const numOr = (v: unknown, d: number): number => (typeof v === 'number' && Number.isFinite(v) ? v : d);
const time = (v: unknown): number => (typeof v === 'number' ? v : typeof v === 'string' ? Date.parse(v) || 0 : 0);
const pick = (o: Json, ...keys: string[]): unknown => keys.map((k) => o[k]).find((v) => v !== undefined && v !== null);

class Loopback {
  constructor(private readonly o: LoopbackOptions) {}

  async call(method: string, path: string, body?: unknown): Promise<unknown> {
    const res = await (this.o.fetch ?? fetch)(`${this.o.baseUrl}${path}`, {
      method,
      headers: { authorization: this.o.authorization, accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    const data = text ? (JSON.parse(text) as unknown) : null;
    if (res.status === 404 && !(data as { error?: { message?: string } })?.error?.message?.match(/ not found$/))
      throw new AppError('not_found', `this daemon has no ${path.split('?')[0]} yet`);
    if (res.status >= 400) {
      const e = (data as { error?: { code?: string; message?: string } })?.error;
      throw new AppError(res.status === 403 ? 'forbidden' : 'validation', e?.message ?? `${method} ${path} answered ${res.status}`);
    }
    return data;
  }

  async get(path: string, query: Record<string, string | number | undefined> = {}): Promise<unknown> {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') qs.set(k, String(v));
    return this.call('GET', qs.size ? `${path}?${qs}` : path);
  }

  /** A 404 for a record (not a missing route) is an answer, not a failure. */
  async getOrNull(path: string): Promise<unknown> {
    try {
      return await this.get(path);
    } catch (err) {
      if (err instanceof AppError && err.kind === 'not_found' && !err.message.startsWith('this daemon has no')) return null;
      throw err;
    }
  }
}

/** A list answer, bare or wrapped (`{issues: […]}`, `{items: […]}`, …). */
function asList(v: unknown): Json[] {
  if (Array.isArray(v)) return v as Json[];
  if (v && typeof v === 'object') {
    for (const k of ['items', 'issues', 'actions', 'violations', 'members', 'tasks', 'results']) {
      const x = (v as Json)[k];
      if (Array.isArray(x)) return x as Json[];
    }
  }
  return [];
}

function toTask(t: Json): TaskSummary {
  return {
    ...t,
    id: str(t['id']) ?? '',
    title: str(t['title']) ?? '',
    priority: str(t['priority']) ?? '',
    status: str(t['status']) ?? '',
    team: str(t['team']),
    assignee: str(t['assignee']),
    createdAt: time(t['createdAt']),
  };
}

function toMember(m: Json): MemberLoad {
  const active = numOr(m['activeTasks'], 0);
  const max = numOr(pick(m, 'maxConcurrent', 'capacity'), 0);
  const score = pick(m, 'score', 'burnoutScore');
  return {
    ...m,
    memberId: str(pick(m, 'memberId', 'id')) ?? '',
    name: str(m['name']) ?? '',
    team: str(m['team']),
    // the load now (active over capacity) says "overloaded" better than a 7-day average
    utilization: max > 0 ? Math.round((active / max) * 100) / 100 : numOr(m['utilization'], 0),
    activeTasks: active,
    burnoutRisk: typeof score === 'number' ? (score > 1 || Number.isInteger(score) ? score / 100 : score) : null, // API scores are whole points 0-100
    ...(typeof pick(m, 'level', 'riskLevel') === 'string' ? { riskLevel: String(pick(m, 'level', 'riskLevel')) } : {}),
  };
}

function toIssue(i: Json): IssueSummary {
  return {
    ...i,
    id: str(i['id']) ?? '',
    title: str(i['title']) ?? '',
    severity: str(i['severity']) ?? 'unknown',
    status: str(i['status']) ?? '',
    source: str(i['source']) ?? '',
    detectedAt: time(pick(i, 'lastSeenAt', 'firstSeenAt', 'detectedAt', 'createdAt')),
  };
}

function toAction(a: Json): ActionSummary {
  return {
    ...a,
    id: str(a['id']) ?? '',
    playbook: str(pick(a, 'playbook', 'playbookName', 'playbookId')) ?? '',
    status: str(a['status']) ?? '',
    issueId: str(a['issueId']),
    requestedAt: time(pick(a, 'createdAt', 'requestedAt', 'startedAt')),
  };
}

function toViolation(v: Json): ViolationSummary {
  return {
    ...v,
    id: str(v['id']) ?? '',
    rule: str(pick(v, 'rule', 'ruleName', 'ruleId')) ?? '',
    severity: str(v['severity']) ?? 'unknown',
    status: str(v['status']) ?? '',
    entityId: str(pick(v, 'entityId', 'taskId')),
    detectedAt: time(pick(v, 'detectedAt', 'openedAt', 'createdAt')),
  };
}

function toExplanation(t: Json): RoutingExplanation | null {
  const d = (t['decision'] ?? null) as Json | null;
  if (!d) return null;
  const factors = pick(d, 'explanation', 'factors');
  return {
    ...d,
    taskId: str(t['id']) ?? '',
    title: str(t['title']) ?? '',
    // the task carries names; a decision may carry ids
    team: str(t['team']) ?? str(d['team']),
    assignee: str(t['assignee']) ?? str(d['assignee']),
    confidence: numOr(d['confidence'], 0),
    factors: Array.isArray(factors) ? factors.map((f) => (typeof f === 'string' ? f : JSON.stringify(f))) : [],
    decidedAt: time(pick(d, 'decidedAt', 'createdAt', 'at')),
  };
}

/** The assistant's data over the daemon's API, as the caller. */
export function loopbackData(o: LoopbackOptions): AssistantData {
  const api = new Loopback(o);
  return {
    listTasks: async (q) => asList(await api.get('/v1/tasks', q)).map(toTask),
    getTask: async (id) => {
      const t = (await api.getOrNull(`/v1/tasks/${encodeURIComponent(id)}`)) as Json | null;
      return t ? toTask(t) : null;
    },
    explainRouting: async (id) => {
      const t = (await api.getOrNull(`/v1/tasks/${encodeURIComponent(id)}`)) as Json | null;
      return t ? toExplanation(t) : null;
    },
    listIssues: async (q) => asList(await api.get('/v1/healing/issues', q)).map(toIssue),
    listActions: async (q) => asList(await api.get('/v1/healing/actions', q)).map(toAction),
    compliance: async (q): Promise<ComplianceStatus> => {
      const [score, open] = await Promise.all([
        api.get('/v1/compliance/score') as Promise<Json>,
        api.get('/v1/compliance/violations', { status: 'open', limit: q.limit }),
      ]);
      const org = (score?.['org'] ?? {}) as Json;
      return {
        score: numOr(pick(score ?? {}, 'score', 'overall'), numOr(org['score'], 0)),
        ...(Array.isArray(score?.['teams']) ? { teams: score['teams'] } : {}),
        open: asList(open).map(toViolation),
      };
    },
    workload: async (q) => asList(((await api.get('/v1/workload', { team: q.team })) as Json)?.['members']).map(toMember),
    memberWorkload: async (m) => {
      const d = (await api.getOrNull(`/v1/workload/members/${encodeURIComponent(m)}`)) as Json | null;
      return d ? toMember(d) : null;
    },
    teamStatus: async (team): Promise<TeamStatus | null> => {
      const t = (await api.getOrNull(`/v1/teams/${encodeURIComponent(team)}`)) as Json | null;
      if (!t) return null;
      const name = str(t['name']) ?? team;
      const [tasks, load, issues, score] = await Promise.all([
        api.get('/v1/tasks', { team: name, status: 'open', limit: 500 }),
        api.get('/v1/workload', { team: name }).catch(() => null),
        api.get('/v1/healing/issues', { status: 'open', limit: 100 }).catch(() => null),
        api.get('/v1/compliance/score').catch(() => null),
      ]);
      const members = asList((load as Json | null)?.['members']).map(toMember);
      // the score counts each team's open violations by severity
      const line = asList((score as Json | null)?.['teams']).find((x) => str(x['team']) === name || str(x['teamId']) === str(t['id']));
      const open = (line?.['open'] ?? {}) as Record<string, unknown>;
      return {
        team: name,
        openTasks: asList(tasks).length,
        members,
        openIssues: asList(issues).length,
        openViolations: Object.values(open).reduce<number>((n, v) => n + numOr(v, 0), 0),
        ...(line ? { complianceScore: numOr(line['score'], 0) } : {}),
      };
    },
    queryMetric: async (q) => {
      const d = (await api.get('/v1/metrics/query', { name: q.name, since: `${Math.round(q.sinceMs / 1000)}s`, bucket: `${Math.round(q.bucketMs / 1000)}s` })) as Json;
      return { ...d, name: q.name, points: asList(pick(d, 'points', 'buckets')) as Array<{ at: number; value: number }> };
    },
    ...(o.searchRunbooks ? { searchRunbooks: async (q: { query: string; limit: number }) => o.searchRunbooks!(q.query, q.limit) } : {}),
    ackTask: (id) => api.call('POST', `/v1/tasks/${encodeURIComponent(id)}/ack`, {}),
    routeTask: (task) => api.call('POST', '/v1/route', task),
    ackViolation: (id) => api.call('POST', `/v1/compliance/violations/${encodeURIComponent(id)}/ack`, {}),
    approveAction: (id) => api.call('POST', `/v1/healing/actions/${encodeURIComponent(id)}/approve`, {}),
    rejectAction: (id, reason) => api.call('POST', `/v1/healing/actions/${encodeURIComponent(id)}/reject`, { reason }),
  };
}
