import { normalTail } from './stats.js';

/**
 * A streaming anomaly detector: one instance per series, O(1) work per point, and a plain-JSON
 * snapshot so the daemon can persist it and resume after a restart. The score of a point uses only
 * that point and the ones before it.
 *
 * Raw evidence per point comes from two places:
 *  - context novelty (the idea behind contextOSE, and what HTM's prediction error measures): the value
 *    is quantised against the range seen so far and, with the few values before it, forms a context.
 *    Several context models (coarse/fine, short/long) vote; the share that never saw their context is
 *    the novelty;
 *  - robust surprise: distance from exponentially weighted means at several time scales, in units of
 *    their exponentially weighted absolute deviation.
 * The raw evidence becomes an anomaly likelihood as in NAB's AnomalyLikelihood: how far the recent
 * mean raw score lies in the Gaussian tail of its own long history. A value outside the range ever seen
 * (plus a tolerance) scores 1 outright. After an alarm, further alarms are held just below the alarm
 * level for a while: one detection per incident is what an operator (and NAB) wants.
 */
export interface DetectorConfig {
  /** Points before any score above 0. */
  warmup: number;
  /** Context models: [quantisation levels across the range seen so far, context length]. */
  contexts: Array<[number, number]>;
  /** A context model forgets everything once it holds this many contexts (bounds memory and snapshots). */
  maxContexts: number;
  alphas: number[];
  zCap: number;
  /** Weight of robust surprise against context novelty in the raw score. */
  zWeight: number;
  spatialTolerance: number;
  historySize: number;
  shortWindow: number;
  minStd: number;
  alarmLevel: number;
  /** Points after an alarm during which further alarms are held below alarmLevel. */
  suppress: number;
}

export const DEFAULT_DETECTOR_CONFIG: DetectorConfig = {
  warmup: 600,
  contexts: [
    [12, 4],
    [8, 3],
    [16, 2],
    [6, 6],
  ],
  maxContexts: 50_000,
  alphas: [0.1, 0.02, 0.004],
  zCap: 4,
  zWeight: 0.5,
  spatialTolerance: 0.05,
  historySize: 2000,
  shortWindow: 10,
  minStd: 0.03,
  alarmLevel: 0.3,
  suppress: 150,
};

export interface DetectorSnapshot {
  v: 3;
  n: number;
  min: number | null;
  max: number | null;
  mean: number[];
  dev: number[];
  hist: number[];
  histPos: number;
  histSum: number;
  histSumSq: number;
  recent: number[];
  recentPos: number;
  recentSum: number;
  ctx: number[][];
  seen: number[][];
  sinceAlarm: number;
}

const LOG_FLOOR = Math.log(1e-10);

export class StreamingDetector {
  private n = 0;
  private min = Infinity;
  private max = -Infinity;
  private readonly mean: Float64Array;
  private readonly dev: Float64Array;
  private readonly hist: Float64Array;
  private histPos = 0;
  private histSum = 0;
  private histSumSq = 0;
  private readonly recent: Float64Array;
  private recentPos = 0;
  private recentSum = 0;
  private readonly ctx: Int32Array[];
  private readonly seen: Set<number>[];
  private sinceAlarm = 1e9;

  constructor(
    private readonly cfg: DetectorConfig = DEFAULT_DETECTOR_CONFIG,
    snapshot?: DetectorSnapshot,
  ) {
    this.mean = new Float64Array(cfg.alphas.length);
    this.dev = new Float64Array(cfg.alphas.length);
    this.hist = new Float64Array(cfg.historySize);
    this.recent = new Float64Array(cfg.shortWindow);
    this.ctx = cfg.contexts.map(([, len]) => new Int32Array(len).fill(-1));
    this.seen = cfg.contexts.map(() => new Set<number>());
    if (snapshot) this.restore(snapshot);
  }

  /** Feed one value; returns its anomaly score in [0,1]. Non-finite values score 0 and are skipped. */
  update(x: number): number {
    if (!Number.isFinite(x)) return 0;
    const cfg = this.cfg;
    const n = this.n;
    let spatial = false;
    if (n === 0) {
      this.min = x;
      this.max = x;
      this.mean.fill(x);
    } else if (n >= cfg.warmup) {
      const range = this.max - this.min;
      const tol = cfg.spatialTolerance * (range > 0 ? range : Math.abs(x) + 1e-9);
      spatial = x > this.max + tol || x < this.min - tol;
    }
    const range = this.max - this.min;
    const zScore = this.surprise(x, range > 0 ? range : Math.abs(x) > 0 ? Math.abs(x) : 1);
    const novelty = this.novelty(range > 0 ? (x - this.min) / range : 0);
    if (x < this.min) this.min = x;
    if (x > this.max) this.max = x;

    const raw = cfg.zWeight * zScore + (1 - cfg.zWeight) * novelty;
    const recentMean = this.pushRecent(raw);
    const likelihood = this.likelihood(recentMean);
    this.pushHistory(recentMean);
    this.n = n + 1;

    if (n < cfg.warmup) return 0;
    let score = spatial ? 1 : Math.min(1, Math.log(1.0000000001 - likelihood) / LOG_FLOOR);
    if (!(score > 0)) score = 0;
    if (score >= cfg.alarmLevel) {
      if (this.sinceAlarm < cfg.suppress) score = cfg.alarmLevel * 0.99;
      else this.sinceAlarm = 0;
    }
    this.sinceAlarm++;
    return score;
  }

  /** Points seen so far. */
  get count(): number {
    return this.n;
  }

  private surprise(x: number, scale: number): number {
    const cfg = this.cfg;
    let z = 0;
    const floor = scale * 1e-3;
    for (let i = 0; i < this.mean.length; i++) {
      const d = Math.abs(x - this.mean[i]!);
      const zi = d / (this.dev[i]! + floor);
      if (zi > z) z = zi;
      const a = cfg.alphas[i]!;
      this.mean[i] = this.mean[i]! + a * (x - this.mean[i]!);
      this.dev[i] = this.dev[i]! + a * (d - this.dev[i]!);
    }
    return z >= cfg.zCap ? 1 : z / cfg.zCap;
  }

  /** u is the value's position in the range seen so far (0..1, outside when it breaks the range). */
  private novelty(u: number): number {
    const models = this.cfg.contexts;
    let novel = 0;
    for (let m = 0; m < models.length; m++) {
      const levels = models[m]![0];
      let q = Math.floor(u * levels);
      if (q < 0) q = 0;
      else if (q >= levels) q = levels - 1;
      const ctx = this.ctx[m]!;
      let key = q;
      for (let i = 0; i < ctx.length; i++) key = key * (levels + 1) + (ctx[i]! + 1);
      for (let i = ctx.length - 1; i > 0; i--) ctx[i] = ctx[i - 1]!;
      if (ctx.length > 0) ctx[0] = q;
      const seen = this.seen[m]!;
      if (!seen.has(key)) {
        if (seen.size >= this.cfg.maxContexts) seen.clear();
        seen.add(key);
        novel++;
      }
    }
    return models.length > 0 ? novel / models.length : 0;
  }

  private pushRecent(raw: number): number {
    this.recentSum += raw - this.recent[this.recentPos]!;
    this.recent[this.recentPos] = raw;
    this.recentPos = (this.recentPos + 1) % this.recent.length;
    return this.recentSum / Math.min(this.n + 1, this.recent.length);
  }

  private likelihood(recentMean: number): number {
    const count = Math.min(this.n, this.hist.length);
    if (count <= 10) return 0.5;
    const m = this.histSum / count;
    const v = Math.max(0, this.histSumSq / count - m * m);
    return 1 - normalTail(recentMean, m, Math.max(Math.sqrt(v), this.cfg.minStd));
  }

  private pushHistory(value: number): void {
    const H = this.hist.length;
    const old = this.hist[this.histPos]!;
    this.histSum += value - old;
    this.histSumSq += value * value - old * old;
    this.hist[this.histPos] = value;
    this.histPos++;
    if (this.histPos === H) {
      this.histPos = 0;
      // re-sum once per lap so rounding drift never accumulates
      let s = 0;
      let s2 = 0;
      for (let i = 0; i < H; i++) {
        s += this.hist[i]!;
        s2 += this.hist[i]! * this.hist[i]!;
      }
      this.histSum = s;
      this.histSumSq = s2;
    }
  }

  snapshot(): DetectorSnapshot {
    return {
      v: 3,
      n: this.n,
      min: Number.isFinite(this.min) ? this.min : null,
      max: Number.isFinite(this.max) ? this.max : null,
      mean: Array.from(this.mean),
      dev: Array.from(this.dev),
      hist: Array.from(this.hist),
      histPos: this.histPos,
      histSum: this.histSum,
      histSumSq: this.histSumSq,
      recent: Array.from(this.recent),
      recentPos: this.recentPos,
      recentSum: this.recentSum,
      ctx: this.ctx.map((c) => Array.from(c)),
      seen: this.seen.map((s) => Array.from(s)),
      sinceAlarm: this.sinceAlarm,
    };
  }

  private restore(s: DetectorSnapshot): void {
    const cfg = this.cfg;
    const fits =
      s.v === 3 &&
      s.mean.length === cfg.alphas.length &&
      s.hist.length === cfg.historySize &&
      s.recent.length === cfg.shortWindow &&
      s.ctx.length === cfg.contexts.length &&
      s.ctx.every((c, i) => c.length === cfg.contexts[i]![1]);
    // a snapshot from another configuration starts afresh rather than being misread
    if (!fits) return;
    this.n = s.n;
    this.min = s.min ?? Infinity;
    this.max = s.max ?? -Infinity;
    this.mean.set(s.mean);
    this.dev.set(s.dev);
    this.hist.set(s.hist);
    this.histPos = s.histPos;
    this.recent.set(s.recent);
    this.recentPos = s.recentPos;
    s.ctx.forEach((c, i) => this.ctx[i]!.set(c));
    s.seen.forEach((keys, i) => keys.forEach((k) => this.seen[i]!.add(k)));
    this.sinceAlarm = s.sinceAlarm;
    // the running sums travel as they are: recomputing them would round differently
    this.histSum = s.histSum;
    this.histSumSq = s.histSumSq;
    this.recentSum = s.recentSum;
  }
}
