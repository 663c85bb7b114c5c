import { describe, it, expect } from 'vitest';
import { StreamingDetector, DEFAULT_DETECTOR_CONFIG, type DetectorSnapshot } from './detector.js';
import { DEFAULT_ALERT_THRESHOLD } from './threshold.js';

// A deterministic noisy daily-ish signal, so the tests do not depend on Math.random.
function signal(n: number, seed = 1): number[] {
  let s = seed;
  const rnd = (): number => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
  return Array.from({ length: n }, (_, i) => 50 + 10 * Math.sin((2 * Math.PI * i) / 288) + rnd() * 4);
}

describe('StreamingDetector', () => {
  it('scores every point in [0,1] and nothing during warm-up', () => {
    const d = new StreamingDetector();
    const scores = signal(3000).map((v) => d.update(v));
    expect(scores.every((s) => s >= 0 && s <= 1)).toBe(true);
    expect(scores.slice(0, DEFAULT_DETECTOR_CONFIG.warmup).every((s) => s === 0)).toBe(true);
  });

  it('raises a spike far outside anything seen above the alerting threshold', () => {
    const d = new StreamingDetector();
    for (const v of signal(3000)) d.update(v);
    expect(d.update(500)).toBeGreaterThanOrEqual(DEFAULT_ALERT_THRESHOLD);
  });

  it('stays below the threshold on a stream that keeps repeating itself', () => {
    const d = new StreamingDetector();
    const base = signal(288 * 3);
    const stream = [...base, ...base, ...base, ...base];
    const scores = stream.map((v) => d.update(v));
    expect(Math.max(...scores.slice(288 * 8))).toBeLessThan(DEFAULT_ALERT_THRESHOLD);
  });

  it('holds a second alarm right after the first one below the threshold', () => {
    const d = new StreamingDetector();
    for (const v of signal(3000)) d.update(v);
    expect(d.update(500)).toBe(1);
    expect(d.update(900)).toBeLessThan(DEFAULT_ALERT_THRESHOLD);
  });

  it('scores a point from the points before it only (a prefix scores the same alone)', () => {
    const data = signal(2500, 7);
    data[2000] = 400;
    const full = new StreamingDetector();
    const all = data.map((v) => full.update(v));
    const prefix = new StreamingDetector();
    const head = data.slice(0, 2001).map((v) => prefix.update(v));
    expect(head).toEqual(all.slice(0, 2001));
  });

  it('resumes from a JSON snapshot exactly where it stopped', () => {
    const data = signal(4000, 3);
    data[3500] = -200;
    const straight = new StreamingDetector();
    const expected = data.map((v) => straight.update(v));
    const first = new StreamingDetector();
    const got = data.slice(0, 1700).map((v) => first.update(v));
    const snap = JSON.parse(JSON.stringify(first.snapshot())) as DetectorSnapshot;
    const resumed = new StreamingDetector(DEFAULT_DETECTOR_CONFIG, snap);
    expect(resumed.count).toBe(1700);
    got.push(...data.slice(1700).map((v) => resumed.update(v)));
    expect(got).toEqual(expected);
  });

  it('starts afresh from a snapshot of another configuration instead of misreading it', () => {
    const d = new StreamingDetector();
    for (const v of signal(500)) d.update(v);
    const other = new StreamingDetector({ ...DEFAULT_DETECTOR_CONFIG, historySize: 10 }, d.snapshot());
    expect(other.count).toBe(0);
  });

  it('skips values that are not finite', () => {
    const d = new StreamingDetector();
    expect(d.update(Number.NaN)).toBe(0);
    expect(d.count).toBe(0);
  });
});
