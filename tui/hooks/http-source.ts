// The dashboard's source over the daemon's HTTP API (cli/client) and its SSE stream. Each panel reads
// the endpoints of one engine; an endpoint the daemon does not have yet makes the panel "not available".
import { AppError } from '../../core/errors.js';
import type { ApiClient } from '../../cli/client.js';
import type { PanelData, PanelKey } from '../model.js';
import { PanelUnavailable, type DashboardSource } from '../source.js';
import { openEventStream } from './event-stream.js';
import { askStreaming } from './assistant-stream.js';
import {
  list, obj, str, toAction, toCompliance, toDecisionFromEvent, toEvent, toHeader, toIssue, toMemberLoad, toSeries, toTask, toViolation,
} from '../adapters/wire.js';
import { slasAtRisk } from '../adapters/sla.js';

export interface HttpSourceOptions {
  readonly client: ApiClient;
  readonly baseUrl: string;
  readonly token: string | null;
  readonly clock?: () => number;
  /** Events to show on start, read before the stream opens. */
  readonly backlog?: number;
}

/** The series the metrics panel shows when the daemon does not list its own. */
export const KEY_SERIES = ['api_latency_p99', 'error_rate', 'cpu_usage', 'queue_depth'];


function unavailableOr(err: unknown): never {
  if (err instanceof AppError) {
    if (err.kind === 'not_found' && /no route/i.test(err.message)) throw new PanelUnavailable('no endpoint on this daemon yet');
    if (err.kind === 'forbidden') throw new PanelUnavailable('your role may not read this');
  }
  throw err;
}

/** Where the full record behind a row lives. */
export function detailsPath(section: string, key: string, item: Record<string, unknown>): string | null {
  const id = encodeURIComponent(key);
  switch (section) {
    case 'tasks': return `/v1/tasks/${id}`;
    case 'decisions': return `/v1/tasks/${encodeURIComponent(String(item.taskId ?? key))}`;
    case 'actions': return `/v1/healing/actions/${id}`;
    case 'issues': return `/v1/healing/issues/${id}`;
    case 'violations': return `/v1/compliance/violations/${id}`;
    case 'slas': return `/v1/tasks/${encodeURIComponent(key.split(':')[0] ?? key)}`;
    case 'members': return `/v1/workload/members/${id}`;
    default: return null;
  }
}

export function createHttpSource(opts: HttpSourceOptions): DashboardSource {
  const { client } = opts;
  const clock = opts.clock ?? Date.now;
  const get = (path: string, query?: Record<string, string | number>) => client.get<unknown>(path, query).catch(unavailableOr);

  // Three panels read the task list (tasks, decision titles, SLA clocks); loads that start together
  // (at start, or after one task event) share one request. Never one sent before the latest event:
  // a reload that event asked for must see what it changed (a task created just after another panel's
  // reload began would otherwise stay missing until the next event).
  let eventsSeen = 0;
  let tasksRead: { at: number; events: number; pending: Promise<unknown[]> } | null = null;
  const openTasks = (): Promise<unknown[]> => {
    const now = performance.now();
    if (tasksRead && tasksRead.events === eventsSeen && now - tasksRead.at < 500) return tasksRead.pending;
    const pending = get('/v1/tasks', { limit: 200 }).then((r) => list(r, 'tasks'));
    tasksRead = { at: now, events: eventsSeen, pending };
    return pending;
  };

  const loaders: { [K in PanelKey]: () => Promise<PanelData[K]> } = {
    tasks: async () => (await openTasks()).map((t) => toTask(t, clock())),
    // Decisions are read from the task.routed events (the daemon keeps one per routed task).
    decisions: async () => {
      const [events, tasks] = await Promise.all([get('/v1/events/recent', { types: 'task.routed', limit: 50 }), openTasks()]);
      const titles = new Map(tasks.map((t) => [str(obj(t), 'id') ?? '', str(obj(t), 'title') ?? '']));
      return list(events, 'events')
        .map((e) => toDecisionFromEvent(e, titles, clock()))
        .reverse();
    },
    issues: async () => list(await get('/v1/healing/issues'), 'issues').map((i) => toIssue(i, clock())),
    actions: async () => list(await get('/v1/healing/actions'), 'actions').map((a) => toAction(a, clock())),
    compliance: async () => {
      const [score, violations, rules, tasks] = await Promise.all([
        get('/v1/compliance/score'),
        get('/v1/compliance/violations', { limit: 500 }),
        get('/v1/compliance/rules').catch(() => []),
        openTasks().catch(() => []),
      ]);
      const now = clock();
      const vs = list(violations, 'violations').map((v) => toViolation(v, now));
      return toCompliance(score, vs, slasAtRisk(list(rules, 'rules'), tasks, vs, now));
    },
    workload: async () => list(await get('/v1/workload'), 'members', 'snapshots').map(toMemberLoad),
    metrics: async () => {
      const listed = list(await get('/v1/metrics'), 'metrics', 'series', 'names')
        .map((n) => (typeof n === 'string' ? n : str(obj(n), 'name') ?? ''))
        .filter(Boolean);
      const chosen = [...KEY_SERIES.filter((k) => listed.includes(k)), ...listed.filter((n) => !KEY_SERIES.includes(n))].slice(0, 8);
      return Promise.all(
        chosen.map((name) =>
          get('/v1/metrics/query', { name, since: '6h', bucket: '10m' }).then((r) => toSeries(name, r), () => toSeries(name, [])),
        ),
      );
    },
  };

  return {
    async describe() {
      return toHeader(await client.get('/v1/status'), opts.baseUrl);
    },
    load(panel) {
      return loaders[panel]();
    },
    subscribe(handlers) {
      let stop: (() => void) | null = null;
      let cancelled = false;
      const backlog = opts.backlog ?? 100;
      // Show recent history at once, then follow from the newest event shown.
      client
        .get('/v1/events/recent', { limit: backlog })
        .then((r) => list(r, 'events'), () => [])
        .then((recent) => {
          if (cancelled) return;
          const events = recent.map((e) => toEvent(e, clock())).sort((a, b) => Number(a.id) - Number(b.id));
          eventsSeen += events.length;
          for (const e of events) handlers.onEvent(e);
          stop = openEventStream({
            url: `${opts.baseUrl}/v1/events`,
            token: opts.token,
            afterId: events.length > 0 ? events[events.length - 1]!.id : undefined,
            onState: handlers.onState,
            onEvent: (raw) => {
              let parsed: unknown = {};
              try {
                parsed = JSON.parse(raw.data);
              } catch {
                parsed = { data: raw.data };
              }
              const e = toEvent({ id: raw.id, type: raw.type, ...obj(parsed) }, clock());
              eventsSeen++;
              handlers.onEvent(e);
            },
          });
        });
      return () => {
        cancelled = true;
        stop?.();
      };
    },
    async approveAction(id) {
      const r = obj(await client.post(`/v1/healing/actions/${encodeURIComponent(id)}/approve`, {}));
      return { id: str(r, 'id') ?? id, status: str(r, 'status') ?? 'approved' };
    },
    async rejectAction(id, reason) {
      const r = obj(await client.post(`/v1/healing/actions/${encodeURIComponent(id)}/reject`, { reason }));
      return { id: str(r, 'id') ?? id, status: str(r, 'status') ?? 'rejected' };
    },
    async details(section, key, item) {
      const path = detailsPath(section, key, obj(item));
      return path ? obj(await client.get(path)) : undefined;
    },
    async ask(text, sessionId, onText) {
      try {
        return await askStreaming(opts.baseUrl, opts.token, text, sessionId, onText ?? (() => undefined));
      } catch (err) {
        return unavailableOr(err);
      }
    },
  };
}
