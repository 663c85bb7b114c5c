// The one door through which the dashboard reaches the daemon. Hooks call it; components never do.
// The HTTP implementation lives in tui/hooks/http-source.ts, the fixture one in tui/fixtures/.
import type { ConnectionState, EventVM, HeaderVM, PanelData, PanelKey } from './model.js';
import { PANEL_KEYS } from './model.js';

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

/**
 * Starts loading every panel now (while Ink and React are still being imported) and hands those
 * first results to the dashboard's first loads; later loads go to the source as usual.
 */
export function withPrefetch(source: DashboardSource, panels: readonly PanelKey[]): DashboardSource {
  const early = new Map<PanelKey, Promise<unknown>>();
  for (const p of panels) {
    const pending = source.load(p);
    pending.catch(() => undefined); // observed later by the dashboard; never an unhandled rejection
    early.set(p, pending);
  }
  return {
    ...source,
    load<K extends PanelKey>(panel: K): Promise<PanelData[K]> {
      const first = early.get(panel);
      if (first) {
        early.delete(panel);
        return first as Promise<PanelData[K]>;
      }
      return source.load(panel);
    },
  };
}
