import React, { useCallback, useEffect, useMemo, useReducer, useRef } from 'react';
import { useApp } from 'ink';
import type { HeaderVM } from './model.js';
import type { DashboardSource } from './source.js';
import { Dashboard } from './components/dashboard.js';
import { useDashboardData, type DataOptions } from './hooks/use-dashboard-data.js';
import { useTerminalSize } from './hooks/use-terminal-size.js';
import { useClock } from './hooks/use-clock.js';
import { useKeys } from './hooks/use-keys.js';
import { useDetails } from './hooks/use-details.js';
import { initialUi, reduce, topScreen, type Effect, type Msg, type UiState, type ViewContext } from './state/ui.js';
import { buildScreen, type Size } from './state/screen.js';
import type { ViewName } from './views/registry.js';

export interface AppProps {
  readonly source: DashboardSource;
  readonly clock?: () => number;
  readonly initialView?: ViewName;
  /** Fixed size instead of the terminal's (tests). */
  readonly size?: Size;
  readonly header?: HeaderVM;
  readonly dataOptions?: DataOptions;
  readonly onQuit?: () => void;
  /** Called once, after the first frame in which every panel has its data (or knows it has none). */
  readonly onFullPaint?: () => void;
}

interface Latest {
  ui: UiState;
  ctx: ViewContext;
  rebuild: (ui: UiState) => ViewContext;
}

/** The container: wires hooks (data, size, keys) to the pure reducer and the presentational Dashboard. */
export function App({ source, clock = Date.now, initialView, size: fixedSize, header, dataOptions, onQuit, onFullPaint }: AppProps): React.JSX.Element {
  const app = useApp();
  const termSize = useTerminalSize();
  const size = fixedSize ?? termSize;
  const now = useClock(clock, 15_000);
  const options = useMemo(() => ({ ...dataOptions, header }), [dataOptions, header]);
  const { data, approve, reject, ask, refresh } = useDashboardData(source, options);

  // The reducer needs the view context of the frame the user is looking at; keep it in a ref so
  // key handling never waits for a render.
  const ref = useRef<Latest>({ ui: initialUi(initialView), ctx: { sections: [], page: 1 }, rebuild: (): ViewContext => ({ sections: [], page: 1 }) });
  const [, bump] = useReducer((n: number) => n + 1, 0);

  const screen = buildScreen(data, ref.current.ui, now, size);
  ref.current.ctx = screen.ctx;
  ref.current.rebuild = (u: UiState): ViewContext => buildScreen(data, u, now, size).ctx;

  const dispatch = useCallback((msg: Msg): Effect | undefined => {
    const step = reduce(ref.current.ui, msg, ref.current.ctx);
    if (step.state !== ref.current.ui) {
      ref.current.ui = step.state;
      // Several keys can arrive in one chunk: the next one must see the view this one opened.
      ref.current.ctx = ref.current.rebuild(step.state);
      bump();
    }
    return step.effect;
  }, []);

  const run = useCallback(
    (effect: Effect) => {
      const done = (text: string) => dispatch({ type: 'flash', flash: { text, tone: 'ok' } });
      const failed = (err: unknown) =>
        dispatch({ type: 'flash', flash: { text: `error: ${err instanceof Error ? err.message : String(err)}`, tone: 'error' } });
      switch (effect.type) {
        case 'quit':
          onQuit?.();
          app.exit();
          return;
        case 'refresh':
          refresh();
          return;
        case 'approve':
          approve(effect.id).then((r) => done(`approved ${r.id}: now ${r.status}`), failed);
          return;
        case 'reject':
          reject(effect.id, effect.reason).then((r) => done(`rejected ${r.id}: now ${r.status}`), failed);
          return;
        case 'ask':
          void ask(effect.text);
          return;
      }
    },
    [app, approve, reject, ask, refresh, dispatch, onQuit],
  );

  useKeys((key) => {
    const effect = dispatch({ type: 'key', key });
    if (effect) run(effect);
  });

  const painted = useRef(false);
  const complete = data.header.org !== '…' && Object.values(data.panels).every((p) => p.status !== 'loading');
  useEffect(() => {
    if (complete && !painted.current) {
      painted.current = true;
      onFullPaint?.();
    }
  }, [complete, onFullPaint]);

  const top = topScreen(ref.current.ui);
  const target = top.kind === 'details'
    ? { section: top.section, key: top.key, item: screen.sections.find((x) => x.id === top.section)?.items.get(top.key) }
    : null;
  const details = useDetails(source, target);

  return <Dashboard data={data} details={details} ui={ref.current.ui} screen={screen} size={size} />;
}
