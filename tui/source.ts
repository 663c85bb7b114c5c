// The one door through which the dashboard reaches the daemon. Hooks call it; components never do.
// The HTTP implementation lives in tui/hooks/http-source.ts, the fixture one in tui/fixtures/.
import type { ConnectionState, EventVM, HeaderVM, Loadable, PanelData, PanelKey, Panels } from './model.js';

/** Thrown by `load` when the daemon has no endpoint for a panel (yet): the panel says "not available". */
export class PanelUnavailable extends Error {
  override readonly name = 'PanelUnavailable';
}

export interface SubscribeHandlers {
  onEvent(event: EventVM): void;
  onState(state: ConnectionState): void;
}

export interface ActionOutcome {
  readonly id: string;
  readonly status: string;
}

export interface ChatReply {
  readonly sessionId: string;
  readonly answer: string;
}

export interface DashboardSource {
  describe(): Promise<HeaderVM>;
  load<K extends PanelKey>(panel: K): Promise<PanelData[K]>;
  /** Live events; resumes after reconnects without losing any. Returns the unsubscribe function. */
  subscribe(handlers: SubscribeHandlers): () => void;
  approveAction(id: string): Promise<ActionOutcome>;
  rejectAction(id: string, reason: string): Promise<ActionOutcome>;
  /** One answer; `onText` receives it in pieces as it is written, when the source can stream. */
  ask(text: string, sessionId: string | null, onText?: (chunk: string) => void): Promise<ChatReply>;
  /** The full record behind a row, for the details screen; undefined when there is nothing more than the row. */
  details?(section: string, key: string, item: object): Promise<object | undefined>;
}

/** Which panels an event invalidates, so the dashboard reloads only those (no polling). */
export function panelsTouchedBy(type: string): readonly PanelKey[] {
  // New and changed tasks start and stop SLA clocks, hence compliance.
  if (type.startsWith('task.')) return ['tasks', 'decisions', 'compliance'];
  if (type.startsWith('routing.') || type.startsWith('decision.')) return ['decisions', 'tasks'];
  if (type.startsWith('issue.')) return ['issues'];
  if (type.startsWith('action.') || type.startsWith('playbook.')) return ['actions', 'issues'];
  if (type.startsWith('violation.') || type.startsWith('sla.') || type.startsWith('compliance.')) return ['compliance'];
  if (type.startsWith('workload.') || type.startsWith('member.')) return ['workload'];
  if (type.startsWith('metric.') || type.startsWith('anomaly.')) return ['metrics'];
  return [];
}

/** What a panel load came to, as the dashboard keeps it. */
export function settle<T>(load: Promise<T>): Promise<Loadable<T>> {
  return load.then(
    (data): Loadable<T> => ({ status: 'ready', data }),
    (err: unknown): Loadable<T> =>
      err instanceof PanelUnavailable
        ? { status: 'unavailable', reason: err.message }
        : { status: 'error', message: err instanceof Error ? err.message : String(err) },
  );
}

/**
 * Loads every panel at once (while Ink and React are still being imported) and returns those that
 * settled within `withinMs`, so the dashboard's first frame is already complete; the others the
 * dashboard loads itself.
 */
export async function prefetchPanels(source: DashboardSource, panels: readonly PanelKey[], withinMs: number): Promise<Partial<Panels>> {
  const out: Partial<Record<PanelKey, Loadable<unknown>>> = {};
  const all = Promise.all(panels.map((p) => settle(source.load(p)).then((r) => void (out[p] = r))));
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([all, new Promise<void>((r) => (timer = setTimeout(r, withinMs)))]);
  clearTimeout(timer);
  return { ...out } as Partial<Panels>;
}
