import type { SparseVector } from './text.js';

/**
 * The history as the classifier holds it: every item's sparse vector in two flat growable arrays
 * (compact: about 8 bytes per non-zero), its class, its training weight and a little to show as evidence.
 */
export class Corpus {
  private idxBuf = new Int32Array(1 << 16);
  private valBuf = new Float32Array(1 << 16);
  private used = 0;
  /** start offset of row i is starts[i], end is starts[i + 1] */
  starts: number[] = [0];
  labels: number[] = [];
  weights: number[] = [];
  ids: string[] = [];
  snippets: string[] = [];
  skills: (string[] | undefined)[] = [];

  get size(): number {
    return this.labels.length;
  }

  get nonZeros(): number {
    return this.used;
  }

  get idx(): Int32Array {
    return this.idxBuf;
  }

  get val(): Float32Array {
    return this.valBuf;
  }

  push(v: SparseVector, label: number, weight: number, id: string, snippet: string, skills?: string[]): number {
    const need = this.used + v.idx.length;
    if (need > this.idxBuf.length) {
      let cap = this.idxBuf.length;
      while (cap < need) cap *= 2;
      const ni = new Int32Array(cap);
      ni.set(this.idxBuf.subarray(0, this.used));
      const nv = new Float32Array(cap);
      nv.set(this.valBuf.subarray(0, this.used));
      this.idxBuf = ni;
      this.valBuf = nv;
    }
    this.idxBuf.set(v.idx, this.used);
    this.valBuf.set(v.val, this.used);
    this.used = need;
    this.starts.push(need);
    this.labels.push(label);
    this.weights.push(weight);
    this.ids.push(id);
    this.snippets.push(snippet);
    this.skills.push(skills && skills.length > 0 ? skills : undefined);
    return this.labels.length - 1;
  }

  /** Dot product of row i with a dense weight vector. */
  dot(i: number, w: Float32Array): number {
    const idx = this.idxBuf;
    const val = this.valBuf;
    let s = 0;
    for (let p = this.starts[i]!, end = this.starts[i + 1]!; p < end; p++) s += w[idx[p]!]! * val[p]!;
    return s;
  }

  /** w += d * row i */
  axpy(i: number, d: number, w: Float32Array): void {
    const idx = this.idxBuf;
    const val = this.valBuf;
    for (let p = this.starts[i]!, end = this.starts[i + 1]!; p < end; p++) w[idx[p]!]! += d * val[p]!;
  }
}
