import type { Command } from 'commander';
import type { CliContext } from '../cli/context.js';
import { AppError } from '../core/errors.js';

interface Factor { key: string; label: string; value: number; unit: string; weight: number; points: number; explanation: string }
interface MemberRow {
  memberId: string; name: string; team: string | null; score: number | null; level: string; utilization: number | null;
  hoursOutside7d: number; interruptions7d: number; activeTasks: number; maxConcurrent: number; onCall: boolean;
  topFactor: string | null; defaults: string[];
}
interface TeamRow { team: string; members: number; utilization: number | null; hoursOutside14d: number; burdenGini: number; atRisk: number }
interface Overview { asOf: string | null; members: MemberRow[]; teams: TeamRow[] }
interface Snapshot { day: string; activeTasks: number; hoursInside: number; hoursOutside: number; utilization: number | null; interruptions: number; onCall: boolean; partial: boolean }
interface Alert { id: string; member?: string; memberId: string; day: string; from: string; to: string; kind: string; score: number; at: string; factors: Factor[] }
interface MemberDetail {
  memberId: string; name: string; team: string | null; timeZone: string; workingHours: { start: string; end: string; days: number[] };
  defaults: string[]; sources: Record<string, string>; score: number | null; level: string;
  thresholds: Record<string, { enter: number; exit: number }>; factors: Factor[];
  trend: { direction: string; slopePerDay: number; points: { day: string; score: number }[] }; recent: Snapshot[]; alerts: Alert[];
}
interface ForecastDay { day: string; forecast: number; low: number; high: number; capacity: number; backlog: number; shortfall: number }
interface Forecast {
  team: string; status: string; message: string; historyDays: number; needDays: number; mape: number | null;
  baselineMape: number | null; holdoutDays: number; model: string | null; hoursPerTask: number; hoursPerTaskSource: string; days: ForecastDay[];
}

const levelColor = (l: string): 'red' | 'yellow' | 'green' | undefined => (l === 'high' ? 'red' : l === 'elevated' ? 'yellow' : l === 'ok' ? 'green' : undefined);
const pct = (x: number | null): string => (x === null ? '-' : `${Math.round(x * 100)}%`);
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

function positiveInt(name: string, text: string | undefined, max: number): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > max) throw new AppError('usage', `${name} ${text}: expected a whole number from 1 to ${max}`);
  return Number(text);
}

function sparkline(values: number[]): string {
  const bars = '▁▂▃▄▅▆▇█';
  return values.map((v) => bars[Math.min(7, Math.max(0, Math.floor((v / 100) * 8)))]).join('');
}

export function register(program: Command, ctx: CliContext): void {
  const workload = program.command('workload').description('load per member, burnout risk, capacity forecast, fairness');

  workload
    .command('show')
    .description('each member\'s load and burnout risk, and each team\'s spread')
    .option('--team <team>', 'only this team')
    .action(async (opts: { team?: string }) => {
      const o = await ctx.client().get<Overview>('/v1/workload', opts.team ? { team: opts.team } : undefined);
      if (ctx.out.json) return ctx.out.data(o);
      ctx.out.list(o.members, [
        { header: 'member', value: 'name' },
        { header: 'team', value: 'team' },
        { header: 'risk', value: (r) => (r.score === null ? '-' : r.score) },
        { header: 'level', value: 'level', color: levelColor },
        { header: 'util 7d', value: (r) => pct(r.utilization) },
        { header: 'after-hours 7d', value: (r) => `${r.hoursOutside7d}h` },
        { header: 'interrupts 7d', value: 'interruptions7d' },
        { header: 'tasks', value: (r) => `${r.activeTasks}/${r.maxConcurrent}` },
        { header: 'on call', value: (r) => (r.onCall ? 'yes' : '') },
        { header: 'top factor', value: (r) => r.topFactor ?? '' },
        { header: 'defaults', value: (r) => (r.defaults.length ? `default ${r.defaults.join(',')}` : '') },
      ]);
      ctx.out.line('');
      ctx.out.list(o.teams, [
        { header: 'team', value: 'team' },
        { header: 'members', value: 'members' },
        { header: 'util 7d', value: (t) => pct(t.utilization) },
        { header: 'after-hours 14d', value: (t) => `${t.hoursOutside14d}h` },
        { header: 'gini', value: 'burdenGini' },
        { header: 'at risk', value: 'atRisk', color: (x) => (x !== '0' ? 'yellow' : undefined) },
      ]);
      ctx.out.info(`as of ${o.asOf ?? 'no snapshots yet'}; risk is 0-100 (see: foundry-op workload member NAME)`);
    });

  workload
    .command('member <id>')
    .description('one member\'s burnout score, the factors behind it and its trend')
    .action(async (id: string) => {
      const d = await ctx.client().get<MemberDetail>(`/v1/workload/members/${encodeURIComponent(id)}`);
      if (ctx.out.json) return ctx.out.data(d);
      const dflt = (field: string, text: string) => (d.defaults.includes(field) ? `${text} (default: not set for member or team)` : text);
      ctx.out.object(d as unknown as Record<string, unknown>, [
        ['member', `${d.name} (${d.memberId})`],
        ['team', d.team],
        ['time zone', dflt('timeZone', d.timeZone)],
        ['working hours', dflt('workingHours', `${d.workingHours.start}-${d.workingHours.end} ${d.workingHours.days.map((x) => DAYS[x]).join(',')}`)],
        ['burnout risk', d.score === null ? 'no snapshots yet' : `${d.score}/100, level ${d.level}`],
        ['thresholds', `elevated at ${d.thresholds.elevated!.enter} (clears below ${d.thresholds.elevated!.exit}), high at ${d.thresholds.high!.enter} (clears below ${d.thresholds.high!.exit})`],
        ['trend', `${d.trend.direction} (${d.trend.slopePerDay >= 0 ? '+' : ''}${d.trend.slopePerDay}/day) ${sparkline(d.trend.points.map((p) => p.score))}`],
      ]);
      ctx.out.line('\nfactors (points add up to the score):');
      ctx.out.list([...d.factors].sort((a, b) => b.points - a.points), [
        { header: 'factor', value: 'label' },
        { header: 'value', value: (f) => `${f.value} ${f.unit}` },
        { header: 'points', value: (f) => `${f.points}/${f.weight}`, color: (_t, f) => (f.points >= f.weight * 0.75 ? 'red' : f.points > 0 ? 'yellow' : undefined) },
      ]);
      ctx.out.line('\nrecent days:');
      ctx.out.list(d.recent, [
        { header: 'day', value: (s) => (s.partial ? `${s.day}*` : s.day) },
        { header: 'tasks', value: 'activeTasks' },
        { header: 'hours in', value: 'hoursInside' },
        { header: 'hours after', value: 'hoursOutside' },
        { header: 'util', value: (s) => pct(s.utilization) },
        { header: 'interrupts', value: 'interruptions' },
        { header: 'on call', value: (s) => (s.onCall ? 'yes' : '') },
      ]);
      if (d.alerts.length > 0) {
        ctx.out.line('\nalerts:');
        for (const a of d.alerts) ctx.out.line(`  ${a.day} ${a.kind}: ${a.from} → ${a.to} at score ${a.score}`);
      }
    });

  workload
    .command('forecast')
    .description('inbound tasks per team per day ahead, against capacity; prints the model\'s held-out error')
    .option('--team <team>', 'only this team')
    .option('--days <n>', 'days ahead (1-90)', '14')
    .action(async (opts: { team?: string; days?: string }) => {
      const days = positiveInt('--days', opts.days, 90) ?? 14;
      const query: Record<string, string> = { days: String(days) };
      if (opts.team) query.team = opts.team;
      const list = await ctx.client().get<Forecast[]>('/v1/workload/forecast', query);
      if (ctx.out.json) return ctx.out.data(list);
      list.forEach((f, i) => {
        if (i > 0) ctx.out.line('');
        if (f.status !== 'ok') {
          ctx.out.line(`${f.team}: ${f.message}`);
          return;
        }
        const mape = f.mape === null ? 'n/a (no inbound on held-out days)' : `${f.mape}%`;
        const base = f.baselineMape === null ? '' : ` (last week repeated: ${f.baselineMape}%)`;
        ctx.out.line(`${f.team}: ${f.message}. MAPE ${mape} on ${f.holdoutDays} held-out days${base}; model ${f.model}; ${f.historyDays} days of history; ${f.hoursPerTask} h per task (${f.hoursPerTaskSource})`);
        ctx.out.list(f.days, [
          { header: 'day', value: (d) => `${d.day} ${DAYS[new Date(`${d.day}T00:00:00Z`).getUTCDay()]}` },
          { header: 'forecast', value: 'forecast' },
          { header: '95% range', value: (d) => `${d.low}-${d.high}` },
          { header: 'capacity', value: 'capacity' },
          { header: 'backlog', value: (d) => (d.backlog > 0 ? d.backlog : '') },
          { header: 'shortfall', value: (d) => (d.shortfall > 0 ? d.shortfall : ''), color: (t) => (t ? 'red' : undefined) },
        ]);
      });
    });

  workload
    .command('alerts')
    .description('burnout risk level changes, newest first')
    .option('--member <id>', 'only this member')
    .option('--limit <n>', 'at most this many (1-1000)', '50')
    .action(async (opts: { member?: string; limit?: string }) => {
      const query: Record<string, string> = { limit: String(positiveInt('--limit', opts.limit, 1000) ?? 50) };
      if (opts.member) query.member = opts.member;
      const alerts = await ctx.client().get<Alert[]>('/v1/workload/alerts', query);
      ctx.out.list(alerts, [
        { header: 'at', value: 'at' },
        { header: 'member', value: (a) => a.member ?? a.memberId },
        { header: 'day', value: 'day' },
        { header: 'change', value: (a) => `${a.from} → ${a.to}` },
        { header: 'kind', value: 'kind', color: (k) => (k === 'raised' ? 'red' : k === 'cleared' ? 'green' : 'yellow') },
        { header: 'score', value: 'score' },
        { header: 'main factors', value: (a) => a.factors.filter((f) => f.points > 0).sort((x, y) => y.points - x.points).slice(0, 3).map((f) => f.key).join(', ') },
      ]);
    });

  workload
    .command('fairness')
    .description('who carried after-hours, on-call and interruptions over a period; the team\'s Gini')
    .option('--team <team>', 'only this team')
    .option('--from <YYYY-MM-DD>', 'first day (default: 4 weeks before --to)')
    .option('--to <YYYY-MM-DD>', 'last day (default: today)')
    .action(async (opts: { team?: string; from?: string; to?: string }) => {
      const query: Record<string, string> = {};
      for (const k of ['team', 'from', 'to'] as const) if (opts[k]) query[k] = opts[k]!;
      const r = await ctx.client().get<{ from: string; to: string; people: Array<Record<string, unknown>>; teams: Array<Record<string, unknown>> }>('/v1/workload/fairness', query);
      if (ctx.out.json) return ctx.out.data(r);
      ctx.out.info(`${r.from} to ${r.to}`);
      ctx.out.list(r.people, [
        { header: 'member', value: 'member' },
        { header: 'team', value: 'team' },
        { header: 'after-hours h', value: 'hoursOutside' },
        { header: 'on-call h', value: 'onCallHours' },
        { header: 'on-call days', value: 'onCallDays' },
        { header: 'interrupts', value: 'interruptions' },
        { header: 'share of team', value: (p) => pct(p.burdenShare as number) },
      ]);
      ctx.out.line('');
      ctx.out.list(r.teams, [
        { header: 'team', value: (t) => t.team ?? '(none)' },
        { header: 'members', value: 'members' },
        { header: 'burden gini', value: 'burdenGini' },
        { header: 'interruptions gini', value: 'interruptionsGini' },
        { header: 'carries most', value: 'topCarrier' },
      ]);
    });

  workload
    .command('refresh')
    .description('compute snapshots now (default: since the last stored day; --days N recomputes N days back)')
    .option('--from <YYYY-MM-DD>')
    .option('--to <YYYY-MM-DD>')
    .option('--days <n>', 'recompute this many days back (1-366)')
    .action(async (opts: { from?: string; to?: string; days?: string }) => {
      const body: Record<string, unknown> = {};
      if (opts.from) body.from = opts.from;
      if (opts.to) body.to = opts.to;
      const days = positiveInt('--days', opts.days, 366);
      if (days) body.days = days;
      const r = await ctx.client().post<{ from: string; to: string; members: number; snapshots: number; alerts: unknown[] }>('/v1/workload/refresh', body);
      if (ctx.out.json) return ctx.out.data(r);
      ctx.out.line(`computed ${r.snapshots} snapshots for ${r.members} members, ${r.from} to ${r.to}; ${r.alerts.length} new alert(s)`);
    });
}
