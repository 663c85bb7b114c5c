import { normalTail } from './stats.js';

/**
 * A streaming anomaly detector: one instance per series, O(1) work per point, and a plain-JSON
 * snapshot so the daemon can persist it and resume after a restart. The score of a point uses only
 * that point and the ones before it.
 *
 * Raw evidence per point comes from two places:
 *  - context novelty (the idea behind contextOSE and HTM's prediction error): the value is quantised on
 *    a grid fixed early in the stream, and the last few quantised values form a context; the raw score
 *    is the share of context models (several resolutions and lengths) that never saw this context;
 *  - robust surprise: distance from exponentially weighted means at several time scales, in units of
 *    their exponentially weighted absolute deviation.
 * Raw evidence is turned into an anomaly likelihood as NAB's AnomalyLikelihood does: how far the
 * recent mean raw score lies in the Gaussian tail of its own long history. A value outside the range
 * ever seen (plus a tolerance) scores 1 outright. After an alarm, later alarms are held below the
 * alarm level for a while: one detection per incident is what an operator (and NAB) wants.
 */
export interface DetectorConfig {
  /** Points before any score above 0. */
  warmup: number;
  /** The quantisation grid is fixed from the range seen in the first `gridAt` points. */
  gridAt: number;
  /**
   * Context models: [levels across the grid range, context length, block]. A model with block B
   * works on means of B consecutive points, so it remembers shapes B times longer (a missing daily
   * peak, a flat stretch); its verdict holds for the B points of the next block.
   */
  contexts: Array<[number, number, number]>;
  alphas: number[];
  zCap: number;
  zWeight: number;
  spatialTolerance: number;
  historySize: number;
  shortWindow: number;
  minStd: number;
  meanFloor: number;
  alarmLevel: number;
  suppress: number;
}

export const DEFAULT_DETECTOR_CONFIG: DetectorConfig = {
  warmup: 150,
  gridAt: 100,
  contexts: [
    [8, 3, 1],
    [12, 4, 1],
    [16, 2, 1],
  ],
  alphas: [0.1, 0.02, 0.004],
  zCap: 6,
  zWeight: 0.3,
  spatialTolerance: 0.05,
  historySize: 2000,
  shortWindow: 10,
  minStd: 0.02,
  meanFloor: 0,
  alarmLevel: 0.3,
  suppress: 400,
};

export interface DetectorSnapshot {
  v: 2;
  n: number;
  min: number;
  max: number;
  gridMin: number;
  gridWidth: number;
  mean: number[];
  dev: number[];
  hist: number[];
  histPos: number;
  recent: number[];
  recentPos: number;
  ctx: number[][];
  seen: number[][];
  blockSum: number[];
  blockNovelty: number[];
  sinceAlarm: number;
}

const LOG_FLOOR = Math.log(1e-10);

export class StreamingDetector {
  private n = 0;
  private min = Infinity;
  private max = -Infinity;
  private gridMin = 0;
  private gridWidth = 0;
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
  private readonly blockSum: Float64Array;
  private readonly blockNovelty: Float64Array;
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
    this.blockSum = new Float64Array(cfg.contexts.length);
    this.blockNovelty = new Float64Array(cfg.contexts.length);
    if (snapshot) this.restore(snapshot);
  }

  /** Feed one value; returns its anomaly score in [0,1]. */
  update(x: number): number {
    const cfg = this.cfg;
    const n = this.n;
    if (!Number.isFinite(x)) return 0;
    let spatial = false;
    if (n === 0) {
      this.min = x;
      this.max = x;
      for (let i = 0; i < this.mean.length; i++) this.mean[i] = x;
    } else {
      const range = this.max - this.min;
      const tol = cfg.spatialTolerance * (range > 0 ? range : Math.abs(x) + 1e-9);
      spatial = n >= cfg.warmup && (x > this.max + tol || x < this.min - tol);
    }
    const range0 = this.max - this.min;
    const scale = range0 > 0 ? range0 : Math.abs(x) > 0 ? Math.abs(x) : 1;

    // robust surprise over several time scales
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
    const zScore = z >= cfg.zCap ? 1 : z / cfg.zCap;

    if (x < this.min) this.min = x;
    if (x > this.max) this.max = x;
    if (n + 1 === cfg.gridAt) this.fixGrid();

    // context novelty: share of context models that never saw this context
    let novelty = 0;
    if (this.gridWidth > 0) {
      for (let m = 0; m < this.ctx.length; m++) {
        const spec = cfg.contexts[m]!;
        const block = spec[2];
        let v = x;
        if (block > 1) {
          this.blockSum[m] = this.blockSum[m]! + x;
          if ((n + 1) % block !== 0) {
            novelty += this.blockNovelty[m]!;
            continue;
          }
          v = this.blockSum[m]! / block;
          this.blockSum[m] = 0;
        }
        const levels = spec[0];
        let q = Math.floor(((v - this.gridMin) / this.gridWidth) * levels);
        // values far outside the grid share the edge symbols; the spatial test covers them
        if (q < -levels) q = -levels;
        else if (q >= 2 * levels) q = 2 * levels - 1;
        q += levels;
        const base = 3 * levels + 1;
        const ctx = this.ctx[m]!;
        let key = q;
        for (let i = 0; i < ctx.length; i++) key = key * base + (ctx[i]! + 1);
        for (let i = ctx.length - 1; i > 0; i--) ctx[i] = ctx[i - 1]!;
        if (ctx.length > 0) ctx[0] = q;
        const seen = this.seen[m]!;
        let nov = 0;
        if (!seen.has(key)) {
          seen.add(key);
          nov = 1;
        }
        this.blockNovelty[m] = nov;
        novelty += nov;
      }
      novelty /= this.ctx.length;
    }

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

  private fixGrid(): void {
    const range = this.max - this.min;
    this.gridMin = this.min;
    this.gridWidth = range > 0 ? range : Math.abs(this.min) > 0 ? Math.abs(this.min) : 1;
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
    const m = Math.max(this.histSum / count, this.cfg.meanFloor);
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

  /** Points seen so far. */
  get count(): number {
    return this.n;
  }

  snapshot(): DetectorSnapshot {
    return {
      v: 2,
      n: this.n,
      min: this.min,
      max: this.max,
      gridMin: this.gridMin,
      gridWidth: this.gridWidth,
      mean: Array.from(this.mean),
      dev: Array.from(this.dev),
      hist: Array.from(this.hist),
      histPos: this.histPos,
      recent: Array.from(this.recent),
      recentPos: this.recentPos,
      ctx: this.ctx.map((c) => Array.from(c)),
      seen: this.seen.map((s) => Array.from(s)),
      blockSum: Array.from(this.blockSum),
      blockNovelty: Array.from(this.blockNovelty),
      sinceAlarm: this.sinceAlarm,
    };
  }

  private restore(s: DetectorSnapshot): void {
    const cfg = this.cfg;
    if (
      s.v !== 2 ||
      s.mean.length !== cfg.alphas.length ||
      s.hist.length !== cfg.historySize ||
      s.recent.length !== cfg.shortWindow ||
      s.ctx.length !== cfg.contexts.length
    ) {
      return; // a snapshot from another configuration: start afresh rather than misread it
    }
    this.n = s.n;
    this.min = s.min ?? Infinity;
    this.max = s.max ?? -Infinity;
    this.gridMin = s.gridMin;
    this.gridWidth = s.gridWidth;
    this.mean.set(s.mean);
    this.dev.set(s.dev);
    this.hist.set(s.hist);
    this.histPos = s.histPos;
    this.recent.set(s.recent);
    this.recentPos = s.recentPos;
    s.ctx.forEach((c, i) => this.ctx[i]!.set(c));
    s.seen.forEach((keys, i) => keys.forEach((k) => this.seen[i]!.add(k)));
    this.blockSum.set(s.blockSum);
    this.blockNovelty.set(s.blockNovelty);
    this.sinceAlarm = s.sinceAlarm;
    let sum = 0;
    let sq = 0;
    for (const v of this.hist) {
      sum += v;
      sq += v * v;
    }
    this.histSum = sum;
    this.histSumSq = sq;
    this.recentSum = this.recent.reduce((a, b) => a + b, 0);
  }
}
