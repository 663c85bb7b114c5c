import { notFound } from '../../core/errors.js';
import { Directory } from '../../core/org/directory.js';
import { TaskService } from '../../core/tasks/tasks.js';
import type { Task } from '../../core/model.js';
import type { Repos } from '../../core/ports.js';
import { route, type Route } from '../http/route.js';
import * as s from '../http/schemas/core.js';
import type { Module, ModuleContext } from './module.js';

/** Adds team and assignee names beside their ids, for people reading the output. */
export async function withNames(repos: Pick<Repos, 'teams' | 'members'>, orgId: string, tasks: Task[]): Promise<(Task & { team: string | null; assignee: string | null })[]> {
  const [teams, members] = await Promise.all([repos.teams.list(orgId), repos.members.list(orgId)]);
  const teamName = new Map(teams.map((t) => [t.id, t.name]));
  const memberName = new Map(members.map((m) => [m.id, m.name]));
  return tasks.map((t) => ({
    ...t,
    team: t.teamId ? teamName.get(t.teamId) ?? null : null,
    assignee: t.assigneeId ? memberName.get(t.assigneeId) ?? null : null,
  }));
}

/** Provided by the routing engine as service `routing.explain`: the stored decision of a task, in words. */
export type TaskExplainer = (orgId: string, taskId: string) => Promise<unknown | null>;

/** Teams, members and tasks: the organisation and its work. */
export const coreModule: Module = {
  name: 'core',
  routes(ctx: ModuleContext): Route[] {
    const { store, commit, clock } = ctx;
    const tasks = new TaskService({ commit, clock, repos: store });
    const directory = new Directory({ commit, clock });
    ctx.services.provide('tasks', tasks);

    return [
      route({
        method: 'GET', path: '/v1/teams', perm: ['org', 'read'],
        handler: async ({ caller }) => ({ body: await store.teams.list(caller.orgId) }),
      }),
      route({
        method: 'POST', path: '/v1/teams', perm: ['org', 'write'], body: s.teamBody,
        handler: async ({ caller, body }) => ({ status: 201, body: await directory.createTeam(caller.actor, body) }),
      }),
      route({
        method: 'GET', path: '/v1/teams/:id', perm: ['org', 'read'],
        handler: async ({ caller, params }) => {
          const team = await store.teams.find(caller.orgId, params.id!);
          if (!team) throw notFound('team', params.id!);
          const members = await store.members.list(caller.orgId, { teamId: team.id });
          return { body: { ...team, members } };
        },
      }),
      route({
        method: 'GET', path: '/v1/members', perm: ['org', 'read'],
        handler: async ({ caller, query }) => {
          let teamId: string | undefined;
          if (query.team) {
            const team = await store.teams.find(caller.orgId, query.team);
            if (!team) throw notFound('team', query.team);
            teamId = team.id;
          }
          return { body: await store.members.list(caller.orgId, { teamId }) };
        },
      }),
      route({
        method: 'POST', path: '/v1/members', perm: ['org', 'write'], body: s.memberBody,
        handler: async ({ caller, body }) => ({ status: 201, body: await directory.addMember(caller.actor, body) }),
      }),
      route({
        method: 'GET', path: '/v1/members/:id', perm: ['org', 'read'],
        handler: async ({ caller, params }) => {
          const member = await store.members.find(caller.orgId, params.id!);
          if (!member) throw notFound('member', params.id!);
          const active = await store.tasks.count(caller.orgId, { assigneeId: member.id, status: ['open', 'acknowledged', 'in_progress', 'waiting_on_customer'] });
          return { body: { ...member, activeTasks: active } };
        },
      }),
      route({
        method: 'PATCH', path: '/v1/members/:id', perm: ['org', 'write'], body: s.memberPatch,
        handler: async ({ caller, params, body }) => ({ body: await directory.updateMember(caller.actor, params.id!, body) }),
      }),
      route({
        method: 'POST', path: '/v1/tasks', perm: ['tasks', 'write'], body: s.taskBody,
        handler: async ({ caller, body }) => ({ status: 201, body: await tasks.create(caller.actor, body) }),
      }),
      route({
        method: 'GET', path: '/v1/tasks', perm: ['tasks', 'read'], query: s.taskListQuery,
        handler: async ({ caller, query }) => {
          const teamId = query.team ? (await store.teams.find(caller.orgId, query.team))?.id ?? '-' : undefined;
          const assigneeId = query.assignee ? (await store.members.find(caller.orgId, query.assignee))?.id ?? '-' : undefined;
          const list = await store.tasks.list(caller.orgId, { status: query.status, teamId, assigneeId, limit: query.limit ?? 50, since: query.since });
          return { body: await withNames(store, caller.orgId, list) };
        },
      }),
      route({
        method: 'GET', path: '/v1/tasks/:id', perm: ['tasks', 'read'],
        handler: async ({ caller, params }) => {
          const [task] = await withNames(store, caller.orgId, [await tasks.get(caller.orgId, params.id!)]);
          // The router, when present, says why the task went where it did.
          const explain = ctx.services.get<TaskExplainer>('routing.explain');
          return { body: explain ? { ...task, decision: await explain(caller.orgId, task!.id) } : task };
        },
      }),
      route({
        method: 'POST', path: '/v1/tasks/:id/ack', perm: ['tasks', 'write'],
        handler: async ({ caller, params }) => ({ body: await tasks.move(caller.actor, params.id!, 'acknowledged') }),
      }),
      route({
        method: 'POST', path: '/v1/tasks/:id/resolve', perm: ['tasks', 'write'],
        handler: async ({ caller, params }) => ({ body: await tasks.move(caller.actor, params.id!, 'resolved') }),
      }),
      route({
        method: 'POST', path: '/v1/tasks/:id/status', perm: ['tasks', 'write'], body: s.statusBody,
        handler: async ({ caller, params, body }) => ({ body: await tasks.move(caller.actor, params.id!, body.status) }),
      }),
      route({
        method: 'POST', path: '/v1/tasks/:id/reassign', perm: ['tasks', 'manage'], body: s.reassignBody,
        handler: async ({ caller, params, body }) => ({ body: await tasks.reassign(caller.actor, params.id!, body.to) }),
      }),
    ];
  },
};
