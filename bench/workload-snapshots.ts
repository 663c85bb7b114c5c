/**
 * Snapshot computation for 10,000 members × 90 days (target ≤ 2 s), from task history to snapshots.
 * Prints the time to derive histories and to compute snapshots, separately and together.
 */
import { buildHistories } from '../core/workload/history.js';
import { resolveProfile } from '../core/workload/profile.js';
import { computeSnapshots } from '../core/workload/snapshots.js';
import { syntheticOrg } from '../fixtures/workload/synthetic.js';

const MEMBERS = Number(process.env.BENCH_MEMBERS ?? 10_000);
const DAYS = 90;

export async function run(): Promise<void> {
  const endAt = Date.parse('2026-06-01T00:00:00Z');
  const org = syntheticOrg({ members: MEMBERS, days: DAYS, endAt, tasksPerDay: 1.5 });
  const from = new Date(endAt - DAYS * 86_400_000).toISOString().slice(0, 10);
  const to = new Date(endAt - 86_400_000).toISOString().slice(0, 10);
  const runs: Array<{ history: number; snapshots: number; count: number; cpu: number }> = [];
  for (let r = 0; r < 3; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const histories = buildHistories({ tasks: org.tasks, events: [], now: endAt });
    const profiles = org.members.map((m) => resolveProfile(m));
    const t1 = performance.now();
    // In slices of 500 members, as the engine computes and stores them (a backfill never holds all
    // 900,000 snapshots at once); every snapshot is still computed and checked.
    let count = 0;
    let hours = 0;
    for (let i = 0; i < profiles.length; i += 500) {
      const snaps = computeSnapshots({ profiles: profiles.slice(i, i + 500), histories, from, to, now: endAt });
      count += snaps.length;
      for (const s of snaps) hours += s.hoursInside + s.hoursOutside;
    }
    const t2 = performance.now();
    if (!(hours > 0)) throw new Error('no work found: the benchmark data is wrong');
    const c = process.cpuUsage(c0);
    runs.push({ history: t1 - t0, snapshots: t2 - t1, count, cpu: (c.user + c.system) / 1000 });
  }
  const best = runs.reduce((a, b) => (a.history + a.snapshots <= b.history + b.snapshots ? a : b));
  const total = best.history + best.snapshots;
  console.log(`workload snapshots: ${MEMBERS} members × ${DAYS} days, ${org.tasks.length} tasks → ${best.count} snapshots`);
  console.log(`  histories ${best.history.toFixed(0)} ms + snapshots ${best.snapshots.toFixed(0)} ms = ${total.toFixed(0)} ms wall (best of 3; target ≤ 2000 ms) ${total <= 2000 ? 'OK' : 'OVER'}`);
  // CPU time (all threads, GC included) says more than wall time on a shared, loaded machine.
  console.log(`  cpu ${best.cpu.toFixed(0)} ms; load average ${(await import('node:os')).loadavg()[0]!.toFixed(1)} on ${(await import('node:os')).cpus().length} cores`);
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
