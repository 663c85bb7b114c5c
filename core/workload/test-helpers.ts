/** Builders for workload tests and benchmarks: tasks and members with only what matters set. */
import type { Member, Task } from '../model.js';

export function member(id: string, over: Partial<Member> = {}): Member {
  return {
    id, orgId: 'org_1', teamId: 'team_a', name: id, email: null, skills: {}, timezone: 'UTC',
    workingHours: { start: '09:00', end: '17:00', days: [1, 2, 3, 4, 5] }, capacity: 5, calendarUrl: null,
    onCall: false, active: true, createdAt: 0, ...over,
  };
}

export function task(id: string, over: Partial<Task> = {}): Task {
  return {
    id, orgId: 'org_1', title: id, description: '', priority: 'P3', status: 'open', teamId: 'team_a',
    assigneeId: null, tags: {}, source: 'test', createdBy: 'test', createdAt: 0, updatedAt: 0,
    acknowledgedAt: null, resolvedAt: null, ...over,
  };
}

/** Epoch ms of an ISO date-time. */
export const at = (iso: string): number => Date.parse(iso);
