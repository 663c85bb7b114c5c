// Owns everything the dashboard shows: loads panels through the source, follows the live event
// stream, and reloads only the panels an event touches. Every change (events, panel results) goes
// into one pending batch that reaches React at most once per `flushMs`, the first one at once: a burst
// of events costs a few frames per second, not one per event, so keys keep answering.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import {
  PANEL_KEYS, loading,
  type ChatMessageVM, type ConnectionState, type DashboardData, type EventVM, type HeaderVM, type Loadable, type PanelKey, type Panels,
} from '../model.js';
import { panelsTouchedBy, settle, type ActionOutcome, type DashboardSource } from '../source.js';

export interface DataOptions {
  /** Shortest gap between two batches of changes reaching the screen. */
  readonly flushMs?: number;
  /** Shortest gap between two reloads of one panel caused by events. */
  readonly reloadGapMs?: number;
  /** The slow resync of every panel, a safety net behind the event stream. */
  readonly resyncMs?: number;
  /** Events kept for the stream view. */
  readonly keepEvents?: number;
  readonly header?: HeaderVM;
  /** Panels already loaded (prefetched): shown in the first frame and not loaded again at start. */
  readonly initialPanels?: Partial<Panels>;
}

export interface DashboardHandle {
  readonly data: DashboardData;
  refresh(): void;
  approve(id: string): Promise<ActionOutcome>;
  reject(id: string, reason: string): Promise<ActionOutcome>;
  ask(text: string): Promise<void>;
}

const INITIAL_PANELS = Object.fromEntries(PANEL_KEYS.map((k) => [k, loading()])) as unknown as Panels;
const UNKNOWN_HEADER: HeaderVM = { org: '…', url: '…', user: '…', role: '…' };

interface Pending {
  events: EventVM[];
  panels: Map<PanelKey, Loadable<unknown>>;
}

export function useDashboardData(source: DashboardSource, opts: DataOptions = {}): DashboardHandle {
  const flushMs = opts.flushMs ?? 250;
  const reloadGapMs = opts.reloadGapMs ?? 1000;
  const resyncMs = opts.resyncMs ?? 120_000;
  const keep = opts.keepEvents ?? 500;

  const [header, setHeader] = useState<HeaderVM>(opts.header ?? UNKNOWN_HEADER);
  const [connection, setConnection] = useState<ConnectionState>('connecting');
  const initialPanels = useRef(opts.initialPanels);
  const [panels, setPanels] = useState<Panels>(() => ({ ...INITIAL_PANELS, ...opts.initialPanels }));
  const [events, setEvents] = useState<readonly EventVM[]>([]);
  const [chat, setChat] = useState<readonly ChatMessageVM[]>([]);
  const [chatBusy, setChatBusy] = useState(false);

  const alive = useRef(true);
  const timers = useRef(new Set<NodeJS.Timeout>());
  const inFlight = useRef(new Set<PanelKey>());
  const again = useRef(new Set<PanelKey>());
  const lastLoad = useRef(new Map<PanelKey, number>());
  const scheduled = useRef(new Set<PanelKey>());
  const sessionId = useRef<string | null>(null);
  const knownHeader = useRef(opts.header);
  const pending = useRef<Pending>({ events: [], panels: new Map() });
  const flushState = useRef({ scheduled: false, last: -Infinity });

  const later = useCallback((fn: () => void, ms: number) => {
    const t = setTimeout(() => {
      timers.current.delete(t);
      if (alive.current) fn();
    }, ms);
    timers.current.add(t);
  }, []);

  const flush = useCallback(() => {
    flushState.current = { scheduled: false, last: performance.now() };
    const { events: batch, panels: results } = pending.current;
    pending.current = { events: [], panels: new Map() };
    if (batch.length > 0) {
      setEvents((prev) => {
        const seen = new Set(prev.slice(-batch.length - 50).map((e) => e.id));
        const fresh = batch.filter((e) => !seen.has(e.id));
        return fresh.length === 0 ? prev : [...prev, ...fresh].slice(-keep);
      });
    }
    if (results.size > 0) {
      setPanels((p) => {
        const next: Record<string, Loadable<unknown>> = { ...p };
        for (const [k, r] of results) {
          // A transient error must not wipe data the user is looking at.
          if (!(r.status === 'error' && p[k].status === 'ready')) next[k] = r;
        }
        return next as unknown as Panels;
      });
    }
  }, [keep]);

  /** Leading-edge throttle: the first change shows at once, the rest at most once per flushMs. */
  const scheduleFlush = useCallback(() => {
    const f = flushState.current;
    if (f.scheduled) return;
    f.scheduled = true;
    later(flush, Math.max(0, f.last + flushMs - performance.now()));
  }, [later, flush, flushMs]);

  const load = useCallback(
    (panel: PanelKey) => {
      if (inFlight.current.has(panel)) {
        again.current.add(panel);
        return;
      }
      inFlight.current.add(panel);
      lastLoad.current.set(panel, performance.now());
      settle<unknown>(source.load(panel))
        .then((next) => {
          inFlight.current.delete(panel);
          if (!alive.current) return;
          pending.current.panels.set(panel, next);
          scheduleFlush();
          if (again.current.delete(panel)) load(panel);
        });
    },
    [source, scheduleFlush],
  );

  /** Reload soon, but never more often than reloadGapMs per panel. */
  const touch = useCallback(
    (panel: PanelKey) => {
      if (scheduled.current.has(panel)) return;
      scheduled.current.add(panel);
      const since = performance.now() - (lastLoad.current.get(panel) ?? -Infinity);
      later(() => {
        scheduled.current.delete(panel);
        load(panel);
      }, Math.max(0, reloadGapMs - since));
    },
    [later, load, reloadGapMs],
  );

  const refresh = useCallback(() => PANEL_KEYS.forEach((k) => load(k)), [load]);

  useEffect(() => {
    alive.current = true;
    if (!knownHeader.current) {
      source.describe().then((h) => alive.current && setHeader(h), () => undefined);
    }
    const given = initialPanels.current ?? {};
    PANEL_KEYS.filter((k) => !(k in given)).forEach((k) => load(k));
    let previous: ConnectionState = 'connecting';
    const unsubscribe = source.subscribe({
      onEvent(e) {
        const buf = pending.current.events;
        buf.push(e);
        if (buf.length > keep * 2) pending.current.events = buf.slice(-keep);
        scheduleFlush();
        for (const p of panelsTouchedBy(e.type)) touch(p);
      },
      onState(s) {
        if (!alive.current) return;
        setConnection(s);
        // Back from a gap: events were replayed from Last-Event-ID, but reload in case some expired.
        if (s === 'live' && (previous === 'reconnecting' || previous === 'offline')) refresh();
        previous = s;
      },
    });
    const resync = setInterval(refresh, resyncMs);
    resync.unref?.();
    return () => {
      alive.current = false;
      unsubscribe();
      clearInterval(resync);
      for (const t of timers.current) clearTimeout(t);
      timers.current.clear();
    };
  }, [source, refresh, load, scheduleFlush, touch, resyncMs, keep]);

  const approve = useCallback(
    async (id: string) => {
      const r = await source.approveAction(id);
      load('actions');
      load('issues');
      return r;
    },
    [source, load],
  );

  const reject = useCallback(
    async (id: string, reason: string) => {
      const r = await source.rejectAction(id, reason);
      load('actions');
      return r;
    },
    [source, load],
  );

  const ask = useCallback(
    async (text: string) => {
      setChat((c) => [...c, { role: 'user', text }, { role: 'assistant', text: '' }]);
      setChatBusy(true);
      // The answer streams in pieces; the pane is redrawn at most every 100 ms while it does.
      let partial = '';
      let shown = 0;
      const show = (answer: string) =>
        setChat((c) => (c.length > 0 && c[c.length - 1]!.role === 'assistant' ? [...c.slice(0, -1), { role: 'assistant', text: answer }] : [...c, { role: 'assistant', text: answer }]));
      try {
        const reply = await source.ask(text, sessionId.current, (chunk) => {
          partial += chunk;
          if (performance.now() - shown > 100 && alive.current) {
            shown = performance.now();
            show(partial);
          }
        });
        sessionId.current = reply.sessionId;
        if (alive.current) show(reply.answer);
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        if (alive.current) setChat((c) => [...c.filter((m, i) => !(i === c.length - 1 && m.role === 'assistant' && m.text === '')), { role: 'system', text: `error: ${message}` }]);
      } finally {
        if (alive.current) setChatBusy(false);
      }
    },
    [source],
  );

  const data = useMemo<DashboardData>(
    () => ({ header, connection, panels, events, chat, chatBusy }),
    [header, connection, panels, events, chat, chatBusy],
  );
  return { data, refresh, approve, reject, ask };
}
