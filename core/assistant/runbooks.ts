/**
 * Retrieval over runbooks: markdown files cut into passages under their headings and ranked with
 * BM25. Pure: the daemon reads the files and hands them in.
 */

export interface RunbookFile {
  file: string;
  text: string;
}

export interface RunbookChunk {
  id: string;
  file: string;
  heading: string;
  text: string;
}

export interface RunbookHitResult extends RunbookChunk {
  score: number;
}

const STOP = new Set(
  'a an and are as at be but by can do does for from has have how i if in into is it its me my no not of on or our so that the their then there these this to was what when where which who why will with you your'.split(
    ' ',
  ),
);

/** Lower-case word stems: enough folding that "restarting" finds "restart" and "disks" finds "disk". */
export function tokenize(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.toLowerCase().match(/[a-z0-9][a-z0-9_-]*/g) ?? []) {
    for (const part of raw.split(/[-_]/)) {
      if (part.length < 2 || STOP.has(part)) continue;
      out.push(stem(part));
    }
  }
  return out;
}

function stem(w: string): string {
  if (w.length > 5 && w.endsWith('ing')) return w.slice(0, -3);
  if (w.length > 4 && w.endsWith('ed')) return w.slice(0, -2);
  if (w.length > 4 && w.endsWith('es') && !w.endsWith('ses')) return w.slice(0, -2);
  if (w.length > 3 && w.endsWith('s') && !w.endsWith('ss')) return w.slice(0, -1);
  return w;
}

/** Splits markdown into passages: one per heading section, long sections cut at paragraphs. */
export function chunkMarkdown(file: string, text: string, maxChars = 1200): RunbookChunk[] {
  const chunks: RunbookChunk[] = [];
  const title = /^#\s+(.+)$/m.exec(text)?.[1]?.trim() ?? file;
  let heading = title;
  let buf: string[] = [];
  const flush = (): void => {
    const body = buf.join('\n').trim();
    buf = [];
    if (!body) return;
    let part = '';
    for (const para of body.split(/\n{2,}/)) {
      if (part && part.length + para.length + 2 > maxChars) {
        chunks.push({ id: `${file}#${chunks.length + 1}`, file, heading, text: part });
        part = '';
      }
      part = part ? `${part}\n\n${para}` : para.slice(0, maxChars * 2);
    }
    if (part) chunks.push({ id: `${file}#${chunks.length + 1}`, file, heading, text: part });
  };
  let inFence = false;
  for (const line of text.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) inFence = !inFence;
    const h = inFence ? null : /^(#{1,4})\s+(.+)$/.exec(line);
    if (h) {
      flush();
      heading = h[1] === '#' ? h[2]!.trim() : `${title} › ${h[2]!.trim()}`;
    } else buf.push(line);
  }
  flush();
  return chunks;
}

export interface RunbookIndex {
  readonly size: number;
  search(query: string, limit?: number): RunbookHitResult[];
}

/** BM25 (k1 1.2, b 0.75) over the passages; the heading counts twice, as titles say what a passage is for. */
export function buildRunbookIndex(files: RunbookFile[]): RunbookIndex {
  const chunks = files.flatMap((f) => chunkMarkdown(f.file, f.text));
  const docs = chunks.map((c) => {
    const terms = [...tokenize(c.heading), ...tokenize(c.heading), ...tokenize(c.text)];
    const tf = new Map<string, number>();
    for (const t of terms) tf.set(t, (tf.get(t) ?? 0) + 1);
    return { tf, len: terms.length };
  });
  const df = new Map<string, number>();
  for (const d of docs) for (const t of d.tf.keys()) df.set(t, (df.get(t) ?? 0) + 1);
  const avg = docs.reduce((s, d) => s + d.len, 0) / Math.max(1, docs.length);
  const n = docs.length;
  const k1 = 1.2;
  const b = 0.75;
  return {
    size: n,
    search(query, limit = 4) {
      const q = [...new Set(tokenize(query))];
      if (q.length === 0) return [];
      const scored: RunbookHitResult[] = [];
      docs.forEach((d, i) => {
        let score = 0;
        for (const t of q) {
          const f = d.tf.get(t);
          if (!f) continue;
          const idf = Math.log(1 + (n - df.get(t)! + 0.5) / (df.get(t)! + 0.5));
          score += (idf * f * (k1 + 1)) / (f + k1 * (1 - b + (b * d.len) / avg));
        }
        if (score > 0) scored.push({ ...chunks[i]!, score: Math.round(score * 1000) / 1000 });
      });
      return scored.sort((x, y) => y.score - x.score).slice(0, limit);
    },
  };
}
