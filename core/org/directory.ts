import { AppError, conflict, notFound } from '../errors.js';
import { newId } from '../ids.js';
import type { Actor, Member, Team, WorkingHours } from '../model.js';
import type { Clock, Commit } from '../ports.js';

export interface TeamInput {
  name: string;
  description?: string | null;
  timezone?: string | null;
  workingHours?: WorkingHours | null;
  holidays?: string[];
}

export interface MemberInput {
  name: string;
  team?: string | null;
  email?: string | null;
  skills?: Record<string, number>;
  timezone?: string | null;
  workingHours?: WorkingHours | null;
  capacity?: number;
  calendarUrl?: string | null;
  onCall?: boolean;
  active?: boolean;
}

/** True when Intl knows the zone (IANA names such as Europe/Berlin). */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function checkZone(zone: string | null | undefined, path: string): void {
  if (zone && !isTimeZone(zone)) {
    throw new AppError('validation', `${path}: unknown time zone ${zone}`, 'use an IANA name such as Europe/Berlin', [{ path, message: 'unknown time zone' }]);
  }
}

/** Teams and members of an organisation: the people work is routed to. */
export class Directory {
  constructor(private readonly deps: { commit: Commit; clock: Clock }) {}

  createTeam(actor: Actor, input: TeamInput): Promise<Team> {
    checkZone(input.timezone, 'timezone');
    return this.deps.commit(actor, async (tx) => {
      if (await tx.teams.find(actor.orgId, input.name)) throw conflict(`team ${input.name} already exists`);
      const now = this.deps.clock.now();
      const team: Team = {
        id: newId('team', now), orgId: actor.orgId, name: input.name, description: input.description ?? null,
        timezone: input.timezone ?? null, workingHours: input.workingHours ?? null, holidays: input.holidays ?? [], createdAt: now,
      };
      await tx.teams.insert(team);
      return {
        value: team,
        audit: { action: 'team.create', subject: team.id, summary: `created team ${team.name}` },
        events: [{ type: 'team.created', subject: team.id, data: team }],
      };
    });
  }

  addMember(actor: Actor, input: MemberInput): Promise<Member> {
    checkZone(input.timezone, 'timezone');
    return this.deps.commit(actor, async (tx) => {
      if (await tx.members.find(actor.orgId, input.name)) throw conflict(`member ${input.name} already exists`);
      let teamId: string | null = null;
      if (input.team) {
        const team = await tx.teams.find(actor.orgId, input.team);
        if (!team) throw new AppError('validation', `team: unknown team ${input.team}`, 'see: foundry-op teams list');
        teamId = team.id;
      }
      const now = this.deps.clock.now();
      const member: Member = {
        id: newId('mem', now), orgId: actor.orgId, teamId, name: input.name, email: input.email ?? null,
        skills: input.skills ?? {}, timezone: input.timezone ?? null, workingHours: input.workingHours ?? null,
        capacity: input.capacity ?? 5, calendarUrl: input.calendarUrl ?? null, onCall: input.onCall ?? false,
        active: input.active ?? true, createdAt: now,
      };
      await tx.members.insert(member);
      return {
        value: member,
        audit: { action: 'member.create', subject: member.id, summary: `added member ${member.name}` },
        events: [{ type: 'member.created', subject: member.id, data: member }],
      };
    });
  }

  updateMember(actor: Actor, idOrName: string, patch: Partial<MemberInput>): Promise<Member> {
    checkZone(patch.timezone, 'timezone');
    return this.deps.commit(actor, async (tx) => {
      const member = await tx.members.find(actor.orgId, idOrName);
      if (!member) throw notFound('member', idOrName);
      let teamId = member.teamId;
      if (patch.team !== undefined) {
        if (patch.team === null) teamId = null;
        else {
          const team = await tx.teams.find(actor.orgId, patch.team);
          if (!team) throw new AppError('validation', `team: unknown team ${patch.team}`, 'see: foundry-op teams list');
          teamId = team.id;
        }
      }
      if (patch.name && patch.name !== member.name && (await tx.members.find(actor.orgId, patch.name))) {
        throw conflict(`member ${patch.name} already exists`);
      }
      const next: Member = {
        ...member,
        teamId,
        name: patch.name ?? member.name,
        email: patch.email !== undefined ? patch.email : member.email,
        skills: patch.skills ?? member.skills,
        timezone: patch.timezone !== undefined ? patch.timezone : member.timezone,
        workingHours: patch.workingHours !== undefined ? patch.workingHours : member.workingHours,
        capacity: patch.capacity ?? member.capacity,
        calendarUrl: patch.calendarUrl !== undefined ? patch.calendarUrl : member.calendarUrl,
        onCall: patch.onCall ?? member.onCall,
        active: patch.active ?? member.active,
      };
      await tx.members.update(next);
      return {
        value: next,
        audit: { action: 'member.update', subject: member.id, summary: `updated member ${next.name}: ${Object.keys(patch).join(', ')}` },
        events: [{ type: 'member.updated', subject: member.id, data: next }],
      };
    });
  }
}
