/**
 * The compliance score, 0-100, per team and for the organisation. Formula (docs/compliance.md):
 *
 *   score = 100 · N / (N + P)
 *
 * N is the number of entities in scope (tasks and actions of the team seen in the window, at least
 * one) and P the penalty of its violations:
 *   - open:          weight(severity) · (1 + min(ageDays, 28) / 7)       — grows 1× → 5× over 4 weeks
 *   - acknowledged:  the same · 0.75                                    — owned, still a breach
 *   - resolved in the window: weight(severity) · 0.25 · (1 − ago/window) — recent history, fading
 *   - pending, waived (until expiry), resolved before the window: 0
 * with weight = low 1, medium 3, high 6, critical 10. No violations gives 100; a team with 100
 * tasks and one critical violation open for a week scores 100·100/120 ≈ 83.
 */
import type { Severity } from './rule.js';
import type { Violation } from './violations.js';

export const SEVERITY_WEIGHT: Record<Severity, number> = { low: 1, medium: 3, high: 6, critical: 10 };
const DAY = 86_400_000;
const MAX_AGE_DAYS = 28;
const ACK_FACTOR = 0.75;
const HISTORY_FACTOR = 0.25;

/** The penalty one violation adds at `now`, for a window of `windowMs` before it. */
export function violationPenalty(v: Violation, now: number, windowMs: number): number {
  const w = SEVERITY_WEIGHT[v.severity];
  const live = v.status === 'open' || v.status === 'acknowledged' ||
    (v.status === 'waived' && v.waiverExpiresAt !== null && v.waiverExpiresAt <= now);
  if (live) {
    const from = v.openedAt ?? v.since;
    const ageDays = Math.max(0, now - from) / DAY;
    const aging = 1 + Math.min(ageDays, MAX_AGE_DAYS) / 7;
    return w * aging * (v.status === 'acknowledged' ? ACK_FACTOR : 1);
  }
  if (v.status === 'resolved' && v.openedAt !== null && v.resolvedAt !== null) {
    const ago = now - v.resolvedAt;
    if (ago < 0 || ago >= windowMs) return 0;
    return w * HISTORY_FACTOR * (1 - ago / windowMs);
  }
  return 0;
}

export interface ScoreLine {
  score: number;
  penalty: number;
  entities: number;
  /** Violations that count now (open + acknowledged), by severity. */
  open: Record<Severity, number>;
}

export interface TeamScore extends ScoreLine {
  teamId: string;
  team: string;
}

export interface ScoreResult {
  at: number;
  windowMs: number;
  org: ScoreLine;
  teams: TeamScore[];
}

export interface ScoreInput {
  now: number;
  windowMs: number;
  violations: readonly Violation[];
  /** Entities in scope per team id, and for the whole organisation. */
  entities: { org: number; byTeam: Record<string, number> };
  teams: readonly { id: string; name: string }[];
}

export function scoreFrom(penalty: number, entities: number): number {
  const n = Math.max(1, entities);
  return Math.round((1000 * n) / (n + penalty)) / 10;
}

function emptyLine(entities: number): ScoreLine {
  return { score: 100, penalty: 0, entities, open: { low: 0, medium: 0, high: 0, critical: 0 } };
}

function add(line: ScoreLine, v: Violation, penalty: number): void {
  line.penalty += penalty;
  if (v.status === 'open' || v.status === 'acknowledged') line.open[v.severity] += 1;
}

/** Scores of every team and of the organisation. */
export function computeScores(input: ScoreInput): ScoreResult {
  const org = emptyLine(input.entities.org);
  const byTeam = new Map<string, ScoreLine>();
  for (const t of input.teams) byTeam.set(t.id, emptyLine(input.entities.byTeam[t.id] ?? 0));
  for (const v of input.violations) {
    const p = violationPenalty(v, input.now, input.windowMs);
    add(org, v, p);
    if (v.teamId) {
      let line = byTeam.get(v.teamId);
      if (!line) {
        line = emptyLine(input.entities.byTeam[v.teamId] ?? 0);
        byTeam.set(v.teamId, line);
      }
      add(line, v, p);
    }
  }
  const finish = (l: ScoreLine): ScoreLine => ({ ...l, penalty: Math.round(l.penalty * 100) / 100, score: scoreFrom(l.penalty, l.entities) });
  const names = new Map(input.teams.map((t) => [t.id, t.name]));
  const teams = [...byTeam.entries()]
    .map(([teamId, l]) => ({ teamId, team: names.get(teamId) ?? teamId, ...finish(l) }))
    .sort((a, b) => a.score - b.score || a.team.localeCompare(b.team));
  return { at: input.now, windowMs: input.windowMs, org: finish(org), teams };
}
