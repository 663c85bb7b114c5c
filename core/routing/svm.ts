import type { Corpus } from './corpus.js';

/**
 * One-vs-rest linear SVM with squared hinge loss, trained by dual coordinate descent (the liblinear
 * solver: Hsieh et al., ICML 2008). The dual keeps one alpha per (item, class), so items added later
 * are learned by a few coordinate steps on them alone, with no full retrain.
 */
export interface SvmOptions {
  /** regularisation: larger C fits the history more closely */
  c: number;
  epochs: number;
  /** value of the constant bias feature (index 0) */
  bias: number;
  seed: number;
}

export const DEFAULT_SVM: SvmOptions = { c: 1, epochs: 8, bias: 1, seed: 7 };

export class OvrSvm {
  /** class-major weights: w[k] has `dim` entries, index 0 is the bias */
  readonly w: Float32Array[] = [];
  /** alpha[k][i] */
  private readonly alpha: Float32Array[] = [];

  constructor(
    readonly dim: number,
    readonly options: SvmOptions = DEFAULT_SVM,
  ) {}

  get classes(): number {
    return this.w.length;
  }

  addClass(): number {
    this.w.push(new Float32Array(this.dim));
    this.alpha.push(new Float32Array(1024));
    return this.w.length - 1;
  }

  /** Full training over rows [0, corpus.size) from zero. */
  fit(corpus: Corpus): void {
    for (const _ of this.fitSteps(corpus));
  }

  /** The same training, pausing after every epoch of every class so a server can serve meanwhile. */
  async fitAsync(corpus: Corpus, pause: () => Promise<void>): Promise<void> {
    for (const _ of this.fitSteps(corpus)) await pause();
  }

  private *fitSteps(corpus: Corpus): Generator<void> {
    const n = corpus.size;
    for (let k = 0; k < this.classes; k++) {
      this.w[k]!.fill(0);
      this.alpha[k] = new Float32Array(Math.max(1024, n));
    }
    const order = Array.from({ length: n }, (_, i) => i);
    const rand = xorshift(this.options.seed);
    for (let k = 0; k < this.classes; k++) {
      for (let e = 0; e < this.options.epochs; e++) {
        shuffle(order, rand);
        for (const i of order) this.step(corpus, k, i);
        yield;
      }
    }
  }

  /** Learns rows [from, corpus.size) with `passes` coordinate steps each, keeping what was learned before. */
  learn(corpus: Corpus, from: number, passes = 3): void {
    for (let k = 0; k < this.classes; k++) {
      if (this.alpha[k]!.length < corpus.size) {
        const grown = new Float32Array(Math.max(corpus.size, this.alpha[k]!.length * 2));
        grown.set(this.alpha[k]!);
        this.alpha[k] = grown;
      }
      for (let p = 0; p < passes; p++) for (let i = from; i < corpus.size; i++) this.step(corpus, k, i);
    }
  }

  /** Decision values for a sparse query. */
  scores(idx: Int32Array, val: Float32Array): Float64Array {
    const out = new Float64Array(this.classes);
    const b = this.options.bias;
    for (let k = 0; k < this.classes; k++) {
      const w = this.w[k]!;
      let s = w[0]! * b;
      for (let p = 0; p < idx.length; p++) s += w[idx[p]!]! * val[p]!;
      out[k] = s;
    }
    return out;
  }

  private step(corpus: Corpus, k: number, i: number): void {
    const w = this.w[k]!;
    const alpha = this.alpha[k]!;
    const y = corpus.labels[i] === k ? 1 : -1;
    const b = this.options.bias;
    const dii = 0.5 / (this.options.c * corpus.weights[i]!);
    const a = alpha[i]!;
    const g = y * (corpus.dot(i, w) + w[0]! * b) - 1 + dii * a;
    const pg = a === 0 ? Math.min(g, 0) : g;
    if (Math.abs(pg) < 1e-12) return;
    // rows are L2-normalised, so x·x = 1 plus the bias feature
    const qii = 1 + b * b + dii;
    const next = Math.max(a - g / qii, 0);
    const d = (next - a) * y;
    if (d === 0) return;
    alpha[i] = next;
    corpus.axpy(i, d, w);
    w[0]! += d * b;
  }
}

export function xorshift(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}

function shuffle(a: number[], rand: () => number): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  }
}
