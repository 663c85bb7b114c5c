import { validatePlaybook } from '../playbooks/parse.js';
import type { HealingAction } from './model.js';

/** A minimal action for unit tests of the state machine and the safety envelope. */
export function sampleAction(over: Partial<HealingAction> = {}): HealingAction {
  return {
    id: 'act_1',
    organizationId: 'org_1',
    playbookId: 'pbk_1',
    playbookName: 'restart-api',
    spec: validatePlaybook({ name: 'restart-api', steps: [{ id: 'a', type: 'exec', argv: ['true'] }] }),
    issueId: null,
    issue: null,
    target: 'api',
    status: 'pending',
    phase: 'main',
    trigger: 'manual',
    startedBy: 'alice',
    startedByUserId: 'usr_alice',
    approval: null,
    error: null,
    createdAt: 1_000,
    updatedAt: 1_000,
    startedAt: null,
    finishedAt: null,
    ...over,
  };
}
