import { compileCondition } from '../../conditions/compile.js';
import { severityAtLeast, type Issue } from '../issues.js';
import type { PlaybookTrigger } from './schema.js';

/**
 * Whether an issue starts a playbook automatically. A playbook without a trigger is only ever run by a
 * person. Every part of the trigger that is given must hold.
 */
export function triggerMatches(trigger: PlaybookTrigger | undefined, issue: Issue): boolean {
  if (!trigger) return false;
  if (trigger.source !== undefined) {
    const sources = Array.isArray(trigger.source) ? trigger.source : [trigger.source];
    if (!sources.includes(issue.source)) return false;
  }
  if (trigger.severity !== undefined && !severityAtLeast(issue.severity, trigger.severity)) return false;
  if (trigger.metric !== undefined && issue.metric !== trigger.metric && issue.labels['metric'] !== trigger.metric) return false;
  for (const [k, v] of Object.entries(trigger.labels ?? {})) if (issue.labels[k] !== v) return false;
  if (trigger.match !== undefined && !compileCondition(trigger.match)(issue)) return false;
  return true;
}
