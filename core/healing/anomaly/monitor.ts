import { seriesKey, type MetricPoint } from '../../metrics/model.js';
import type { Clock, Store } from '../../ports.js';
import type { IssueChange, IssueEngine } from '../issues-engine.js';
import { issueFingerprint, type IssueSignal } from '../issues.js';
import { DEFAULT_DETECTOR_CONFIG, StreamingDetector, type DetectorConfig, type DetectorSnapshot } from './detector.js';
import { DEFAULT_ALERT_THRESHOLD } from './threshold.js';

export interface AnomalyMonitorDeps {
  store: Pick<Store, 'healing' | 'transaction'>;
  clock: Clock;
  issues: IssueEngine;
  threshold?: number;
  config?: DetectorConfig;
  /** Consecutive normal points after which an anomaly issue of the series resolves. */
  quietPoints?: number;
  /** Series not watched (their own engine raises issues, e.g. health_check_up). */
  ignore?: (name: string) => boolean;
  /** Series saved per transaction by persist() (default PERSIST_SLICE). */
  persistSlice?: number;
}

/** About 1 ms per slice: a snapshot is ~46 kB of JSON and costs ~0.27 ms to serialise and write. */
const PERSIST_SLICE = 4;

interface Watched {
  det: StreamingDetector;
  dirty: boolean;
  /** Normal points since the last anomaly, while one is open. */
  quiet: number;
  alarmed: boolean;
}

export interface ObserveResult {
  scored: number;
  anomalies: number;
}

/**
 * Runs one streaming detector per series (organization + name + tags). Detector state is loaded from
 * the store on first sight of a series and saved by `persist()` (periodically and at shutdown), so a
 * restart resumes where the daemon stopped. A score at or above the threshold raises an `anomaly`
 * issue; the issue resolves after `quietPoints` normal points in a row.
 */
export class AnomalyMonitor {
  private readonly watched = new Map<string, Watched>();
  private readonly loading = new Map<string, Promise<Watched>>();
  readonly threshold: number;

  constructor(private readonly deps: AnomalyMonitorDeps) {
    this.threshold = deps.threshold ?? DEFAULT_ALERT_THRESHOLD;
  }

  /** Feeds points in arrival order (sorted by time within each series) and raises/clears issues. */
  async observe(orgId: string, points: readonly MetricPoint[]): Promise<ObserveResult> {
    const bySeries = new Map<string, MetricPoint[]>();
    for (const p of points) {
      if (this.deps.ignore?.(p.name)) continue;
      const key = seriesKey(p.name, p.tags);
      let list = bySeries.get(key);
      if (!list) bySeries.set(key, (list = []));
      list.push(p);
    }
    const changes: IssueChange[] = [];
    let scored = 0;
    let anomalies = 0;
    const quietPoints = this.deps.quietPoints ?? 60;
    for (const [key, list] of bySeries) {
      const w = await this.get(orgId, key);
      let sorted = true;
      for (let i = 1; i < list.length && sorted; i++) sorted = list[i - 1]!.at <= list[i]!.at;
      if (!sorted) list.sort((a, b) => a.at - b.at);
      for (const p of list) {
        const score = w.det.update(p.value);
        scored++;
        if (score >= this.threshold) {
          // in order, so a batch that holds an anomaly, a quiet spell and another anomaly tells it right
          anomalies++;
          w.quiet = 0;
          w.alarmed = true;
          changes.push({ kind: 'firing', signal: anomalySignal(p, score) });
        } else if (w.alarmed && ++w.quiet >= quietPoints) {
          w.alarmed = false;
          changes.push({ kind: 'resolved', fingerprint: anomalyFingerprint(p), at: p.at, resolution: 'anomaly_cleared' });
        }
      }
      w.dirty = true;
    }
    if (changes.length > 0) await this.deps.issues.ingest(orgId, changes);
    return { scored, anomalies };
  }

  /**
   * Saves the state of every series that changed since the last call, a few series per transaction
   * with a turn of the event loop between them: a detector's snapshot is a few kB of JSON, and
   * serialising every series in one go stalled requests for tens of milliseconds once a minute. A
   * series that takes a point after its slice is written stays dirty for the next call.
   */
  async persist(): Promise<number> {
    const dirty = [...this.watched.entries()].filter(([, w]) => w.dirty);
    const now = this.deps.clock.now();
    const slice = this.deps.persistSlice ?? PERSIST_SLICE;
    for (let i = 0; i < dirty.length; i += slice) {
      if (i > 0) await new Promise<void>((resolve) => setImmediate(resolve));
      const rows = dirty.slice(i, i + slice).map(([k, w]) => {
        w.dirty = false;
        return { key: splitKey(k), state: JSON.stringify({ alarmed: w.alarmed, quiet: w.quiet, det: w.det.snapshot() }) };
      });
      await this.deps.store.transaction(async (tx) => {
        for (const r of rows) await tx.healing.putDetectorState(r.key[0], r.key[1], r.state, now);
      });
    }
    return dirty.length;
  }

  /** Number of series in memory. */
  get size(): number {
    return this.watched.size;
  }

  private async get(orgId: string, series: string): Promise<Watched> {
    const k = `${orgId}\u0000${series}`;
    const w = this.watched.get(k);
    if (w) return w;
    let p = this.loading.get(k);
    if (!p) {
      p = this.load(orgId, series).then((loaded) => {
        this.watched.set(k, loaded);
        this.loading.delete(k);
        return loaded;
      });
      this.loading.set(k, p);
    }
    return p;
  }

  private async load(orgId: string, series: string): Promise<Watched> {
    const cfg = this.deps.config ?? DEFAULT_DETECTOR_CONFIG;
    const text = await this.deps.store.healing.getDetectorState(orgId, series);
    if (text) {
      try {
        const saved = JSON.parse(text) as { alarmed: boolean; quiet: number; det: DetectorSnapshot };
        return { det: new StreamingDetector(cfg, saved.det), dirty: false, quiet: saved.quiet, alarmed: saved.alarmed };
      } catch {
        // an unreadable state starts the series afresh
      }
    }
    return { det: new StreamingDetector(cfg), dirty: false, quiet: 0, alarmed: false };
  }
}

function splitKey(k: string): [string, string] {
  const i = k.indexOf('\u0000');
  return [k.slice(0, i), k.slice(i + 1)];
}

function anomalyLabels(p: MetricPoint): Record<string, string> {
  return { ...p.tags, metric: p.name };
}

export function anomalyFingerprint(p: MetricPoint): string {
  return issueFingerprint('anomaly', anomalyLabels(p));
}

function anomalySignal(p: MetricPoint, score: number): IssueSignal {
  return {
    source: 'anomaly',
    severity: score >= 0.999 ? 'high' : 'medium',
    title: `anomaly in ${seriesKey(p.name, p.tags)}`,
    description: `value ${p.value} scored ${score.toFixed(3)}`,
    labels: anomalyLabels(p),
    metric: p.name,
    value: p.value,
    score,
    at: p.at,
  };
}
