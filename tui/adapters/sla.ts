// SLAs at risk, worked out from the compliance rules and the open tasks. The daemon reports SLA
// breaches (as violations) but not clocks that are about to run out, so the dashboard computes those
// itself for rules on the 24x7 calendar, where elapsed time is plain wall time. Clocks on business-hours
// calendars need the team's hours and holidays; for those only breaches (open violations) are shown.
import type { SlaRiskVM, ViolationVM } from '../model.js';
import { obj, str, time } from './wire.js';

type Json = Record<string, unknown>;

const UNIT: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** "900s", "15m", "2h", 900 (seconds) → ms. */
export function durationMs(v: unknown): number | null {
  if (typeof v === 'number' && Number.isFinite(v)) return v * 1000;
  if (typeof v !== 'string') return null;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)\s*$/.exec(v);
  return m ? Number(m[1]) * UNIT[m[2]!]! : null;
}

/** A small part of the condition language: enough for the usual `appliesTo` of SLA rules. */
export function applies(cond: unknown, task: Json): boolean | null {
  const c = obj(cond);
  if (Object.keys(c).length === 0) return true;
  if (Array.isArray(c.all)) return c.all.reduce<boolean | null>((acc, x) => (acc === false ? false : and(acc, applies(x, task))), true);
  if (Array.isArray(c.any)) {
    const rs = c.any.map((x) => applies(x, task));
    return rs.includes(true) ? true : rs.includes(null) ? null : false;
  }
  if (c.not !== undefined) {
    const r = applies(c.not, task);
    return r === null ? null : !r;
  }
  const field = str(c, 'field');
  if (!field || field.includes('.')) return null;
  const value = task[field];
  switch (c.op) {
    case 'eq': return value === c.value;
    case 'ne': return value !== c.value;
    case 'in': return Array.isArray(c.value) && c.value.includes(value);
    case 'nin': return Array.isArray(c.value) && !c.value.includes(value);
    case 'exists': return (value !== null && value !== undefined) === (c.value !== false);
    default: return null;
  }
}

function and(a: boolean | null, b: boolean | null): boolean | null {
  if (a === false || b === false) return false;
  return a === null || b === null ? null : true;
}

const DONE = /resolved|closed|done|cancel/;

/** Clocks that run out within `horizonMs` (or already have), soonest first. */
export function slasAtRisk(rules: readonly unknown[], tasks: readonly unknown[], violations: readonly ViolationVM[], now: number, horizonMs = 3_600_000): SlaRiskVM[] {
  const out = new Map<string, SlaRiskVM>();
  const slaRules = new Set(rules.map(obj).filter((r) => str(r, 'type') === 'sla').map((r) => str(r, 'name') ?? ''));
  for (const r of rules.map(obj)) {
    const sla = obj(r.sla);
    if (r.enabled === false || str(r, 'type') !== 'sla' || str(sla, 'calendar') !== '24x7') continue;
    const clock = str(sla, 'clock') ?? 'resolve';
    const pause = Array.isArray(sla.pauseStates) ? sla.pauseStates : [];
    for (const t of tasks.map(obj)) {
      const status = str(t, 'status') ?? '';
      if (DONE.test(status) || pause.includes(status)) continue;
      if (clock === 'ack' && t.acknowledgedAt) continue;
      if (applies(obj(r.conditions).appliesTo, t) !== true) continue;
      const priority = str(t, 'priority') ?? '';
      const target = durationMs(typeof sla.target === 'object' && sla.target !== null ? obj(sla.target)[priority] : sla.target);
      if (target === null) continue;
      const dueAt = time(t, now, 'createdAt') + target;
      if (dueAt - now > horizonMs) continue;
      const id = `${str(t, 'id')}:${str(r, 'name')}`;
      out.set(id, { id, subject: `${str(t, 'id')} ${str(t, 'title') ?? ''}`.trim(), clock: `${clock} ${str(r, 'name')}`, dueAt, breached: dueAt < now });
    }
  }
  const titles = new Map(tasks.map(obj).map((t) => [str(t, 'id') ?? '', str(t, 'title') ?? '']));
  for (const v of violations) {
    if (v.status !== 'open' || !slaRules.has(v.rule)) continue;
    const id = `${v.entity}:${v.rule}`;
    const subject = `${v.entity} ${titles.get(v.entity) ?? ''}`.trim();
    if (!out.has(id)) out.set(id, { id, subject, clock: `breached ${v.rule}`, dueAt: v.detectedAt, breached: true });
  }
  return [...out.values()].sort((a, b) => a.dueAt - b.dueAt);
}

