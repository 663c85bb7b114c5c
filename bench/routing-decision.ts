/**
 * One routing decision in process: 200 rules, a classifier over 34,000 history items (the Eclipse
 * train + dev sets when ../shared/data/routing is there, synthetic text otherwise), member choice in
 * a team of 12. Prints p50/p99 per decision, training time and the classifier's memory.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import v8 from 'node:v8';
import vm from 'node:vm';
import type { Member, Team } from '../core/model.js';
import { TeamClassifier, type HistoryItem } from '../core/routing/classifier.js';
import { decide } from '../core/routing/decide.js';
import type { Candidate } from '../core/routing/members.js';
import { compileRules, parseRule, type RoutingRule } from '../core/routing/rules.js';
import { fmt, percentile, SHARED_DATA } from './lib.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

function history(): { items: HistoryItem[]; queries: { title: string; description: string }[]; source: string } {
  const dir = join(SHARED_DATA, 'routing');
  if (existsSync(join(dir, 'train.jsonl')) && existsSync(join(dir, 'dev.jsonl'))) {
    const read = (f: string) => readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { id: string; title: string; description: string; label: string });
    const rows = [...read('train.jsonl'), ...read('dev.jsonl')];
    return {
      items: rows.map((r) => ({ id: r.id, title: r.title, description: r.description, team: r.label })),
      queries: rows.slice(-2000).map((r) => ({ title: r.title, description: r.description })),
      source: 'Eclipse train + dev',
    };
  }
  const words = 'database replica network dns latency button layout crash login payment invoice kubernetes pod disk memory cpu deploy build test certificate'.split(' ');
  const items: HistoryItem[] = [];
  for (let i = 0; i < 34_000; i++) {
    const w = (k: number) => words[(i * 7 + k * 13) % words.length]!;
    items.push({ id: `h${i}`, title: `${w(1)} ${w(2)} issue`, description: `${w(3)} ${w(4)} ${w(5)} since ${i % 97}`, team: `team-${i % 15}` });
  }
  return { items, queries: items.slice(-2000).map((i) => ({ title: i.title, description: i.description ?? '' })), source: 'synthetic' };
}

function rules(teams: string[]): RoutingRule[] {
  const out: RoutingRule[] = [];
  for (let i = 0; i < 200; i++) {
    const conditions = i % 3 === 0
      ? { all: [{ field: 'title', op: 'matches', value: `\\bzz${i}(foo|bar)\\b`, flags: 'i' }, { field: 'priority', op: 'in', value: ['P1', 'P2'] }] }
      : i % 3 === 1
        ? { any: [{ field: 'tags.service', op: 'eq', value: `svc-${i}` }, { field: 'description', op: 'contains', value: `marker-${i}`, flags: 'i' }] }
        : { not: { field: 'source', op: 'ne', value: `source-${i}` } };
    const input = parseRule({ name: `rule-${i}`, priority: i, conditions, actions: { team: teams[i % teams.length], tags: { rule: String(i) } } });
    out.push({ ...input, id: `r${i}`, orgId: 'o', createdAt: 0, updatedAt: 0, createdBy: 'bench' });
  }
  return out;
}

const { items, queries, source } = history();
gc();
const before = process.memoryUsage();
const clf = new TeamClassifier();
const report = clf.train(items, () => performance.now());
gc();
const after = process.memoryUsage();
const memMb = (after.heapUsed + after.arrayBuffers - before.heapUsed - before.arrayBuffers) / 2 ** 20;

const teamNames = [...clf.teamNames];
const teams: Team[] = teamNames.map((name, i) => ({ id: `t${i}`, orgId: 'o', name, description: null, timezone: 'UTC', workingHours: { start: '00:00', end: '23:59', days: [0, 1, 2, 3, 4, 5, 6] }, holidays: [], createdAt: 0 }));
const roster = new Map<string, Candidate[]>();
for (const t of teams) {
  roster.set(t.id, Array.from({ length: 12 }, (_, j) => ({
    member: { id: `${t.id}-m${j}`, orgId: 'o', teamId: t.id, name: `m${j}`, email: null, skills: { a: 1 + (j % 5) }, timezone: ['UTC', 'Europe/Berlin', 'America/New_York'][j % 3]!, workingHours: null, capacity: 5, calendarUrl: null, onCall: j === 0, active: true, createdAt: 0 } as Member,
    activeTasks: j % 5, busy: [], lastAssignedAt: j * 1000,
  })));
}
const compiled = compileRules(rules(teamNames));
const now = Date.UTC(2026, 10, 25, 14);
const lat: number[] = [];
const cpu: number[] = [];
const classifyMs: number[] = [];
for (let i = 0; i < queries.length; i++) {
  const q = queries[i]!;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const classification = clf.classify(q.title, q.description);
  classifyMs.push(performance.now() - t0);
  decide({
    task: { title: q.title, description: q.description, priority: i % 4 === 0 ? 'P2' : 'P3', tags: { service: `svc-${i % 300}` }, source: 'api' },
    now, rules: compiled, classification, teams, candidates: (id) => roster.get(id) ?? [],
  });
  lat.push(performance.now() - t0);
  const c = process.cpuUsage(c0);
  cpu.push((c.user + c.system) / 1000);
}
lat.sort((a, b) => a - b);
cpu.sort((a, b) => a - b);
classifyMs.sort((a, b) => a - b);
console.log(`routing-decision (${source}: ${items.length} history items, ${teams.length} teams, 200 rules, 12 members per team, ${queries.length} decisions)`);
console.log(`  training time        ${fmt(report.millis / 1000, 2)} s`);
console.log(`  classifier memory    ${fmt(memMb, 0)} MB (target <= 200 MB)`);
console.log(`  decision latency     p50 ${fmt(percentile(lat, 50), 2)} ms   p99 ${fmt(percentile(lat, 99), 2)} ms   max ${fmt(lat[lat.length - 1]!, 2)} ms (target p99 <= 5 ms)`);
console.log(`  CPU per decision     p50 ${fmt(percentile(cpu, 50), 2)} ms   p99 ${fmt(percentile(cpu, 99), 2)} ms (immune to other load on the machine)`);
console.log(`  of which classifier  p50 ${fmt(percentile(classifyMs, 50), 2)} ms   p99 ${fmt(percentile(classifyMs, 99), 2)} ms`);
