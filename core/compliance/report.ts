/**
 * Compliance reports as pure functions: buildReport gathers the figures, then renderMarkdown,
 * renderJson and renderCsv print them. No I/O: the caller loads the data and writes the output.
 */
import { SEVERITIES, type Severity } from './rule.js';
import type { ScoreResult } from './score.js';
import type { ClockStatus } from './sla.js';
import type { Violation } from './violations.js';
import { formatDuration } from './duration.js';

/** One measured SLA clock of a task, as the report needs it. */
export interface ClockSample {
  taskId: string;
  teamId: string | null;
  priority: string;
  clock: 'ack' | 'resolve';
  status: ClockStatus;
  elapsedMs: number;
  targetMs: number;
}

export interface ReportInput {
  now: number;
  since: number;
  /** Violations that were active at some point in [since, now]. */
  violations: readonly Violation[];
  clocks: readonly ClockSample[];
  teams: readonly { id: string; name: string }[];
  score: ScoreResult;
}

export interface CountLine {
  detected: number;
  open: number;
  resolved: number;
  waived: number;
}

export interface Report {
  generatedAt: string;
  since: string;
  until: string;
  summary: CountLine & { acknowledged: number };
  byRule: (CountLine & { rule: string; severity: Severity })[];
  bySeverity: (CountLine & { severity: Severity })[];
  byTeam: (CountLine & { team: string; score: number | null })[];
  timeToResolve: { resolved: number; meanSeconds: number | null; medianSeconds: number | null; p90Seconds: number | null };
  slaAttainment: { priority: string; clock: 'ack' | 'resolve'; measured: number; met: number; breached: number; attainmentPct: number | null }[];
  waivers: { id: string; rule: string; entity: string; team: string; reason: string; waivedBy: string; expiresAt: string; expired: boolean }[];
  score: { org: number; teams: { team: string; score: number }[] };
  violations: ReportViolation[];
}

export interface ReportViolation {
  id: string;
  rule: string;
  severity: Severity;
  status: string;
  team: string;
  entity: string;
  message: string;
  openedAt: string | null;
  resolvedAt: string | null;
  timeToResolveSeconds: number | null;
  waiverReason: string | null;
  waiverExpiresAt: string | null;
}

const iso = (t: number | null): string | null => (t === null ? null : new Date(t).toISOString());

function emptyCount(): CountLine {
  return { detected: 0, open: 0, resolved: 0, waived: 0 };
}

function tally(line: CountLine, v: Violation): void {
  line.detected += 1;
  if (v.status === 'open' || v.status === 'acknowledged') line.open += 1;
  else if (v.status === 'resolved') line.resolved += 1;
  else if (v.status === 'waived') line.waived += 1;
}

function quantile(sorted: number[], q: number): number | null {
  if (sorted.length === 0) return null;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i]!;
}

/** The report of the window [since, now]: violations that counted (pending-only ones are left out). */
export function buildReport(input: ReportInput): Report {
  const teamName = new Map(input.teams.map((t) => [t.id, t.name]));
  const nameOf = (id: string | null): string => (id ? teamName.get(id) ?? id : '-');
  const counted = input.violations.filter((v) => v.openedAt !== null && v.openedAt <= input.now && (v.resolvedAt === null || v.resolvedAt >= input.since));

  const summary = { ...emptyCount(), acknowledged: 0 };
  const byRule = new Map<string, CountLine & { rule: string; severity: Severity }>();
  const bySeverity = new Map<Severity, CountLine & { severity: Severity }>(SEVERITIES.map((s) => [s, { severity: s, ...emptyCount() }]));
  const byTeam = new Map<string, CountLine & { team: string; score: number | null }>();
  const durations: number[] = [];
  for (const v of counted) {
    tally(summary, v);
    if (v.status === 'acknowledged') summary.acknowledged += 1;
    let r = byRule.get(v.ruleName);
    if (!r) byRule.set(v.ruleName, (r = { rule: v.ruleName, severity: v.severity, ...emptyCount() }));
    tally(r, v);
    tally(bySeverity.get(v.severity)!, v);
    const team = nameOf(v.teamId);
    let t = byTeam.get(team);
    if (!t) byTeam.set(team, (t = { team, score: null, ...emptyCount() }));
    tally(t, v);
    if (v.status === 'resolved' && v.resolvedAt !== null && v.openedAt !== null) durations.push(Math.max(0, v.resolvedAt - v.openedAt));
  }
  for (const ts of input.score.teams) {
    const t = byTeam.get(ts.team);
    if (t) t.score = ts.score;
  }
  durations.sort((a, b) => a - b);
  const secs = (ms: number | null): number | null => (ms === null ? null : Math.round(ms / 1000));

  const sla = new Map<string, { priority: string; clock: 'ack' | 'resolve'; measured: number; met: number; breached: number }>();
  for (const c of input.clocks) {
    if (c.status !== 'met' && c.status !== 'breached') continue; // still running: not decided yet
    const key = `${c.priority}|${c.clock}`;
    let line = sla.get(key);
    if (!line) sla.set(key, (line = { priority: c.priority, clock: c.clock, measured: 0, met: 0, breached: 0 }));
    line.measured += 1;
    if (c.status === 'met') line.met += 1;
    else line.breached += 1;
  }

  const waivers = input.violations
    .filter((v) => v.waiverReason !== null && v.waiverExpiresAt !== null && (v.status === 'waived' || v.waiverExpiresAt >= input.since))
    .map((v) => ({
      id: v.id, rule: v.ruleName, entity: v.entityId, team: nameOf(v.teamId), reason: v.waiverReason!, waivedBy: v.waivedBy ?? '-',
      expiresAt: iso(v.waiverExpiresAt)!, expired: v.waiverExpiresAt! <= input.now,
    }))
    .sort((a, b) => a.expiresAt.localeCompare(b.expiresAt));

  return {
    generatedAt: iso(input.now)!,
    since: iso(input.since)!,
    until: iso(input.now)!,
    summary,
    byRule: [...byRule.values()].sort((a, b) => b.detected - a.detected || a.rule.localeCompare(b.rule)),
    bySeverity: [...bySeverity.values()].reverse(),
    byTeam: [...byTeam.values()].sort((a, b) => b.detected - a.detected || a.team.localeCompare(b.team)),
    timeToResolve: {
      resolved: durations.length,
      meanSeconds: durations.length ? secs(durations.reduce((s, d) => s + d, 0) / durations.length) : null,
      medianSeconds: secs(quantile(durations, 0.5)),
      p90Seconds: secs(quantile(durations, 0.9)),
    },
    slaAttainment: [...sla.values()]
      .sort((a, b) => a.priority.localeCompare(b.priority) || a.clock.localeCompare(b.clock))
      .map((l) => ({ ...l, attainmentPct: l.measured ? Math.round((1000 * l.met) / l.measured) / 10 : null })),
    waivers,
    score: { org: input.score.org.score, teams: input.score.teams.map((t) => ({ team: t.team, score: t.score })) },
    violations: counted
      .slice()
      .sort((a, b) => (a.openedAt ?? 0) - (b.openedAt ?? 0) || a.id.localeCompare(b.id))
      .map((v) => ({
        id: v.id, rule: v.ruleName, severity: v.severity, status: v.status, team: nameOf(v.teamId), entity: `${v.entityKind}:${v.entityId}`,
        message: v.message, openedAt: iso(v.openedAt), resolvedAt: iso(v.resolvedAt),
        timeToResolveSeconds: v.resolvedAt !== null && v.openedAt !== null ? secs(Math.max(0, v.resolvedAt - v.openedAt)) : null,
        waiverReason: v.waiverReason, waiverExpiresAt: iso(v.waiverExpiresAt),
      })),
  };
}

export function renderJson(report: Report): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

const CSV_COLUMNS: (keyof ReportViolation)[] = [
  'id', 'rule', 'severity', 'status', 'team', 'entity', 'message', 'openedAt', 'resolvedAt', 'timeToResolveSeconds', 'waiverReason', 'waiverExpiresAt',
];

function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = String(v);
  // A leading = + - @ would run as a formula in a spreadsheet.
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** One row per violation (every aggregate of the report derives from these rows). */
export function renderCsv(report: Report): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const v of report.violations) lines.push(CSV_COLUMNS.map((c) => csvCell(v[c])).join(','));
  return `${lines.join('\n')}\n`;
}

function mdCell(v: unknown): string {
  return v === null || v === undefined ? '-' : String(v).replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function mdTable(headers: string[], rows: unknown[][]): string {
  if (rows.length === 0) return '_none_\n';
  const out = [`| ${headers.join(' | ')} |`, `|${headers.map(() => '---').join('|')}|`];
  for (const r of rows) out.push(`| ${r.map(mdCell).join(' | ')} |`);
  return `${out.join('\n')}\n`;
}

const dur = (s: number | null): string => (s === null ? '-' : formatDuration(s * 1000));

export function renderMarkdown(report: Report): string {
  const s = report.summary;
  const parts = [
    `# Compliance report\n`,
    `${report.since} → ${report.until}\n`,
    `**Score:** ${report.score.org} / 100 · **violations:** ${s.detected} (open ${s.open - s.acknowledged}, acknowledged ${s.acknowledged}, resolved ${s.resolved}, waived ${s.waived})\n`,
    `## By severity\n`,
    mdTable(['severity', 'detected', 'open', 'resolved', 'waived'], report.bySeverity.map((l) => [l.severity, l.detected, l.open, l.resolved, l.waived])),
    `## By rule\n`,
    mdTable(['rule', 'severity', 'detected', 'open', 'resolved', 'waived'], report.byRule.map((l) => [l.rule, l.severity, l.detected, l.open, l.resolved, l.waived])),
    `## By team\n`,
    mdTable(['team', 'score', 'detected', 'open', 'resolved', 'waived'], report.byTeam.map((l) => [l.team, l.score, l.detected, l.open, l.resolved, l.waived])),
    `## Time to resolve\n`,
    `${report.timeToResolve.resolved} resolved · mean ${dur(report.timeToResolve.meanSeconds)} · median ${dur(report.timeToResolve.medianSeconds)} · p90 ${dur(report.timeToResolve.p90Seconds)}\n`,
    `## SLA attainment\n`,
    mdTable(['priority', 'clock', 'measured', 'met', 'breached', 'attainment'], report.slaAttainment.map((l) => [l.priority, l.clock, l.measured, l.met, l.breached, l.attainmentPct === null ? '-' : `${l.attainmentPct}%`])),
    `## Waivers\n`,
    mdTable(['violation', 'rule', 'team', 'reason', 'by', 'expires'], report.waivers.map((w) => [w.id, w.rule, w.team, w.reason, w.waivedBy, `${w.expiresAt}${w.expired ? ' (expired)' : ''}`])),
  ];
  return parts.join('\n');
}
