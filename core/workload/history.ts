/**
 * Turns task and event history into what snapshots measure: per member, the spans of assigned tasks,
 * the intervals of work, the moments they acted, pages, approval requests and on-call shifts.
 *
 * How work is inferred (also in docs/workload.md):
 * - A task is on a member's plate from its assignment until it is resolved or reassigned.
 * - It is being worked from its acknowledgement (or assignment, when it was resolved without one)
 *   until then. Ordinary work counts only inside working hours: a P3 open overnight is not worked at night.
 * - P1 work counts around the clock (incident response), capped at URGENT_CAP_MS per task so a
 *   forgotten P1 does not make someone work for a week.
 * - Every action a member takes (ack, resolve, comment, approval) is evidence of ACTION_SESSION_MS of
 *   work before it, inside or outside working hours.
 */
import type { BusEvent, Task } from '../model.js';

export const URGENT_CAP_MS = 12 * 3_600_000;
export const ACTION_SESSION_MS = 30 * 60_000;

export interface TaskSpan {
  taskId: string;
  priority: string;
  teamId: string | null;
  assignedAt: number;
  /** When the member stopped holding the task (resolved or reassigned), null while they hold it. */
  releasedAt: number | null;
}

export interface MemberHistory {
  spans: TaskSpan[];
  /** Ordinary work, counted inside working hours only: flat [start0, end0, start1, end1, …]. */
  work: number[];
  /** Work that counts at any hour (urgent tasks, sessions before the member's own actions), flat pairs. */
  anyHour: number[];
  pages: number[];
  approvalRequests: number[];
  /** On-call shifts, flat pairs. */
  onCall: number[];
}

export function emptyHistory(): MemberHistory {
  return { spans: [], work: [], anyHour: [], pages: [], approvalRequests: [], onCall: [] };
}

/** Event types whose data names who a task went to. */
export const ASSIGN_TYPES = new Set(['task.created', 'task.routed', 'task.reassigned', 'task.assigned']);
export const PAGE_TYPES = new Set(['member.paged', 'task.paged', 'page.sent']);
export const APPROVAL_TYPES = new Set(['action.awaiting_approval', 'approval.requested']);
export const ONCALL_TYPES = new Set(['member.on_call', 'oncall.shift']);
/** Member changes carry the member's onCall flag: its transitions are shifts. */
export const MEMBER_TYPES = new Set(['member.created', 'member.updated']);

function str(v: unknown): string | null {
  return typeof v === 'string' && v.length > 0 ? v : null;
}
function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}
function field(data: unknown, ...names: string[]): unknown {
  if (!data || typeof data !== 'object') return undefined;
  const rec = data as Record<string, unknown>;
  for (const n of names) if (rec[n] !== undefined && rec[n] !== null) return rec[n];
  return undefined;
}

export interface HistoryInput {
  tasks: Task[];
  events: BusEvent[];
  now: number;
  /** Maps an actor name (user name) to the member it is, for action sessions. */
  actorMember?: (actor: string) => string | null;
  /** Members asked for approvals that name no approver (e.g. the managers on duty). */
  defaultApprovers?: string[];
  /** Recorded on-call shifts. */
  onCallShifts?: ReadonlyArray<{ memberId: string; start: number; end: number }>;
  /** Members on call right now whose shift start is unknown: counted from `now - currentShiftMs`. */
  onCallNow?: string[];
  currentShiftMs?: number;
}

/** Builds every member's history from tasks and events; unknown or malformed events are skipped. */
export function buildHistories(input: HistoryInput): Map<string, MemberHistory> {
  const out = new Map<string, MemberHistory>();
  const get = (id: string): MemberHistory => {
    let h = out.get(id);
    if (!h) out.set(id, (h = emptyHistory()));
    return h;
  };

  const onCallSince = new Map<string, number>();
  // Assignment timeline per task from events, oldest first.
  const assignments = new Map<string, Array<{ at: number; to: string | null }>>();
  const sorted = input.events.slice().sort((a, b) => a.at - b.at || a.id - b.id);
  for (const e of sorted) {
    if (ASSIGN_TYPES.has(e.type)) {
      const taskId = str(field(e.data, 'taskId')) ?? e.subject;
      if (!taskId) continue;
      const to = str(field(e.data, 'assigneeId', 'assignee', 'to', 'memberId'));
      // A task created without an assignee starts no holding; one routed later does.
      if (e.type === 'task.created' && !to) continue;
      let list = assignments.get(taskId);
      if (!list) assignments.set(taskId, (list = []));
      list.push({ at: e.at, to });
    } else if (PAGE_TYPES.has(e.type)) {
      const m = str(field(e.data, 'memberId', 'assigneeId', 'to'));
      if (m) get(m).pages.push(e.at);
    } else if (APPROVAL_TYPES.has(e.type)) {
      const m = str(field(e.data, 'approverId', 'approverMemberId', 'memberId'));
      const who = m ? [m] : (input.defaultApprovers ?? []);
      for (const id of who) get(id).approvalRequests.push(e.at);
    } else if (MEMBER_TYPES.has(e.type)) {
      const m = str(field(e.data, 'id')) ?? e.subject;
      const flag = field(e.data, 'onCall');
      if (m && typeof flag === 'boolean') {
        const since = onCallSince.get(m);
        if (flag && since === undefined) onCallSince.set(m, e.at);
        if (!flag && since !== undefined) {
          if (e.at > since) get(m).onCall.push(since, e.at);
          onCallSince.delete(m);
        }
      }
    } else if (ONCALL_TYPES.has(e.type)) {
      const m = str(field(e.data, 'memberId')) ?? e.subject;
      const start = num(field(e.data, 'start')) ?? e.at;
      const end = num(field(e.data, 'end')) ?? input.now;
      if (m && end > start) get(m).onCall.push(start, end);
    }
    if (input.actorMember && e.actor) {
      const m = input.actorMember(e.actor);
      if (m) get(m).anyHour.push(e.at - ACTION_SESSION_MS, e.at);
    }
  }

  const credit = (task: Task, memberId: string, from: number, released: number | null): void => {
    const h = get(memberId);
    h.spans.push({ taskId: task.id, priority: task.priority, teamId: task.teamId, assignedAt: from, releasedAt: released });
    const end = released ?? input.now;
    let start: number;
    if (task.acknowledgedAt !== null && task.acknowledgedAt < end) start = Math.max(from, task.acknowledgedAt);
    else if (released !== null) start = from;
    else return;
    if (end <= start) return;
    if (task.priority === 'P1') h.anyHour.push(start, Math.min(end, start + URGENT_CAP_MS));
    else h.work.push(start, end);
  };

  for (const task of input.tasks) {
    const timeline = assignments.size > 0 ? assignments.get(task.id) : undefined;
    if (timeline && timeline.length > 0) {
      for (let i = 0; i < timeline.length; i++) {
        const a = timeline[i]!;
        const next = timeline[i + 1];
        if (a.to) credit(task, a.to, a.at, next ? next.at : task.resolvedAt);
      }
    } else if (task.assigneeId) {
      credit(task, task.assigneeId, task.createdAt, task.resolvedAt);
    }
  }

  for (const [m, since] of onCallSince) if (input.now > since) get(m).onCall.push(since, input.now);
  for (const shift of input.onCallShifts ?? []) {
    if (shift.end > shift.start) get(shift.memberId).onCall.push(shift.start, shift.end);
  }
  for (const id of input.onCallNow ?? []) {
    get(id).onCall.push(input.now - (input.currentShiftMs ?? 86_400_000), input.now);
  }
  return out;
}
