// The dashboard as a user sees it: keys in, frames out, against an in-memory source.
import React from 'react';
import { stripVTControlCharacters } from 'node:util';
import { afterEach, describe, it, expect } from 'vitest';
import { render, cleanup } from 'ink-testing-library';
import { App } from '../tui/app.js';
import { createFakeSource, type FakeSource } from '../tui/fixtures/fake-source.js';
import { KEYMAP } from '../tui/state/keymap.js';
import type { PanelKey } from '../tui/model.js';

const now = Date.parse('2026-01-01T12:00:00Z');
const SMALL = { columns: 80, rows: 24 };
const LARGE = { columns: 160, rows: 50 };

type Rendered = ReturnType<typeof render>;

function screen(r: Rendered): string {
  return stripVTControlCharacters(r.lastFrame() ?? '');
}

/** Waits for a frame that satisfies `check`, failing with the last frame after the deadline. */
async function frame(r: Rendered, check: (text: string) => boolean, deadlineMs = 3000): Promise<string> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const text = screen(r);
    if (check(text)) return text;
    if (Date.now() > end) throw new Error(`expected frame did not appear; last frame:\n${text}`);
    await new Promise((res) => setTimeout(res, 10));
  }
}
const showing = (r: Rendered, s: string | RegExp) => frame(r, (t) => (typeof s === 'string' ? t.includes(s) : s.test(t)));

async function keys(r: Rendered, ...seq: string[]): Promise<void> {
  for (const k of seq) {
    r.stdin.write(k);
    // Let Ink's input handler flush (a lone Esc is only known to be Esc on the next turn).
    await new Promise((res) => setImmediate(res));
  }
}

function start(opts: { size?: { columns: number; rows: number }; unavailable?: PanelKey[]; view?: 'healing' | 'events' | 'chat' } = {}) {
  const source: FakeSource = createFakeSource(now, { unavailable: opts.unavailable });
  let quit = 0;
  const r = render(
    <App source={source} clock={() => now} size={opts.size ?? SMALL} initialView={opts.view}
      dataOptions={{ flushMs: 20, reloadGapMs: 20 }} onQuit={() => (quit += 1)} />,
  );
  return { r, source, quits: () => quit };
}

afterEach(() => cleanup());

describe('the dashboard', () => {
  it('shows organisation, daemon URL, user, role and the connection state', async () => {
    const { r, source } = start();
    await showing(r, '● live');
    const text = await showing(r, 'acme-ops');
    expect(text).toContain('http://127.0.0.1:7717');
    expect(text).toContain('admin (admin)');
    source.setConnection('reconnecting');
    await showing(r, '● reconnecting');
  });

  it('reloads every panel when the connection comes back, in case events expired meanwhile', async () => {
    const { r, source } = start();
    await showing(r, '● live');
    await frame(r, () => source.calls.filter((c) => c === 'load:workload').length >= 1);
    const before = source.calls.filter((c) => c === 'load:workload').length;
    source.setConnection('reconnecting');
    await showing(r, '● reconnecting');
    source.setPanel('workload', []);
    source.setConnection('live');
    await showing(r, '● live');
    await frame(r, () => source.calls.filter((c) => c === 'load:workload').length > before);
    await showing(r, 'Members by burnout risk (worst first) (0)');
  });

  it('draws prefetched panels in its first frame without loading them again', async () => {
    const source = createFakeSource(now);
    const initialPanels = { tasks: { status: 'ready' as const, data: [] }, workload: { status: 'unavailable' as const, reason: 'no endpoint on this daemon yet' } };
    const r = render(<App source={source} clock={() => now} size={SMALL} dataOptions={{ initialPanels }} />);
    const first = screen(r);
    expect(first).toContain('Incoming and unassigned tasks (0)');
    expect(first).toContain('not available (no endpoint on this daemon yet)');
    await showing(r, 'restart-api-on');
    expect(source.calls).not.toContain('load:tasks');
    expect(source.calls).not.toContain('load:workload');
    expect(source.calls).toContain('load:actions');
  });

  it('fits 80x24: no line wider than 80 and one line short of the terminal', async () => {
    const { r } = start();
    const text = await showing(r, 'Postgres replication');
    const lines = text.split('\n');
    expect(lines.length).toBeLessThanOrEqual(23);
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(80);
  });

  it('shows every engine on the overview of a large terminal', async () => {
    const { r } = start({ size: LARGE });
    const text = await showing(r, 'api_latency_p99');
    for (const s of ['Postgres replication', 'restart-api-on', 'disk usage 91%', 'score 86', 'Ana Souza', 'Live events']) {
      expect(text).toContain(s);
    }
    expect(Math.max(...text.split('\n').map((l) => l.length))).toBeLessThanOrEqual(160);
  });

  it('redraws for a new size', async () => {
    const { r, source } = start();
    await showing(r, 'Postgres replication');
    r.rerender(<App source={source} clock={() => now} size={LARGE} />);
    await frame(r, (t) => t.includes('Self-healing') && Math.max(...t.split('\n').map((l) => l.length)) > 100);
  });

  it('jumps to a view with : and lists it', async () => {
    const { r } = start();
    await showing(r, '● live');
    await keys(r, ':', 'w', 'o', 'r', 'k', 'l', 'o', 'a', 'd', '\r');
    // The overview shows the same section cut short; the workload view lists everyone.
    const text = await frame(r, (t) => t.includes('1:overview') && t.includes('Tom Berg') && !t.includes('Incoming and unassigned'));
    const order = ['Ana Souza', 'Li Wei', 'Raj Patel', 'Tom Berg'].map((n) => text.indexOf(n));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(text).toMatch(/Ana Souza .*█+ +120% high 78%/);
  });

  it('approves an action after confirmation and shows the result', async () => {
    const { r, source } = start({ view: 'healing' });
    await showing(r, 'awaiting_approval');
    await keys(r, 'a');
    await showing(r, 'Approve action act_restart? [y/N]');
    expect(source.calls).not.toContain('approve:act_restart');
    await keys(r, 'y');
    await showing(r, 'approved act_restart: now running');
    expect(source.calls).toContain('approve:act_restart');
    await frame(r, (t) => /act_restart\s+restart-api-on\S*\s+running/.test(t));
  });

  it('rejects with a reason, and n cancels without calling the daemon', async () => {
    const { r, source } = start({ view: 'healing' });
    await showing(r, 'awaiting_approval');
    await keys(r, 'a', 'n');
    await showing(r, 'cancelled');
    await keys(r, 'x', 'n', 'o', 'i', 's', 'e', '\r');
    await showing(r, 'Reject action act_restart (noise)? [y/N]');
    await keys(r, 'y');
    await showing(r, 'rejected act_restart: now rejected');
    expect(source.calls.filter((c) => c.startsWith('approve') || c.startsWith('reject'))).toEqual(['reject:act_restart:noise']);
  });

  it('shows the daemon\'s refusal when an approval is not allowed', async () => {
    const { r, source } = start({ view: 'healing' });
    source.approveAction = async () => {
      throw new Error('your role (viewer) may not execute healing');
    };
    await showing(r, 'awaiting_approval');
    await keys(r, 'a', 'y');
    await showing(r, 'error: your role (viewer) may not execute healing');
    expect(screen(r)).toMatch(/act_restart\s+restart-api-on\S*\s+awaiting_approval/);
  });

  it('filters with / and clears with Esc', async () => {
    const { r } = start({ view: 'healing' });
    await showing(r, 'disk usage 91%');
    await keys(r, '/', 'l', 'a', 't');
    const filtered = await showing(r, '/lat▌');
    expect(filtered).not.toContain('disk usage 91%');
    expect(filtered).toContain('api_latency_p99 anomaly');
    await keys(r, '\x1b');
    await showing(r, 'disk usage 91%');
  });

  it('opens details with Enter and goes back with Esc', async () => {
    const { r } = start({ view: 'healing' });
    await showing(r, 'awaiting_approval');
    await keys(r, '\r');
    await showing(r, 'act_restart — Esc to go back');
    // The row shows at once; the full record (steps, approval) follows from the daemon.
    const text = await showing(r, 'approval.requestedBy');
    expect(text).toMatch(/playbook\s+restart-api-on-latency/);
    expect(text).toMatch(/steps\[0\]\s+\{"id":"ok","type":"approve","status":"waiting"\}/);
    await keys(r, '\x1b');
    await showing(r, 'Open issues');
  });

  it('lists every key on ?', async () => {
    const { r } = start({ size: LARGE });
    await showing(r, '● live');
    await keys(r, '?');
    const text = await showing(r, 'Keys — Esc or ? to close');
    for (const k of KEYMAP) expect(text).toContain(k.keys);
    expect(text).toMatch(/3 Self-healing\s+:healing {2}:issues {2}:actions/);
  });

  it('lists every key, whole, on an 80x24 terminal', async () => {
    const { r } = start();
    await showing(r, '● live');
    await keys(r, '?');
    const text = await showing(r, 'Keys — Esc or ? to close');
    for (const k of KEYMAP) expect(text).toContain(`${k.keys.padEnd(25)} ${k.does}`);
  });

  it('shows live events as they arrive, coalescing a burst into few frames', async () => {
    const { r, source } = start({ view: 'events' });
    await showing(r, 'Live events (live)');
    const before = r.frames.length;
    for (let i = 1; i <= 500; i++) {
      source.emit({ id: String(i), type: 'task.created', at: now, actor: 'system', subject: `tsk_${i}`, summary: `burst ${i}` });
    }
    await showing(r, 'burst 500');
    expect(r.frames.length - before).toBeLessThan(50);
    await keys(r, '/', 'b', 'u', 'r', 's', 't', ' ', '4', '9', '9', '\r');
    const text = await showing(r, 'Live events (live) (1/500)');
    expect(text).toContain('tsk_499');
  });

  it('says "not available" for a panel the daemon does not serve, and keeps the rest working', async () => {
    const { r } = start({ size: LARGE, unavailable: ['compliance', 'workload'] });
    const text = await showing(r, 'not available');
    expect(text).toContain('Postgres replication');
  });

  it('talks to the assistant from the chat pane', async () => {
    const { r, source } = start({ view: 'chat' });
    await showing(r, 'press i to type');
    await keys(r, 'i', ...'who is on call?', '\r');
    await showing(r, 'You asked: who is on call?');
    expect(source.calls).toContain('ask:who is on call?');
  });

  it('quits on q', async () => {
    const { r, quits } = start();
    await showing(r, '● live');
    await keys(r, 'q');
    await frame(r, () => quits() === 1);
  });
});
