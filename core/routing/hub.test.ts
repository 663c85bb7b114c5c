import { describe, it, expect } from 'vitest';
import { DEFAULT_CLASSIFIER } from './classifier.js';
import { ClassifierHub } from './hub.js';
import type { HistoryRow } from './ports.js';

function store() {
  const rows: HistoryRow[] = [];
  const add = (n: number, team = 'dba', word = 'postgres') => {
    for (let i = 0; i < n; i++) {
      const seq = rows.length + 1;
      rows.push({ seq, orgId: 'o', id: `h${seq}`, taskId: null, title: `${word} issue ${seq}`, description: `${word} ${word} trouble`, team, assignee: null, priority: null, tags: {}, skills: [], origin: 'import', createdAt: seq });
    }
  };
  const repo = { listHistory: async (_org: string, after: number, limit: number) => rows.filter((r) => r.seq > after).slice(0, limit) };
  return { rows, add, repo };
}

function hub(repo: ReturnType<typeof store>['repo']) {
  const trained: number[] = [];
  const h = new ClassifierHub({
    repo, pause: () => Promise.resolve(), clock: () => 0, options: { ...DEFAULT_CLASSIFIER, bits: 14 },
    onTrained: (_org, r) => trained.push(r.items),
  });
  return { h, trained };
}

describe('ClassifierHub', () => {
  it('says so when an organisation has no history', async () => {
    const s = store();
    const { h } = hub(s.repo);
    expect((await h.get('o')).status).toBe('empty');
  });

  it('trains on first use, waiting for a small history', async () => {
    const s = store();
    s.add(20, 'dba', 'postgres');
    s.add(20, 'network', 'dns');
    const { h, trained } = hub(s.repo);
    const m = await h.get('o');
    expect(m.status).toBe('ready');
    expect(trained).toEqual([40]);
    if (m.status === 'ready') expect(m.classifier.classify('dns failing').ranked[0]!.team).toBe('network');
  });

  it('learns a little new history incrementally and retrains after a large share of growth', async () => {
    const s = store();
    s.add(20, 'dba', 'postgres');
    s.add(20, 'network', 'dns');
    const { h, trained } = hub(s.repo);
    await h.get('o');
    s.add(5, 'mobile', 'ios');
    await h.refresh('o');
    let m = await h.get('o');
    expect(trained).toEqual([40]);
    expect(m.status === 'ready' && m.classifier.size).toBe(45);
    expect(m.status === 'ready' && m.classifier.classify('ios crash').ranked[0]!.team).toBe('mobile');
    s.add(30, 'mobile', 'ios');
    await h.refresh('o');
    m = await h.get('o');
    expect(trained).toEqual([40, 75]);
    expect(m.status === 'ready' && m.classifier.size).toBe(75);
  });

  it('keeps serving the previous model when loading fails', async () => {
    const s = store();
    s.add(10);
    const errors: unknown[] = [];
    let fail = false;
    const h = new ClassifierHub({
      repo: { listHistory: async (...a) => { if (fail) throw new Error('db down'); return s.repo.listHistory(...a); } },
      pause: () => Promise.resolve(), clock: () => 0, options: { ...DEFAULT_CLASSIFIER, bits: 14 }, onError: (_o, e) => errors.push(e),
    });
    await h.get('o');
    fail = true;
    await h.refresh('o');
    expect(errors).toHaveLength(1);
    expect((await h.get('o')).status).toBe('ready');
  });
});
