/**
 * Text → sparse feature vector for the classifier: lower-cased word unigrams and bigrams, hashed into
 * a fixed space (so history can grow without a vocabulary rebuild), title words also in their own
 * namespace (a word in the title says more than one in a long description).
 */

/** Descriptions longer than this are cut: the first part of a report carries its subject, and a 1 MB paste must not stall routing. */
export const MAX_TEXT_CHARS = 20_000;

// A short list: common English function words that would otherwise fill bigrams with noise.
const STOP = new Set(
  ('a an and are as at be but by for from has have i if in into is it its of on or so such that the their then there ' +
    'these they this to was we were will with you your not no can could would should do does did been being our us me my he she')
    .split(' '),
);

// a cheap pre-check before the Unicode-aware split below
const CAMEL = /[a-z0-9][A-Z]|_/;

/** Lower-cased words of 2+ letters or digits, without stop words. */
export function tokenize(text: string): string[] {
  const words = text.slice(0, MAX_TEXT_CHARS).split(/[^\p{L}\p{N}_]+/u);
  const out: string[] = [];
  for (const raw of words) {
    const w = raw.toLowerCase();
    if (w.length < 2 || w.length > 40 || STOP.has(w)) continue;
    out.push(w);
    // identifiers such as StyledText or getBounds also say "styled text", "bounds"
    if (!CAMEL.test(raw)) continue;
    const parts = raw.split(/(?<=[\p{Ll}\p{N}])(?=\p{Lu})|_/u);
    if (parts.length > 1) for (const p of parts) if (p.length >= 2) out.push(p.toLowerCase());
  }
  return out;
}

/** A sparse vector: parallel arrays of feature index and value. */
export interface SparseVector {
  idx: Int32Array;
  val: Float32Array;
}

export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function mix(a: number, b: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ b;
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return h >>> 0;
}

const TITLE_SALT = 0x5bd1e995;

/**
 * Raw term counts by hashed feature index (mask = 2^bits - 1, bits <= 30). Feature 0 is reserved for
 * the bias and never produced here.
 */
export function termCounts(title: string, description: string, mask: number, leadWords = 0): Map<number, number> {
  const counts = new Map<number, number>();
  const add = (h: number): void => {
    const f = (h & mask) || 1;
    counts.set(f, (counts.get(f) ?? 0) + 1);
  };
  const addText = (tokens: string[], salt: number): void => {
    let prev = -1;
    for (const t of tokens) {
      const h = fnv1a(t) ^ salt;
      add(h);
      if (prev >= 0) add(mix(prev, h));
      prev = h;
    }
  };
  const titleTokens = tokenize(title);
  const descTokens = tokenize(description);
  addText(titleTokens, 0);
  addText(titleTokens, TITLE_SALT);
  addText(descTokens, 0);
  // without a title, a report's first words usually are its summary
  if (titleTokens.length === 0 && leadWords > 0) addText(descTokens.slice(0, leadWords), TITLE_SALT);
  return counts;
}

/**
 * Sublinear tf (1 + ln tf) times idf, L2-normalised. `idf(f)` gives the weight of a feature; features
 * it gives 0 are dropped.
 */
export function weigh(counts: Map<number, number>, idf: (f: number) => number): SparseVector {
  const idx: number[] = [];
  const val: number[] = [];
  let norm = 0;
  for (const [f, tf] of counts) {
    const w = (1 + Math.log(tf)) * idf(f);
    if (w === 0) continue;
    idx.push(f);
    val.push(w);
    norm += w * w;
  }
  const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  const v = new Float32Array(val.length);
  for (let i = 0; i < val.length; i++) v[i] = val[i]! * inv;
  return { idx: Int32Array.from(idx), val: v };
}
