import { Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Why a family's name breaks Prometheus naming (the checks `promtool check metrics` makes on names), or null.
 * The seed's dashboards fix some names that do (`selfhealing_issues_detected` is a counter without `_total`,
 * `compliance_score_gauge` names its type, `sla_breach_count` ends like a histogram series), so they cannot be renamed.
 */
export function namingProblem(name: string, type: string): string | null {
  const n = name.toLowerCase();
  if (type === 'counter' && !n.endsWith('_total')) return 'counter without _total';
  if (type !== 'counter' && n.endsWith('_total')) return `${type} ending in _total`;
  if ((type === 'counter' || type === 'gauge') && /_(count|sum|bucket)$/.test(n)) return `${type} with a histogram suffix`;
  if (n.includes(`_${type}_`) || n.endsWith(`_${type}`)) return `name includes its type ${type}`;
  return null;
}

/**
 * Declares families whose fixed names break Prometheus naming as `untyped`: the exposition stays valid,
 * every series keeps its name and value (rate() and friends work on untyped series), and strict checkers
 * accept it. Families with sound names are left exactly as they are.
 */
export function lintCleanExposition(text: string): string {
  return text.replace(/^# TYPE (\S+) (counter|gauge)$/gm, (line, name: string, type: string) =>
    namingProblem(name, type) ? `# TYPE ${name} untyped` : line);
}

/** A registry whose exposition `promtool check metrics` accepts. */
export class ExpositionRegistry extends Registry {
  override async metrics(): Promise<string> {
    return lintCleanExposition(await super.metrics());
  }
}

/** prom-client's default process metrics minus the gauges it names `_total` (each has a well-named twin). */
export function createMetricsRegistry(): Registry {
  const registry = new ExpositionRegistry();
  collectDefaultMetrics({ register: registry });
  for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) {
    registry.removeSingleMetric(name);
  }
  return registry;
}
