import { describe, it, expect } from 'vitest';
import { panelsTouchedBy, prefetchPanels, type DashboardSource } from './source.js';
import { createFakeSource } from './fixtures/fake-source.js';

describe('the source door', () => {
  it('reloads only the panels an event type touches', () => {
    expect(panelsTouchedBy('task.routed')).toEqual(['tasks', 'decisions', 'compliance']);
    expect(panelsTouchedBy('action.awaiting_approval')).toEqual(['actions', 'issues']);
    expect(panelsTouchedBy('violation.detected')).toEqual(['compliance']);
    expect(panelsTouchedBy('workload.alert')).toEqual(['workload']);
    expect(panelsTouchedBy('user.created')).toEqual([]);
  });

  it('prefetches the panels that answer in time, with what they came to', async () => {
    const fake = createFakeSource(0, { unavailable: ['workload'] });
    const slow: DashboardSource = { ...fake, load: (p) => (p === 'metrics' ? new Promise<never>(() => undefined) : fake.load(p)) };
    const early = await prefetchPanels(slow, ['tasks', 'workload', 'metrics'], 50);
    expect(early.tasks?.status).toBe('ready');
    expect(early.workload).toEqual({ status: 'unavailable', reason: 'workload is not available' });
    expect(early.metrics).toBeUndefined();
  });
});
