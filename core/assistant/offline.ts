import { maskText } from '../masking/mask.js';
import { citeIds, collectIds } from './citations.js';
import type {
  ActionSummary,
  AssistantData,
  RunbookHit,
  ComplianceStatus,
  IssueSummary,
  MemberLoad,
  RoutingExplanation,
  TeamStatus,
} from './data.js';
import { executeToolCall, type ToolCallRecord } from './execute.js';
import type { Answer } from './loop.js';
import type { AssistantTool } from './tools.js';

/** A question offline mode understands: how to spot it, and how to answer it from the tools. */
interface Intent {
  name: string;
  /** Shown in the list of what offline mode can answer. */
  example: string;
  match(q: string): Record<string, string> | null;
  answer(call: ToolCaller, args: Record<string, string>, now: number): Promise<string | Reply>;
}

/** An answer's text and the ids it rests on (when they are not all named in the text). */
interface Reply {
  text: string;
  cite: string[];
}

type ToolCaller = (name: string, input: Record<string, unknown>) => Promise<unknown>;

const pct = (x: number): string => `${Math.round(x * 100)}%`;
const ago = (now: number, at: number): string => {
  const m = Math.max(0, Math.round((now - at) / 60_000));
  return m < 60 ? `${m}m ago` : m < 48 * 60 ? `${Math.round(m / 60)}h ago` : `${Math.round(m / 1440)}d ago`;
};
const SEVERITY_ORDER = ['critical', 'high', 'medium', 'low', 'info'];
const bySeverity = <T extends { severity: string }>(a: T, b: T): number =>
  SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity);

const isError = (v: unknown): v is { error: string } => typeof v === 'object' && v !== null && 'error' in v;

const TASK_ID = /\b(tsk_[0-9a-z]{17})\b/;

export const INTENTS: Intent[] = [
  {
    name: 'why_routed',
    example: 'why was task tsk_… routed to dba?',
    match: (q) => {
      const id = TASK_ID.exec(q)?.[1];
      return id && /\b(why|explain|how come|reason)\b|rout|assign/i.test(q) ? { taskId: id } : null;
    },
    async answer(call, { taskId }) {
      const r = await call('explain_routing', { taskId: taskId! });
      if (isError(r)) return String(r.error);
      const e = r as RoutingExplanation;
      const who = e.assignee ? `${e.team ?? 'no team'} (assignee ${e.assignee})` : (e.team ?? 'no team');
      const lines = [`Task ${e.taskId} "${e.title}" was routed to ${who} with confidence ${pct(e.confidence)} because:`];
      for (const f of e.factors) lines.push(`  - ${f}`);
      return lines.join('\n');
    },
  },
  {
    name: 'overloaded',
    example: 'who is overloaded?',
    match: (q) => (/overload|over capacity|burn.?out|too much (work|on)|swamped|(most|who.*) busy|utili[sz]ation|workload/i.test(q) && !/\bteam\s+\S+\s+doing/i.test(q) ? {} : null),
    async answer(call) {
      const r = await call('workload', {});
      if (isError(r)) return String(r.error);
      const all = (r as MemberLoad[]).slice().sort((a, b) => b.utilization - a.utilization);
      const over = all.filter((m) => m.utilization > 1 || m.riskLevel === 'high' || (m.burnoutRisk ?? 0) >= 0.7);
      if (all.length === 0) return 'There is no workload data yet.';
      if (over.length === 0) {
        const top = all[0]!;
        return `Nobody is overloaded. The busiest is ${top.name} at ${pct(top.utilization)} (${top.activeTasks} active tasks).`;
      }
      const lines = [`${over.length} ${over.length === 1 ? 'person is' : 'people are'} overloaded or at high burnout risk:`];
      for (const m of over) {
        const risk = m.burnoutRisk !== null ? `, burnout risk ${pct(m.burnoutRisk)}` : '';
        lines.push(`  - ${m.name}${m.team ? ` (${m.team})` : ''}: ${pct(m.utilization)} of capacity, ${m.activeTasks} active tasks${risk}`);
      }
      return { text: lines.join('\n'), cite: over.map((m) => m.memberId) };
    },
  },
  {
    name: 'approvals',
    example: 'what needs my approval?',
    match: (q) => (/approv|sign.?off|waiting (for|on) me|need(s)? my (ok|okay|go)|pending action/i.test(q) ? {} : null),
    async answer(call, _a, now) {
      const r = await call('list_actions', { status: 'awaiting_approval', limit: 50 });
      if (isError(r)) return String(r.error);
      const actions = r as ActionSummary[];
      if (actions.length === 0) return 'Nothing is waiting for an approval.';
      const lines = [`${actions.length} action${actions.length === 1 ? '' : 's'} awaiting approval:`];
      for (const a of actions)
        lines.push(`  - ${a.id}: playbook ${a.playbook}${a.issueId ? ` for issue ${a.issueId}` : ''}, requested ${ago(now, a.requestedAt)}`);
      lines.push('Approve with `foundry-op healing actions approve ID` (managers and admins).');
      return lines.join('\n');
    },
  },
  {
    name: 'compliance',
    example: 'what are the open violations and the compliance score?',
    match: (q) => (/violation|complian|\bscore\b|\bsla\b|breach/i.test(q) ? {} : null),
    async answer(call, _a, now) {
      const r = await call('compliance_status', { limit: 20 });
      if (isError(r)) return String(r.error);
      const c = r as ComplianceStatus;
      const open = c.open.slice().sort(bySeverity);
      const lines = [`Compliance score: ${Math.round(c.score * 10) / 10}. Open violations: ${open.length}${open.length ? ':' : '.'}`];
      for (const v of open)
        lines.push(`  - ${v.id} [${v.severity}] ${v.rule}${v.entityId ? ` on ${v.entityId}` : ''}, ${v.status}, detected ${ago(now, v.detectedAt)}`);
      return lines.join('\n');
    },
  },
  {
    name: 'failing',
    example: 'what is failing right now?',
    match: (q) => (/fail|broken|\bdown\b|outage|incident|alert|what.*wrong|on fire|issues?\b.*(open|now)|anomal/i.test(q) ? {} : null),
    async answer(call, _a, now) {
      const r = await call('list_issues', { status: 'open', limit: 20 });
      if (isError(r)) return String(r.error);
      const issues = (r as IssueSummary[]).slice().sort(bySeverity);
      if (issues.length === 0) return 'Nothing is failing: there are no open issues.';
      const lines = [`${issues.length} open issue${issues.length === 1 ? '' : 's'}:`];
      for (const i of issues) lines.push(`  - ${i.id} [${i.severity}] ${i.title} (${i.source}, ${ago(now, i.detectedAt)})`);
      return lines.join('\n');
    },
  },
  {
    name: 'team',
    example: 'how is team sre doing?',
    match: (q) => {
      const m =
        /\bhow(?:'s| is| are)\s+(?:the\s+)?(?:team\s+)?([\w-]+)(?:\s+team)?\s+(?:doing|going|holding up)/i.exec(q) ??
        /\bteam\s+([\w-]+)\s+(?:status|health|overview)/i.exec(q) ??
        /\bstatus of (?:the\s+)?(?:team\s+)?([\w-]+)/i.exec(q);
      return m?.[1] ? { team: m[1] } : null;
    },
    async answer(call, { team }) {
      const r = await call('team_status', { team: team! });
      if (isError(r)) return String(r.error);
      const t = r as TeamStatus;
      const members = t.members.slice().sort((a, b) => b.utilization - a.utilization);
      const avg = members.length ? members.reduce((s, m) => s + m.utilization, 0) / members.length : 0;
      const over = members.filter((m) => m.utilization > 1);
      const lines = [
        `Team ${t.team}: ${t.openTasks} open tasks, ${members.length} members at ${pct(avg)} average utilization, ` +
          `${t.openIssues} open issues, ${t.openViolations} open violations.`,
      ];
      if (over.length) lines.push(`Overloaded: ${over.map((m) => `${m.name} (${pct(m.utilization)})`).join(', ')}.`);
      return { text: lines.join('\n'), cite: over.map((m) => m.memberId) };
    },
  },
  {
    name: 'runbook',
    example: 'how do I restart the api? (searches the runbooks)',
    match: (q) => (/\brunbooks?\b|\bhow (do|can|should) (i|we)\b|\bhow to\b|\bprocedure\b|\bsteps? (to|for)\b/i.test(q) ? { query: q } : null),
    async answer(call, { query }) {
      const r = await call('search_runbooks', { query: query!, limit: 2 });
      if (isError(r)) return String(r.error);
      const hits = r as RunbookHit[];
      if (hits.length === 0) return 'No runbook passage matches that question.';
      const lines = ['From the runbooks:'];
      for (const h of hits) {
        const text = h.text.replace(/\s+/g, ' ').trim();
        lines.push(`  - ${h.heading} (${h.file}): ${text.length > 400 ? `${text.slice(0, 399)}…` : text}`);
      }
      return lines.join('\n');
    },
  },
];

/** What offline mode says when it does not understand. */
export function offlineHelp(): string {
  return [
    'Offline mode (no ANTHROPIC_API_KEY) answers these questions from the data:',
    ...INTENTS.map((i) => `  - ${i.example}`),
    'Set ANTHROPIC_API_KEY to ask anything else.',
  ].join('\n');
}

export interface OfflineOptions {
  question: string;
  tools: AssistantTool[];
  data: AssistantData;
  now: number;
}

/** Answers a common question by intent matching, through the same tools (and masking) as Claude. */
export async function answerOffline(o: OfflineOptions): Promise<Answer> {
  const toolCalls: ToolCallRecord[] = [];
  const known = new Set<string>();
  const call: ToolCaller = async (name, input) => {
    const done = await executeToolCall(name, input, { offered: o.tools, data: o.data, now: o.now, changes: 'refuse' });
    toolCalls.push(done.record);
    collectIds(done.value, known);
    if (done.record.status !== 'ok') return { error: done.record.error ?? `${name} failed` };
    return done.value;
  };
  let reply: Reply | null = null;
  for (const intent of INTENTS) {
    const args = intent.match(o.question);
    if (!args) continue;
    const r = await intent.answer(call, args, o.now);
    reply = typeof r === 'string' ? { text: r, cite: [] } : r;
    break;
  }
  const answer = maskText(reply?.text ?? offlineHelp()).text;
  const named = reply ? citeIds(answer, known, 0) : [];
  return {
    answer,
    offline: true,
    toolCalls,
    citedIds: [...new Set([...named, ...(reply?.cite ?? []).filter((id) => known.has(id))])],
    usage: { inputTokens: 0, outputTokens: 0 },
    model: null,
    rounds: toolCalls.length > 0 ? 1 : 0,
  };
}
