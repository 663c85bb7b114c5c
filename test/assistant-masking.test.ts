import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { maskText } from '../core/masking/mask.js';

interface Positive {
  kind: string;
  secret: string;
  text: string;
}
interface Negative {
  note: string;
  text: string;
}

const dir = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'masking');
const lines = <T>(file: string): T[] =>
  readFileSync(join(dir, file), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as T);

const positives = lines<Positive>('positives.jsonl');
const negatives = lines<Negative>('negatives.jsonl');

describe('masking corpus', () => {
  it('holds at least 300 varied positives and 300 near-miss negatives', () => {
    expect(positives.length).toBeGreaterThanOrEqual(300);
    expect(negatives.length).toBeGreaterThanOrEqual(300);
    const kinds = new Set(positives.map((p) => p.kind));
    for (const k of ['email', 'phone', 'ip', 'card', 'iban', 'api_key', 'token', 'jwt', 'cloud_key', 'secret'])
      expect(kinds.has(k), k).toBe(true);
  });

  it('finds >= 99 % of the positives with >= 95 % precision', () => {
    let tp = 0;
    let fp = 0;
    const missed: string[] = [];
    const falseAlarms: string[] = [];
    for (const p of positives) {
      const r = maskText(p.text);
      if (!r.text.includes(p.secret)) tp++;
      else missed.push(`${p.kind}: ${p.text}`);
      // masks elsewhere in a positive's text are false alarms too
      const at = p.text.indexOf(p.secret);
      for (const f of r.findings) {
        if (f.end <= at || f.start >= at + p.secret.length) {
          fp++;
          falseAlarms.push(`(in positive) ${p.text.slice(f.start, f.end)} as ${f.kind}`);
        }
      }
    }
    for (const n of negatives) {
      const r = maskText(n.text);
      if (r.findings.length > 0) {
        fp++;
        falseAlarms.push(`${n.note}: ${n.text} -> ${r.text}`);
      }
    }
    const recall = tp / positives.length;
    const precision = tp / (tp + fp);
    console.log(
      `masking corpus: recall ${(recall * 100).toFixed(2)} % (${tp}/${positives.length}), ` +
        `precision ${(precision * 100).toFixed(2)} % (${fp} false alarms over ${negatives.length} negatives)`,
    );
    if (missed.length) console.log(`missed:\n  ${missed.join('\n  ')}`);
    if (falseAlarms.length) console.log(`false alarms:\n  ${falseAlarms.join('\n  ')}`);
    expect(recall).toBeGreaterThanOrEqual(0.99);
    expect(precision).toBeGreaterThanOrEqual(0.95);
  });
});
