/**
 * Replay: the violations a (draft) rule would have raised over recorded history. Nothing is stored.
 * SLA clocks are exact (they are rebuilt from timestamps and status history); for other rule types
 * a task that is closed now is judged by its last recorded fields at the moment it was resolved.
 */
import { evaluateRule, type CalendarResolver, type CompiledRule } from './evaluate.js';
import type { Entity } from './entities.js';

export interface ReplayHit {
  entityKind: Entity['kind'];
  entityId: string;
  teamId: string | null;
  team: string | null;
  priority: string | null;
  since: number;
  openedAt: number;
  /** When it would have cleared; null when it would still be open now. */
  resolvedAt: number | null;
  message: string;
}

export interface ReplayOptions {
  now: number;
  calendars: CalendarResolver;
}

export function replayRule(c: CompiledRule, entities: Iterable<Entity>, opts: ReplayOptions): ReplayHit[] {
  const hits: ReplayHit[] = [];
  const grace = c.rule.gracePeriodMs;
  for (const entity of entities) {
    const base = {
      entityKind: entity.kind, entityId: entity.id, teamId: entity.teamId, team: entity.team,
      priority: entity.kind === 'task' ? entity.priority : null,
    };
    const finding = evaluateRule(c, entity, { now: opts.now, calendars: opts.calendars });
    if (finding.state === 'breach' && finding.since !== null) {
      hits.push({ ...base, since: finding.since, openedAt: finding.since + grace, resolvedAt: null, message: finding.message });
      continue;
    }
    if (c.rule.type === 'sla') {
      // A clock that stopped after breaching (and after the grace period) was a violation until it stopped.
      const clock = finding.clock;
      if (clock && clock.breachedAt !== null && clock.stoppedAt !== null && clock.stoppedAt > clock.breachedAt + grace) {
        const verb = c.rule.sla!.clock === 'ack' ? 'acknowledged' : 'resolved';
        hits.push({ ...base, since: clock.breachedAt, openedAt: clock.breachedAt + grace, resolvedAt: clock.stoppedAt, message: `${verb} after ${Math.round(clock.elapsedMs / 60_000)}m of business time (target ${Math.round(clock.targetMs / 60_000)}m)` });
      }
      continue;
    }
    if (entity.kind === 'task' && entity.resolvedAt !== null && !c.rule.includeResolved) {
      const before = [...(entity.history ?? [])].reverse().find((h) => h.status !== 'resolved')?.status ?? 'in_progress';
      const asOpen = { ...entity, status: before, resolvedAt: null };
      const atClose = evaluateRule(c, asOpen, { now: entity.resolvedAt, calendars: opts.calendars });
      if (atClose.state === 'breach' && atClose.since !== null) {
        hits.push({ ...base, since: atClose.since, openedAt: atClose.since + grace, resolvedAt: entity.resolvedAt, message: atClose.message });
      }
    }
  }
  return hits.sort((a, b) => a.openedAt - b.openedAt || a.entityId.localeCompare(b.entityId));
}
