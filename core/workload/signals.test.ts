import { describe, expect, it } from 'vitest';
import type { WorkloadSignal, WorkloadSignals } from './ports.js';
import { penaltiesFor, routingPenalty } from './signals.js';

const signal = (over: Partial<WorkloadSignal> = {}): WorkloadSignal => ({
  memberId: 'm1', activeTasks: 1, maxConcurrent: 4, load: 0.25, burnoutScore: 10, riskLevel: 'ok', ...over,
});

describe('routing penalty from workload', () => {
  it('is small for a lightly loaded member at no risk', () => {
    expect(routingPenalty(signal()).penalty).toBe(0.1);
  });

  it('makes a member at high burnout risk the last choice even with room', () => {
    const p = routingPenalty(signal({ riskLevel: 'high', burnoutScore: 82 }));
    expect(p.penalty).toBe(0.7);
    expect(p.reason).toBe('1/4 tasks, burnout risk 82/100 (high)');
  });

  it('is 1 for a full, high-risk member', () => {
    expect(routingPenalty(signal({ activeTasks: 6, load: 1.5, riskLevel: 'high' })).penalty).toBe(1);
  });

  it('never blocks routing when the workload engine is missing or failing', async () => {
    expect((await penaltiesFor(undefined, 'o', ['m1'])).size).toBe(0);
    const failing: WorkloadSignals = { forMembers: async () => { throw new Error('db down'); } };
    expect((await penaltiesFor(failing, 'o', ['m1'])).size).toBe(0);
    const ok: WorkloadSignals = { forMembers: async () => new Map([['m1', signal({ riskLevel: 'elevated' })]]) };
    expect((await penaltiesFor(ok, 'o', ['m1', 'm2'])).get('m1')!.penalty).toBe(0.4);
  });
});
