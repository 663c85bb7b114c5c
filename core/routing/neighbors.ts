import type { Corpus } from './corpus.js';
import type { SparseVector } from './text.js';

/**
 * Nearest past items by cosine similarity, for evidence and for the neighbour vote. An inverted index
 * over the rarer features (a frequent word says little about which item is nearest) finds candidates
 * through the query's heaviest features; the best candidates are then scored exactly. Rows added after
 * the last index build are scanned directly until the next rebuild.
 */
/** Up to this many rows every feature is indexed, and a full scan is cheap enough when the index finds too few candidates. */
const SMALL = 5000;

export interface Neighbor {
  row: number;
  similarity: number;
}

export class NeighborIndex {
  private starts = new Int32Array(1);
  private postDocs = new Int32Array(0);
  private postVals = new Float32Array(0);
  private indexed = 0;
  private readonly scratch: Float32Array;
  private acc = new Float32Array(0);
  private touched = new Int32Array(0);

  constructor(
    private readonly corpus: Corpus,
    private readonly dim: number,
    /** query features used to find candidates */
    private readonly probe = 16,
    /** features in more than this share of items are not indexed */
    private readonly maxShare = 0.05,
  ) {
    this.scratch = new Float32Array(dim);
  }

  /** Rebuilds the index over every row; O(non-zeros). */
  rebuild(): void {
    const c = this.corpus;
    const n = c.size;
    const counts = new Int32Array(this.dim + 1);
    const idx = c.idx;
    const end = c.nonZeros;
    for (let p = 0; p < end; p++) counts[idx[p]! + 1]!++;
    // A small history indexes every feature: its posting lists are short anyway, and without the
    // frequent ones a query sharing only common words found too few candidates and fell back to
    // scoring every row (90 µs a decision on the demo history of 1,362 tasks; 38 µs this way).
    const limit = n <= SMALL ? n : Math.max(100, Math.floor(n * this.maxShare));
    for (let f = 1; f <= this.dim; f++) if (counts[f]! > limit) counts[f] = 0;
    for (let f = 1; f <= this.dim; f++) counts[f]! += counts[f - 1]!;
    const total = counts[this.dim]!;
    const docs = new Int32Array(total);
    const vals = new Float32Array(total);
    const fill = counts.slice(0, this.dim);
    const starts = counts;
    for (let i = 0; i < n; i++) {
      for (let p = c.starts[i]!, e = c.starts[i + 1]!; p < e; p++) {
        const f = idx[p]!;
        if (starts[f + 1]! - starts[f]! === 0) continue;
        const at = fill[f]!++;
        docs[at] = i;
        vals[at] = c.val[p]!;
      }
    }
    this.starts = starts;
    this.postDocs = docs;
    this.postVals = vals;
    this.indexed = n;
  }

  /** Rows not yet in the index. */
  get pending(): number {
    return this.corpus.size - this.indexed;
  }

  nearest(q: SparseVector, k: number, candidates = 64): Neighbor[] {
    if (this.corpus.size === 0 || q.idx.length === 0 || k <= 0) return [];
    if (this.pending > Math.max(2000, this.indexed / 10)) this.rebuild();
    if (this.acc.length < this.corpus.size) {
      this.acc = new Float32Array(this.corpus.size * 2);
      this.touched = new Int32Array(this.corpus.size * 2);
    }
    const acc = this.acc;
    const touched = this.touched;
    let nTouched = 0;
    // the heaviest query features that are indexed
    const order = Array.from(q.idx.keys())
      .filter((j) => this.starts[q.idx[j]! + 1]! > this.starts[q.idx[j]!]!)
      .sort((a, b) => q.val[b]! - q.val[a]!)
      .slice(0, this.probe);
    for (const j of order) {
      const f = q.idx[j]!;
      const qv = q.val[j]!;
      for (let p = this.starts[f]!, e = this.starts[f + 1]!; p < e; p++) {
        const d = this.postDocs[p]!;
        if (acc[d] === 0) touched[nTouched++] = d;
        acc[d]! += qv * this.postVals[p]!;
      }
    }
    let cands = topRows(acc, touched, nTouched, candidates);
    for (let t = 0; t < nTouched; t++) acc[touched[t]!] = 0;
    if (cands.length < k && this.indexed <= SMALL) {
      cands = new Array<number>(this.indexed);
      for (let i = 0; i < this.indexed; i++) cands[i] = i;
    }
    for (let i = this.indexed; i < this.corpus.size; i++) cands.push(i);
    const s = this.scratch;
    for (let j = 0; j < q.idx.length; j++) s[q.idx[j]!] = q.val[j]!;
    // The k best by exact similarity, best first; on ties the earlier candidate stays ahead.
    const best: Neighbor[] = [];
    for (const row of cands) {
      const similarity = this.corpus.dot(row, s);
      if (similarity <= 0 || (best.length === k && similarity <= best[k - 1]!.similarity)) continue;
      let at = best.length;
      while (at > 0 && best[at - 1]!.similarity < similarity) at--;
      best.splice(at, 0, { row, similarity });
      if (best.length > k) best.pop();
    }
    for (let j = 0; j < q.idx.length; j++) s[q.idx[j]!] = 0;
    return best;
  }
}

/** The `k` rows with the highest partial score, without sorting every touched row. */
function topRows(acc: Float32Array, touched: Int32Array, n: number, k: number): number[] {
  if (n <= k) return Array.from(touched.subarray(0, n));
  // only the threshold is needed here: exact order is settled by the exact rescoring after
  const scores = new Float32Array(n);
  for (let t = 0; t < n; t++) scores[t] = acc[touched[t]!]!;
  const cut = kthLargest(scores, k);
  const out: number[] = [];
  for (let t = 0; t < n && out.length < k; t++) if (acc[touched[t]!]! >= cut) out.push(touched[t]!);
  return out;
}

/** The k-th largest value (quickselect, average O(n)); reorders `a`. */
export function kthLargest(a: Float32Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  const want = k - 1; // index in descending order
  while (lo < hi) {
    const pivot = a[(lo + hi) >>> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! > pivot) i++;
      while (a[j]! < pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i++] = a[j]!;
        a[j--] = t;
      }
    }
    if (want <= j) hi = j;
    else if (want >= i) lo = i;
    else return a[want]!;
  }
  return a[want]!;
}
