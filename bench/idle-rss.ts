/** Resident memory of an idle daemon holding the demo data. */
import { fmt, rssMb, startBenchDaemon } from './lib.js';

const d = await startBenchDaemon({ demo: true });
try {
  // A few requests touch every engine's start-up paths, then the daemon settles: its start-up work
  // (classifier training, the workload backfill, the first sweeps) takes several seconds here and
  // leaves garbage that the idle collector returns over the next ones.
  for (const p of ['/v1/tasks', '/v1/teams', '/v1/members', '/metrics']) await fetch(`${d.url}${p}`, { headers: { authorization: `Bearer ${d.token}` } });
  await new Promise((r) => setTimeout(r, 20_000));
  const rss = rssMb(d.pid);
  console.log(`idle daemon RSS with the demo data: ${fmt(rss)} MB (target <= 120 MB -> ${rss <= 120 ? 'met' : 'NOT met'})`);
} finally {
  await d.stop();
}
