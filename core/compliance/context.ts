/**
 * What evaluation needs to know about an organisation, loaded once and reused: enabled rules
 * (compiled), teams (names for conditions, calendars for SLA clocks) and stored calendars.
 */
import type { Team } from '../model.js';
import type { Repos } from '../ports.js';
import { ALWAYS, teamCalendar, type CalendarSpec } from '../calendar/calendar.js';
import type { HealingAction } from '../healing/actions/model.js';
import { compileRule, type CalendarResolver, type CompiledRule } from './evaluate.js';
import type { ActionEntity, Entity } from './entities.js';

export interface OrgContext {
  orgId: string;
  rules: CompiledRule[];
  teams: Map<string, Team>;
  teamName: (teamId: string) => string | null;
  calendars: CalendarResolver;
  loadedAt: number;
}

/** Loads the org's enabled rules, teams and calendars. */
export async function loadOrgContext(repos: Pick<Repos, 'compliance' | 'teams'>, orgId: string, now: number): Promise<OrgContext> {
  const [rules, teams, stored] = await Promise.all([
    repos.compliance.listRules(orgId),
    repos.teams.list(orgId),
    repos.compliance.listCalendars(orgId),
  ]);
  const teamMap = new Map(teams.map((t) => [t.id, t]));
  const byName = new Map(stored.map((c) => [c.name, c]));
  const teamCals = new Map<string, CalendarSpec>();
  const calendars: CalendarResolver = (ref, entity: Entity) => {
    if (typeof ref !== 'string') return ref;
    if (ref === '24x7') return ALWAYS;
    if (ref === 'team') {
      const teamId = entity.teamId;
      const team = teamId ? teamMap.get(teamId) : undefined;
      if (!team) return ALWAYS;
      let cal = teamCals.get(team.id);
      if (!cal) teamCals.set(team.id, (cal = teamCalendar(team)));
      return cal;
    }
    return byName.get(ref) ?? ALWAYS;
  };
  return {
    orgId,
    rules: rules.filter((r) => r.enabled).map(compileRule),
    teams: teamMap,
    teamName: (id) => teamMap.get(id)?.name ?? null,
    calendars,
    loadedAt: now,
  };
}

/** Actions that changed something: they ran at least one step outside of a dry run. */
const EXECUTED = new Set(['running', 'succeeded', 'failed', 'rolled_back']);

/** The view of a healing action that approval rules look at; labels are the target issue's labels. */
export function actionEntity(a: HealingAction, teamIdByName: (name: string) => string | null = () => null): ActionEntity {
  const labels: Record<string, string> = { ...(a.issue?.labels ?? {}) };
  if (!('target' in labels)) labels.target = a.target;
  const approved = a.approval?.decision === 'approved' ? a.approval.decidedBy ?? 'unknown' : null;
  const team = labels.team ?? null;
  return {
    kind: 'action',
    id: a.id,
    playbook: a.playbookName,
    status: a.status,
    target: a.target,
    issue: a.issueId,
    team,
    teamId: team ? teamIdByName(team) : null,
    approvedBy: approved,
    approvalRequired: a.approval !== null,
    dryRun: false,
    createdAt: a.createdAt,
    updatedAt: a.updatedAt,
    executedAt: a.startedAt !== null && (EXECUTED.has(a.status) || a.finishedAt !== null) && a.status !== 'rejected' && a.status !== 'expired' ? a.startedAt : null,
    labels,
    tags: {},
  };
}
