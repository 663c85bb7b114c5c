import type { Command } from 'commander';
import type { CliContext } from '../cli/context.js';
import { AppError } from '../core/errors.js';

interface TeamView { id: string; name: string; description: string | null; timezone: string | null }
interface MemberView {
  id: string; name: string; teamId: string | null; email: string | null; skills: Record<string, number>; timezone: string | null;
  workingHours: { start: string; end: string; days: number[] } | null; capacity: number; onCall: boolean; active: boolean; activeTasks?: number;
}

/** `--skill postgres=4 --skill redis` → { postgres: 4, redis: 3 } */
export function parseSkills(list: string[] | undefined): Record<string, number> | undefined {
  if (!list || list.length === 0) return undefined;
  const skills: Record<string, number> = {};
  for (const item of list) {
    const [name, level] = item.split('=');
    const n = level === undefined ? 3 : Number(level);
    if (!name || !Number.isInteger(n) || n < 1 || n > 5) throw new AppError('usage', `--skill ${item}: expected NAME or NAME=LEVEL with LEVEL 1..5`);
    skills[name] = n;
  }
  return skills;
}

/** `--hours 09:00-17:00` (+ `--days 1-5`) → working hours */
export function parseHours(hours: string | undefined, days: string | undefined): { start: string; end: string; days: number[] } | undefined {
  if (!hours) return undefined;
  const m = /^(\d{2}:\d{2})-(\d{2}:\d{2})$/.exec(hours);
  if (!m) throw new AppError('usage', `--hours ${hours}: expected HH:MM-HH:MM`);
  let dayList = [1, 2, 3, 4, 5];
  if (days) {
    const r = /^([0-6])-([0-6])$/.exec(days);
    dayList = r ? Array.from({ length: Number(r[2]) - Number(r[1]) + 1 }, (_, i) => Number(r[1]) + i) : days.split(',').map(Number);
    if (dayList.some((d) => !Number.isInteger(d) || d < 0 || d > 6)) throw new AppError('usage', `--days ${days}: expected e.g. 1-5 or 1,2,3 (0 = Sunday)`);
  }
  return { start: m[1]!, end: m[2]!, days: dayList };
}

const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

interface MemberOpts { team?: string; email?: string; skill?: string[]; timezone?: string; hours?: string; days?: string; capacity?: string; onCall?: boolean; name?: string }

function memberBody(opts: MemberOpts): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (opts.name !== undefined) body.name = opts.name;
  if (opts.team !== undefined) body.team = opts.team;
  if (opts.email !== undefined) body.email = opts.email;
  const skills = parseSkills(opts.skill);
  if (skills) body.skills = skills;
  if (opts.timezone !== undefined) body.timezone = opts.timezone;
  const hours = parseHours(opts.hours, opts.days);
  if (hours) body.workingHours = hours;
  if (opts.capacity !== undefined) {
    const n = Number(opts.capacity);
    if (!Number.isInteger(n) || n < 0) throw new AppError('usage', `--capacity ${opts.capacity}: expected a whole number`);
    body.capacity = n;
  }
  if (opts.onCall !== undefined) body.onCall = opts.onCall;
  return body;
}

const memberOptions = (cmd: Command): Command =>
  cmd
    .option('--team <team>', 'team name or id')
    .option('--email <email>')
    .option('--skill <name=level>', 'a skill with level 1..5 (repeatable)', collect)
    .option('--timezone <zone>', 'IANA time zone, e.g. Europe/Berlin')
    .option('--hours <HH:MM-HH:MM>', 'working hours')
    .option('--days <1-5>', 'working days (0 = Sunday)')
    .option('--capacity <n>', 'maximum concurrent tasks')
    .option('--on-call', 'on call now');

function showMember(ctx: CliContext, m: MemberView): void {
  ctx.out.object(m as unknown as Record<string, unknown>, [
    ['id', m.id], ['name', m.name], ['team', m.teamId], ['email', m.email],
    ['skills', Object.entries(m.skills).map(([k, v]) => `${k}:${v}`).join(' ')],
    ['timezone', m.timezone ?? '(default UTC)'],
    ['hours', m.workingHours ? `${m.workingHours.start}-${m.workingHours.end} days ${m.workingHours.days.join(',')}` : '(default 09:00-17:00 Mon-Fri)'],
    ['capacity', m.capacity], ['active tasks', m.activeTasks], ['on call', m.onCall],
  ]);
}

export function register(program: Command, ctx: CliContext): void {
  const teams = program.command('teams').description('teams');
  teams.command('list').description('list teams').action(async () => {
    const list = await ctx.client().get<TeamView[]>('/v1/teams');
    ctx.out.list(list, [
      { header: 'id', value: 'id' }, { header: 'name', value: 'name' }, { header: 'timezone', value: 'timezone' }, { header: 'description', value: 'description' },
    ]);
  });
  teams
    .command('add <name>')
    .description('add a team')
    .option('--description <text>')
    .option('--timezone <zone>')
    .option('--hours <HH:MM-HH:MM>')
    .option('--days <1-5>')
    .action(async (name: string, opts: { description?: string; timezone?: string; hours?: string; days?: string }) => {
      const team = await ctx.client().post<TeamView>('/v1/teams', { name, description: opts.description, timezone: opts.timezone, workingHours: parseHours(opts.hours, opts.days) });
      if (ctx.out.json) return ctx.out.data(team);
      ctx.out.line(`added team ${team.name} (${team.id})`);
    });

  const members = program.command('members').description('people work is routed to');
  members.command('list').description('list members').option('--team <team>', 'only this team').action(async (opts: { team?: string }) => {
    const list = await ctx.client().get<MemberView[]>('/v1/members', { team: opts.team });
    ctx.out.list(list, [
      { header: 'id', value: 'id' }, { header: 'name', value: 'name' }, { header: 'timezone', value: 'timezone' },
      { header: 'capacity', value: 'capacity' }, { header: 'on call', value: 'onCall' },
      { header: 'skills', value: (m) => Object.entries(m.skills).map(([k, v]) => `${k}:${v}`).join(' ') },
    ]);
  });
  members.command('show <id>').description('show a member (id or name)').action(async (id: string) => {
    showMember(ctx, await ctx.client().get<MemberView>(`/v1/members/${encodeURIComponent(id)}`));
  });
  memberOptions(members.command('add <name>').description('add a member')).action(async (name: string, opts: MemberOpts) => {
    const m = await ctx.client().post<MemberView>('/v1/members', { name, ...memberBody(opts) });
    if (ctx.out.json) return ctx.out.data(m);
    ctx.out.line(`added ${m.name} (${m.id})`);
  });
  memberOptions(members.command('update <id>').description('change a member').option('--name <name>', 'rename')).action(async (id: string, opts: MemberOpts) => {
    const body = memberBody(opts);
    if (Object.keys(body).length === 0) throw new AppError('usage', 'nothing to update', 'pass at least one option, e.g. --capacity 4');
    const m = await ctx.client().patch<MemberView>(`/v1/members/${encodeURIComponent(id)}`, body);
    if (ctx.out.json) return ctx.out.data(m);
    ctx.out.line(`updated ${m.name} (${m.id})`);
  });
}
