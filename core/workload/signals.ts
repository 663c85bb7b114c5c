/**
 * What routing takes from workload: a penalty 0..1 per candidate with a reason to record among the
 * decision's factors. The router's Candidate.penalty has exactly this shape.
 */
import type { WorkloadSignal, WorkloadSignals } from './ports.js';

/** The name under which the daemon provides WorkloadSignals (ctx.services.get). */
export const WORKLOAD_SIGNALS_SERVICE = 'workload.signals';

/**
 * How much routing should hold back from a member, 0 (no reason) to 1 (avoid). High burnout risk
 * weighs more than a full queue: a queue clears in hours, burnout does not.
 */
export function routingPenalty(signal: WorkloadSignal | undefined): { penalty: number; reason: string } {
  if (!signal) return { penalty: 0, reason: 'no workload data' };
  const loadPart = Math.min(1, Math.max(0, signal.load));
  const riskPart = signal.riskLevel === 'high' ? 1 : signal.riskLevel === 'elevated' ? 0.5 : 0;
  const penalty = Math.round((0.4 * loadPart + 0.6 * riskPart) * 100) / 100;
  const score = signal.burnoutScore === null ? 'no burnout score yet' : `burnout risk ${signal.burnoutScore}/100`;
  return { penalty, reason: `${signal.activeTasks}/${signal.maxConcurrent} tasks, ${score} (${signal.riskLevel})` };
}

/**
 * Penalties for a set of members, ready for Candidate.penalty. Without a workload engine (or when it
 * fails) routing goes on without penalties: a decision is never blocked on workload.
 */
export async function penaltiesFor(
  signals: WorkloadSignals | undefined,
  orgId: string,
  memberIds: readonly string[],
): Promise<Map<string, { penalty: number; reason: string }>> {
  const out = new Map<string, { penalty: number; reason: string }>();
  if (!signals || memberIds.length === 0) return out;
  let got: Map<string, WorkloadSignal>;
  try {
    got = await signals.forMembers(orgId, memberIds);
  } catch {
    return out;
  }
  for (const id of memberIds) {
    const s = got.get(id);
    if (s) out.set(id, routingPenalty(s));
  }
  return out;
}
