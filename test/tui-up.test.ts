// `foundry-op up` with a daemon already running: it opens the dashboard on that one (in a pipe it says
// where it runs) and starts no second daemon.
import { afterAll, beforeAll, describe, it, expect } from 'vitest';
import { runCli, spawnDaemon } from './helpers.js';

describe('foundry-op up', () => {
  let d: Awaited<ReturnType<typeof spawnDaemon>>;
  beforeAll(async () => {
    d = await spawnDaemon({ demo: true });
  });
  afterAll(async () => {
    await d?.stop();
  });

  it('uses the daemon that is running, and in a pipe only says where it is', async () => {
    const r = await runCli(['up'], { home: d.home });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`foundry-op is running at ${d.url}\n`);
    expect(r.stderr).not.toContain('started a demo daemon');
    expect(r.stderr).toContain('try: foundry-op tui');
  });
});
