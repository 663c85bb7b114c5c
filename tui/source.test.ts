import { describe, it, expect } from 'vitest';
import { panelsTouchedBy, withPrefetch } from './source.js';
import { createFakeSource } from './fixtures/fake-source.js';

describe('the source door', () => {
  it('reloads only the panels an event type touches', () => {
    expect(panelsTouchedBy('task.routed')).toEqual(['tasks', 'decisions', 'compliance']);
    expect(panelsTouchedBy('action.awaiting_approval')).toEqual(['actions', 'issues']);
    expect(panelsTouchedBy('violation.detected')).toEqual(['compliance']);
    expect(panelsTouchedBy('workload.alert')).toEqual(['workload']);
    expect(panelsTouchedBy('user.created')).toEqual([]);
  });

  it('prefetches each panel once and hands that result to the first load only', async () => {
    const fake = createFakeSource(0);
    const source = withPrefetch(fake, ['tasks', 'issues']);
    expect(fake.calls).toEqual(['load:tasks', 'load:issues']);
    await source.load('tasks');
    expect(fake.calls).toEqual(['load:tasks', 'load:issues']);
    await source.load('tasks');
    await source.load('workload');
    expect(fake.calls).toEqual(['load:tasks', 'load:issues', 'load:tasks', 'load:workload']);
  });
});
