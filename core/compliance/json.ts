/** Violations and rules as the API and the CLI's --json print them: ISO times, camelCase. */
import type { ComplianceRule } from './rule.js';
import { ruleToFile } from './rule.js';
import type { Violation } from './violations.js';

const iso = (t: number | null): string | null => (t === null ? null : new Date(t).toISOString());

export function violationToJson(v: Violation): Record<string, unknown> {
  return {
    ...v,
    since: iso(v.since),
    detectedAt: iso(v.detectedAt),
    openedAt: iso(v.openedAt),
    acknowledgedAt: iso(v.acknowledgedAt),
    resolvedAt: iso(v.resolvedAt),
    waivedAt: iso(v.waivedAt),
    waiverExpiresAt: iso(v.waiverExpiresAt),
    updatedAt: iso(v.updatedAt),
  };
}

export function ruleToJson(r: ComplianceRule): Record<string, unknown> {
  const { orgId: _o, ...rest } = r;
  return {
    id: r.id,
    ...ruleToFile(rest),
    enabled: r.enabled,
    createdAt: iso(r.createdAt),
    updatedAt: iso(r.updatedAt),
  };
}
