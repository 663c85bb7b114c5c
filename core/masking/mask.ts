import { DETECTORS, type Detector, type MaskKind } from './detectors.js';

export type { MaskKind } from './detectors.js';

export interface MaskFinding {
  kind: MaskKind;
  start: number;
  end: number;
}

export interface MaskResult {
  text: string;
  findings: MaskFinding[];
}

/** What a masked value becomes: its kind, never any part of it. */
export function placeholder(kind: MaskKind): string {
  return `[${kind.toUpperCase()}]`;
}

function spans(text: string, detectors: Detector[]): MaskFinding[] {
  const found: Array<MaskFinding & { rank: number }> = [];
  detectors.forEach((d, rank) => {
    d.re.lastIndex = 0;
    for (const m of text.matchAll(d.re)) {
      const whole = m.index ?? 0;
      const value = d.group ? m[d.group] : m[0];
      if (value === undefined || value === '') continue;
      const start = d.group ? whole + m[0].lastIndexOf(value) : whole;
      if (d.accept && !d.accept(value, text, start, m)) continue;
      const length = d.fit ? d.fit(value) : value.length;
      if (length === null) continue;
      found.push({ kind: d.kind, start, end: start + length, rank });
    }
  });
  // Longest span first, then the more specific detector, then leftmost; keep the ones that do not overlap.
  found.sort((a, b) => b.end - b.start - (a.end - a.start) || a.rank - b.rank || a.start - b.start);
  const kept: MaskFinding[] = [];
  for (const f of found) {
    if (kept.some((k) => f.start < k.end && k.start < f.end)) continue;
    kept.push({ kind: f.kind, start: f.start, end: f.end });
  }
  return kept.sort((a, b) => a.start - b.start);
}

/** Masks PII and secrets in free text: e-mails, phones, IPs, cards, IBANs, keys, tokens, JWTs. */
export function maskText(text: string): MaskResult {
  if (text.length < 6) return { text, findings: [] };
  const findings = spans(text, DETECTORS);
  if (findings.length === 0) return { text, findings };
  let out = '';
  let at = 0;
  for (const f of findings) {
    out += text.slice(at, f.start) + placeholder(f.kind);
    at = f.end;
  }
  out += text.slice(at);
  return { text: out, findings };
}

/** Keys whose values are secrets whatever they look like. */
const SECRET_KEY = /^(?:password|passwd|secret|token|api[_-]?key|access[_-]?token|refresh[_-]?token|authorization|client[_-]?secret|private[_-]?key|secret[_-]?key|cookie|session[_-]?token)$/i;

/**
 * Masks every string inside a JSON-like value (tool results, stored answers). Values under
 * secret-named keys are replaced outright. Returns a new value and how many spans were masked.
 */
export function maskDeep<T>(value: T): { value: T; count: number } {
  let count = 0;
  const walk = (v: unknown, key?: string): unknown => {
    if (typeof v === 'string') {
      if (key !== undefined && SECRET_KEY.test(key) && v !== '') {
        count++;
        return placeholder('secret');
      }
      const r = maskText(v);
      count += r.findings.length;
      return r.text;
    }
    if (Array.isArray(v)) return v.map((x) => walk(x));
    if (v !== null && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[k] = walk(x, k);
      return out;
    }
    return v;
  };
  return { value: walk(value) as T, count };
}

/**
 * Masks a stream of text pieces. A value can straddle pieces ("+44 20 | 7946 0958",
 * "password: | hunter22"), so the last few words, and any run of short digit groups before them,
 * are held back until more text or the end shows where they stop.
 */
export class StreamMasker {
  private buffer = '';
  constructor(private readonly holdWords = 3) {}

  /** Feeds a piece; returns the part that is safe to show now. */
  push(piece: string): string {
    this.buffer += piece;
    const cut = this.safeCut();
    if (cut <= 0) return '';
    const head = this.buffer.slice(0, cut);
    this.buffer = this.buffer.slice(cut);
    return maskText(head).text;
  }

  /** Everything that is left, masked. */
  flush(): string {
    const rest = maskText(this.buffer).text;
    this.buffer = '';
    return rest;
  }

  private safeCut(): number {
    // word starts, left to right; the text after the last whitespace is never complete
    const starts: number[] = [];
    const re = /\S+/g;
    for (const m of this.buffer.matchAll(re)) starts.push(m.index ?? 0);
    if (starts.length <= this.holdWords + 1) return 0;
    let k = starts.length - 1 - this.holdWords;
    const groupish = /^[\d+().\-A-Z]{1,6}[,.;:]?$/;
    while (k > 0) {
      const word = this.buffer.slice(starts[k - 1]!, starts[k]!).trim();
      if (!groupish.test(word)) break;
      k--;
    }
    return starts[k]!;
  }
}
