import { useEffect, useState } from 'react';
import type { Loadable } from '../model.js';
import type { DashboardSource } from '../source.js';

export interface DetailsTarget {
  readonly section: string;
  readonly key: string;
  readonly item: object | undefined;
}

/** Loads the full record behind the row whose details are open; the row itself shows meanwhile. */
export function useDetails(source: DashboardSource, target: DetailsTarget | null): Loadable<object> | null {
  const [full, setFull] = useState<Loadable<object> | null>(null);
  const section = target?.section;
  const key = target?.key;
  const item = target?.item;
  useEffect(() => {
    setFull(null);
    if (!section || !key || !item || !source.details) return;
    let live = true;
    setFull({ status: 'loading' });
    source.details(section, key, item).then(
      (r) => live && setFull(r ? { status: 'ready', data: r } : null),
      (err: unknown) => live && setFull({ status: 'error', message: err instanceof Error ? err.message : String(err) }),
    );
    return () => {
      live = false;
    };
    // The item object changes on every reload; the record to show is named by section and key.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [source, section, key]);
  return full;
}
