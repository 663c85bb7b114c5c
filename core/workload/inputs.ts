/**
 * Loads what snapshots are computed from: members with their teams' settings, the tasks that could
 * touch the range, and the events that tell assignments, pages, approvals, on-call shifts and who did
 * what. Reads through the store's ports only.
 */
import type { BusEvent, Member, Task, Team, TaskStatus } from '../model.js';
import type { Repos, TaskFilter } from '../ports.js';
import { ACTION_SESSION_MS, APPROVAL_TYPES, ASSIGN_TYPES, buildHistories, MEMBER_TYPES, ONCALL_TYPES, PAGE_TYPES, type MemberHistory } from './history.js';
import { resolveProfile, type MemberProfile } from './profile.js';

const DAY = 86_400_000;
/** Tasks opened this long before a range can still be held during it. */
const LOOKBACK_MS = 45 * DAY;
const OPEN: TaskStatus[] = ['open', 'acknowledged', 'in_progress', 'waiting_on_customer'];
/** Events whose actor's doing counts as a session of work. */
const ACTION_TYPES = [
  'task.created', 'task.acknowledged', 'task.resolved', 'task.updated', 'task.reassigned', 'action.approved',
  'action.rejected', 'violation.acknowledged', 'violation.resolved', 'violation.waived',
];
const EVENT_PAGE = 10_000;
const MAX_EVENTS = 500_000;

export type WorkloadReads = Pick<Repos, 'members' | 'teams' | 'tasks' | 'events' | 'users' | 'workload'>;

export interface OrgInputs {
  members: Member[];
  teams: Team[];
  profiles: MemberProfile[];
  tasks: Task[];
  histories: Map<string, MemberHistory>;
}

const TASK_PAGE = 100_000;
const MAX_TASKS = 5_000_000;

/** Every task matching a filter, a page at a time (the store returns at most 100,000 per call). */
async function allTasks(repos: WorkloadReads, orgId: string, filter: TaskFilter): Promise<Task[]> {
  const out: Task[] = [];
  let before: string | undefined;
  for (;;) {
    const page = await repos.tasks.list(orgId, { ...filter, limit: TASK_PAGE, ...(before ? { before } : {}) });
    out.push(...page);
    if (page.length < TASK_PAGE || out.length >= MAX_TASKS) break;
    // Ids start with their creation time, so "ids below the page's smallest" continues the walk back.
    before = page.reduce((min, t) => (t.id < min ? t.id : min), page[0]!.id);
  }
  return out;
}

export async function loadTasks(repos: WorkloadReads, orgId: string, since: number): Promise<Task[]> {
  const [recent, open] = await Promise.all([
    allTasks(repos, orgId, { since }),
    allTasks(repos, orgId, { status: OPEN }),
  ]);
  const byId = new Map<string, Task>();
  for (const t of recent) byId.set(t.id, t);
  for (const t of open) byId.set(t.id, t);
  return [...byId.values()];
}

/**
 * The id after which events are at or after `since`: event ids grow with time, so a binary search
 * over ids (one indexed lookup each) spares reading the whole history on every refresh.
 */
async function firstIdSince(repos: WorkloadReads, orgId: string, since: number): Promise<number> {
  let lo = 0;
  let hi = await repos.events.lastId(orgId);
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    const [e] = await repos.events.list(orgId, { afterId: mid, limit: 1 });
    if (!e || e.at >= since) hi = mid;
    else lo = e.id;
  }
  return lo;
}

export async function loadEvents(repos: WorkloadReads, orgId: string, since: number): Promise<BusEvent[]> {
  const types = [...new Set([...ASSIGN_TYPES, ...PAGE_TYPES, ...APPROVAL_TYPES, ...ONCALL_TYPES, ...MEMBER_TYPES, ...ACTION_TYPES])];
  const out: BusEvent[] = [];
  let afterId = await firstIdSince(repos, orgId, since - ACTION_SESSION_MS);
  for (;;) {
    const page = await repos.events.list(orgId, { afterId, types, limit: EVENT_PAGE });
    for (const e of page) if (e.at >= since - ACTION_SESSION_MS) out.push(e);
    if (page.length < EVENT_PAGE || out.length >= MAX_EVENTS) break;
    afterId = page[page.length - 1]!.id;
  }
  return out;
}

/** Everything a snapshot run over [fromMs, now] needs for one organisation. */
export async function loadInputs(repos: WorkloadReads, orgId: string, fromMs: number, now: number): Promise<OrgInputs> {
  const since = fromMs - LOOKBACK_MS;
  const [members, teams, users, tasks, events, shifts] = await Promise.all([
    repos.members.list(orgId),
    repos.teams.list(orgId),
    repos.users.list(orgId),
    loadTasks(repos, orgId, since),
    loadEvents(repos, orgId, since),
    repos.workload.onCallShifts(orgId, since),
  ]);
  const teamById = new Map(teams.map((t) => [t.id, t]));
  const active = members.filter((m) => m.active);
  const profiles = active.map((m) => resolveProfile(m, m.teamId ? teamById.get(m.teamId) : null));
  const memberIds = new Set(members.map((m) => m.id));
  const userMember = new Map<string, string>();
  const approvers: string[] = [];
  for (const u of users) {
    if (!u.memberId || !memberIds.has(u.memberId)) continue;
    userMember.set(u.name, u.memberId);
    if (u.role === 'manager' || u.role === 'admin') approvers.push(u.memberId);
  }
  // An approval that names nobody is asked of the managers who are members; where no manager is a
  // member, of whoever is on call (the person a 3 a.m. approval actually wakes up).
  if (approvers.length === 0) for (const m of active) if (m.onCall) approvers.push(m.id);
  const histories = buildHistories({
    tasks,
    events,
    now,
    actorMember: (name) => userMember.get(name) ?? null,
    defaultApprovers: approvers,
    onCallShifts: shifts,
  });
  return { members, teams, profiles, tasks, histories };
}
