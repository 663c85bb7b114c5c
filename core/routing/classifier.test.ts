import { describe, it, expect } from 'vitest';
import { TeamClassifier, DEFAULT_CLASSIFIER, type HistoryItem } from './classifier.js';
import { expectedCalibrationError, fitTemperature, softmax } from './calibration.js';
import { tokenize } from './text.js';

const small = { ...DEFAULT_CLASSIFIER, bits: 14 };

const TOPICS: Record<string, string[]> = {
  dba: ['postgres', 'replica', 'vacuum', 'index', 'query', 'deadlock', 'database', 'schema'],
  network: ['dns', 'latency', 'packet', 'firewall', 'router', 'vpn', 'bgp', 'loadbalancer'],
  frontend: ['button', 'css', 'layout', 'react', 'render', 'modal', 'font', 'browser'],
};

/** Deterministic synthetic history: each item draws words from its team's topic plus shared noise. */
function history(n: number): HistoryItem[] {
  const noise = ['error', 'issue', 'customer', 'broken', 'please', 'urgent', 'since', 'today'];
  const teams = Object.keys(TOPICS);
  const out: HistoryItem[] = [];
  for (let i = 0; i < n; i++) {
    const team = teams[i % teams.length]!;
    const words = TOPICS[team]!;
    const pick = (k: number, from: string[]): string[] => Array.from({ length: k }, (_, j) => from[(i * 7 + j * 3) % from.length]!);
    out.push({
      id: `h${i}`,
      title: pick(2, words).join(' '),
      description: [...pick(4, words), ...pick(4, noise)].join(' '),
      team,
      skills: team === 'dba' ? ['postgres'] : undefined,
    });
  }
  return out;
}

describe('TeamClassifier', () => {
  it('with no history knows no team and says so by an empty ranking and zero confidence', () => {
    const c = new TeamClassifier(small);
    expect(c.classify('postgres is down')).toEqual({ ranked: [], confidence: 0, evidence: [], skills: [], historySize: 0 });
  });

  it('learns the team from the words of past tasks and ranks every known team', () => {
    const c = new TeamClassifier(small);
    const report = c.train(history(300));
    expect(report).toMatchObject({ items: 300, teams: 3 });
    const r = c.classify('replica lag', 'postgres vacuum stuck on the big table');
    expect(r.ranked.map((s) => s.team).sort()).toEqual(['dba', 'frontend', 'network']);
    expect(r.ranked[0]!.team).toBe('dba');
    expect(r.ranked.reduce((s, x) => s + x.probability, 0)).toBeCloseTo(1, 6);
    expect(r.confidence).toBe(r.ranked[0]!.probability);
    expect(c.classify('modal renders off screen in the browser').ranked[0]!.team).toBe('frontend');
  });

  it('gives the nearest past tasks as evidence, most similar first, and the skills they carried', () => {
    const c = new TeamClassifier(small);
    c.train(history(300));
    const r = c.classify('postgres replica', 'vacuum index query deadlock');
    expect(r.evidence.length).toBeGreaterThan(0);
    expect(r.evidence[0]!.team).toBe('dba');
    const sims = r.evidence.map((e) => e.similarity);
    expect([...sims].sort((a, b) => b - a)).toEqual(sims);
    expect(r.skills[0]).toMatchObject({ name: 'postgres' });
  });

  it('is less confident about text it has never seen than about a clear case', () => {
    const c = new TeamClassifier(small);
    c.train(history(300));
    const clear = c.classify('postgres deadlock', 'replica vacuum schema database').confidence;
    const vague = c.classify('something odd happened').confidence;
    expect(vague).toBeLessThan(clear);
  });

  it('learns new history incrementally, including a team it has never seen, without retraining', () => {
    const c = new TeamClassifier(small);
    c.train(history(300));
    const before = c.classify('kubelet pod eviction', 'kubernetes node pressure pod evicted kubelet').ranked[0]!.team;
    expect(before).not.toBe('platform');
    c.add(
      Array.from({ length: 12 }, (_, i) => ({
        id: `k${i}`,
        title: 'kubelet pod eviction',
        description: `kubernetes node pressure pod evicted kubelet ${i}`,
        team: 'platform',
      })),
    );
    expect(c.size).toBe(312);
    expect(c.teamNames).toContain('platform');
    expect(c.classify('kubelet pod eviction', 'kubernetes node pressure').ranked[0]!.team).toBe('platform');
  });

  it('starts from nothing with add alone', () => {
    const c = new TeamClassifier(small);
    c.add(history(30));
    expect(c.classify('dns latency vpn').ranked[0]!.team).toBe('network');
  });

  it('copes with empty text and a 1 MB description', () => {
    const c = new TeamClassifier(small);
    c.train(history(300));
    expect(c.classify('', '').ranked).toHaveLength(3);
    const huge = c.classify('', 'postgres '.repeat(120_000));
    expect(huge.ranked[0]!.team).toBe('dba');
  });
});

describe('tokenize', () => {
  it('lower-cases, drops stop words and one-letter words, and splits identifiers', () => {
    expect(tokenize('The StyledText widget is a get_bounds x')).toEqual(['styledtext', 'styled', 'text', 'widget', 'get_bounds', 'get', 'bounds']);
  });
});

describe('calibration', () => {
  it('softmax sums to one and a higher temperature flattens it', () => {
    const sharp = softmax([2, 1, 0], 0.5);
    const flat = softmax([2, 1, 0], 5);
    expect(sharp.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
    expect(sharp[0]!).toBeGreaterThan(flat[0]!);
  });

  it('fits a large temperature to over-confident scores that are often wrong', () => {
    const scores = Array.from({ length: 100 }, () => [5, 0]);
    const labels = Array.from({ length: 100 }, (_, i) => (i % 2 === 0 ? 0 : 1));
    expect(fitTemperature(scores, labels)).toBeGreaterThan(10);
  });

  it('fits a small temperature to scores that are always right', () => {
    const scores = Array.from({ length: 100 }, () => [1, 0]);
    const labels = Array.from({ length: 100 }, () => 0);
    expect(fitTemperature(scores, labels)).toBeLessThan(0.1);
  });

  it('expected calibration error is zero when confidence equals accuracy', () => {
    expect(expectedCalibrationError([0.75, 0.75, 0.75, 0.75], [true, true, true, false])).toBeCloseTo(0, 9);
    expect(expectedCalibrationError([0.95, 0.95], [false, false])).toBeCloseTo(0.95, 9);
  });
});
