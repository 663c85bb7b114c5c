/** Unions of time intervals and fast "how much of [lo, hi) is covered" queries. */

/** A merged, sorted union of intervals with prefix lengths, for O(log n) coverage queries. */
export interface Coverage {
  starts: Float64Array;
  ends: Float64Array;
  /** cum[i] = total length of intervals before i. */
  cum: Float64Array;
}

const EMPTY: Coverage = { starts: new Float64Array(0), ends: new Float64Array(0), cum: new Float64Array(1) };

/**
 * Union of intervals given as flat pairs [s0, e0, s1, e1, …]. Starts and ends are sorted apart and
 * swept with a depth counter: no per-interval objects, which matters at millions of tasks.
 */
export function coverageOf(...flats: ReadonlyArray<readonly number[]>): Coverage {
  let n = 0;
  for (const f of flats) n += f.length >> 1;
  if (n === 0) return EMPTY;
  const starts = new Float64Array(n);
  const ends = new Float64Array(n);
  let k = 0;
  for (const f of flats) {
    for (let i = 0; i + 1 < f.length; i += 2) {
      if (f[i + 1]! > f[i]!) {
        starts[k] = f[i]!;
        ends[k] = f[i + 1]!;
        k++;
      }
    }
  }
  if (k === 0) return EMPTY;
  const s = starts.subarray(0, k).sort();
  const e = ends.subarray(0, k).sort();
  // Merged intervals are never more than the inputs: write them into fresh arrays of that size.
  const outS = new Float64Array(k);
  const outE = new Float64Array(k);
  let count = 0;
  let depth = 0;
  let i = 0;
  let j = 0;
  let open = 0;
  while (i < k) {
    // A start at the same instant as an end comes first, so touching intervals merge.
    if (s[i]! <= e[j]!) {
      if (depth === 0) open = s[i]!;
      depth++;
      i++;
    } else {
      depth--;
      if (depth === 0) {
        outS[count] = open;
        outE[count] = e[j]!;
        count++;
      }
      j++;
    }
  }
  outS[count] = open;
  outE[count] = e[k - 1]!;
  count++;
  const cum = new Float64Array(count + 1);
  for (let m = 0; m < count; m++) cum[m + 1] = cum[m]! + (outE[m]! - outS[m]!);
  return { starts: outS.subarray(0, count), ends: outE.subarray(0, count), cum };
}

/** Union of [start, end] tuples. */
export function coverage(intervals: ReadonlyArray<readonly [number, number]>): Coverage {
  return coverageOf(intervals.flat());
}

/** Covered length in (-inf, x]. */
function coveredUpTo(c: Coverage, x: number): number {
  let lo = 0;
  let hi = c.starts.length - 1;
  let idx = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (c.starts[mid]! <= x) {
      idx = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  if (idx < 0) return 0;
  return c.cum[idx]! + Math.min(x, c.ends[idx]!) - c.starts[idx]!;
}

/** Covered length inside [lo, hi). */
export function covered(c: Coverage, lo: number, hi: number): number {
  if (hi <= lo || c.starts.length === 0) return 0;
  return coveredUpTo(c, hi) - coveredUpTo(c, lo);
}

/**
 * Covered length in (-inf, x] for non-decreasing x: a moving pointer instead of a search, for the
 * day-by-day sweep of a snapshot run.
 */
export class CoverageCursor {
  private i = 0;
  constructor(private readonly c: Coverage) {}
  upTo(x: number): number {
    const { starts, ends, cum } = this.c;
    const n = starts.length;
    while (this.i < n && ends[this.i]! <= x) this.i++;
    if (this.i < n && starts[this.i]! <= x) return cum[this.i]! + x - starts[this.i]!;
    return cum[this.i]!;
  }
}
