/** Unions of time intervals and fast "how much of [lo, hi) is covered" queries. */

/** A merged, sorted union of intervals with prefix lengths, for O(log n) coverage queries. */
export interface Coverage {
  starts: Float64Array;
  ends: Float64Array;
  /** cum[i] = total length of intervals before i. */
  cum: Float64Array;
}

export function coverage(intervals: ReadonlyArray<readonly [number, number]>): Coverage {
  const sorted = intervals.filter((iv) => iv[1] > iv[0]).sort((a, b) => a[0] - b[0]);
  const starts: number[] = [];
  const ends: number[] = [];
  for (const [s, e] of sorted) {
    const last = ends.length - 1;
    if (last >= 0 && s <= ends[last]!) {
      if (e > ends[last]!) ends[last] = e;
    } else {
      starts.push(s);
      ends.push(e);
    }
  }
  const cum = new Float64Array(starts.length + 1);
  for (let i = 0; i < starts.length; i++) cum[i + 1] = cum[i]! + (ends[i]! - starts[i]!);
  return { starts: Float64Array.from(starts), ends: Float64Array.from(ends), cum };
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
