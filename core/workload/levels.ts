/**
 * Risk levels with hysteresis: a level is entered at one score and left only below a lower one, so a
 * score wobbling around a threshold does not raise and clear alerts day after day.
 */
export type RiskLevel = 'ok' | 'elevated' | 'high';

export const THRESHOLDS = {
  elevated: { enter: 50, exit: 40 },
  high: { enter: 70, exit: 60 },
} as const;

const RANK: Record<RiskLevel, number> = { ok: 0, elevated: 1, high: 2 };

/** The level after seeing `score`, given the level before it. */
export function nextLevel(previous: RiskLevel, score: number): RiskLevel {
  if (score >= THRESHOLDS.high.enter) return 'high';
  if (previous === 'high' && score >= THRESHOLDS.high.exit) return 'high';
  if (score >= THRESHOLDS.elevated.enter) return 'elevated';
  if (previous !== 'ok' && score >= THRESHOLDS.elevated.exit) return 'elevated';
  return 'ok';
}

export interface LevelChange {
  memberId: string;
  day: string;
  from: RiskLevel;
  to: RiskLevel;
  score: number;
  /** raised: risk went up; lowered: down but not gone; cleared: back to ok. */
  kind: 'raised' | 'lowered' | 'cleared';
}

/** Walks a member's daily scores from `initial`, returning the final level and every change. */
export function walkLevels(
  memberId: string,
  scores: ReadonlyArray<{ day: string; score: number }>,
  initial: RiskLevel = 'ok',
): { level: RiskLevel; changes: LevelChange[] } {
  let level = initial;
  const changes: LevelChange[] = [];
  for (const s of scores) {
    const next = nextLevel(level, s.score);
    if (next !== level) {
      const kind = RANK[next] > RANK[level] ? 'raised' : next === 'ok' ? 'cleared' : 'lowered';
      changes.push({ memberId, day: s.day, from: level, to: next, score: s.score, kind });
      level = next;
    }
  }
  return { level, changes };
}
