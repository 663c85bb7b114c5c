/**
 * Alert intake: our POST /v1/integrations/alertmanager (webhook v4 payload → deduplicated issues in
 * SQLite, audited, announced) beside the real Prometheus Alertmanager's own POST /api/v2/alerts, both
 * measured in the same run on the same machine: one alert per request and batches of 100, with new
 * alerts (every alert opens an issue) and with repeats (the usual case: Alertmanager re-sends firing
 * alerts every group interval).
 */
import { readFileSync } from 'node:fs';
import { ALERTMANAGER_BINARY, startAlertmanager, type RunningAlertmanager } from '../fixtures/alertmanager.js';
import { fmt, runLoad, startBenchDaemon, cpuSeconds } from './lib.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const CONNECTIONS = 16;


/** `{{n}}` is replaced by the request number, so `unique` alerts never repeat; repeats cycle over 50. */
function alerts(count: number, unique: boolean): Array<{ labels: Record<string, string>; annotations: Record<string, string> }> {
  return Array.from({ length: count }, (_, k) => ({
    labels: { alertname: 'BenchAlert', instance: unique ? `i{{n}}-${k}` : `i${k % 50}`, severity: 'warning' },
    annotations: { summary: 'bench' },
  }));
}

function webhook(list: ReturnType<typeof alerts>): unknown {
  return {
    version: '4', groupKey: 'bench', status: 'firing', receiver: 'foundry', groupLabels: {}, commonLabels: {}, commonAnnotations: {},
    externalURL: 'http://alertmanager', truncatedAlerts: 0,
    alerts: list.map((a) => ({ status: 'firing', ...a, startsAt: '2026-11-25T00:00:00Z', endsAt: '0001-01-01T00:00:00Z', generatorURL: '', fingerprint: '' })),
  };
}

// a receiver without integrations: Alertmanager only takes the alerts in, as the comparison needs
const startBlackhole = (): Promise<RunningAlertmanager | null> =>
  ALERTMANAGER_BINARY ? startAlertmanager('route:\n  receiver: blackhole\nreceivers:\n  - name: blackhole\n') : Promise.resolve(null);

interface Case { key: string; what: string; perRequest: number; rps: number; cpuUsPerAlert: number }

// ALERT_BENCH_ONLY=new1,rep100 runs only those cases (for profiling one path); Alertmanager's run anyway.
const only = (process.env.ALERT_BENCH_ONLY ?? '').split(',').filter(Boolean);

const d = await startBenchDaemon();
const am = await startBlackhole();
try {
  const cases: Case[] = [];
  const measure = async (key: string, what: string, target: { url: string; path: string; token?: string; pid: number }, body: unknown, perRequest: number): Promise<void> => {
    if (only.length > 0 && !only.includes(key) && target.pid === d.pid) return;
    const c0 = cpuSeconds(target.pid);
    const r = await runLoad({ url: target.url, method: 'POST', path: target.path, body, token: target.token, connections: CONNECTIONS, seconds: SECONDS });
    const cpu = cpuSeconds(target.pid) - c0;
    if (r.errors > 0) throw new Error(`${what}: ${r.errors} errors (${JSON.stringify(r.statuses)})`);
    const alertsDone = r.requests * perRequest;
    cases.push({ key, what, perRequest, rps: r.rps, cpuUsPerAlert: (cpu * 1e6) / alertsDone });
    console.log(`  ${what.padEnd(62)} ${fmt(r.rps * perRequest, 0).padStart(8)} alerts/s  (p99 ${fmt(r.p99, 1)} ms; server CPU ${fmt((cpu * 1e6) / alertsDone, 1)} µs per alert)`);
  };
  const ours = { url: d.url, path: '/v1/integrations/alertmanager', token: d.token, pid: d.pid };
  console.log(`alert intake, ${CONNECTIONS} connections, ${SECONDS}s each, same machine and run (load average ${readFileSync('/proc/loadavg', 'utf8').split(' ')[0]}):`);
  // warm-up: opens the 50 issues the repeat cases hit
  await runLoad({ url: d.url, method: 'POST', path: ours.path, body: webhook(alerts(50, false)), token: d.token, connections: 1, seconds: 1 });
  await measure('new1', 'ours: 1 new alert per request (each opens an issue)', ours, webhook(alerts(1, true)), 1);
  await measure('rep1', 'ours: 1 repeated alert per request (deduplicated)', ours, webhook(alerts(1, false)), 1);
  await measure('new100', 'ours: 100 new alerts per request', ours, webhook(alerts(100, true)), 100);
  await measure('rep100', 'ours: 100 repeated alerts per request', ours, webhook(alerts(100, false)), 100);
  if (am) {
    const theirs = { url: am.url, path: '/api/v2/alerts', pid: am.pid };
    await measure('am1', 'Alertmanager POST /api/v2/alerts: 1 new alert per request', theirs, alerts(1, true), 1);
    await measure('am100', 'Alertmanager POST /api/v2/alerts: 100 new alerts per request', theirs, alerts(100, true), 100);
    const by = new Map(cases.map((c) => [c.key, c]));
    const ratio = (k: string, a: string): string => {
      const o = by.get(k);
      const t = by.get(a)!;
      return o ? `${k} ${fmt(o.rps * o.perRequest / (t.rps * t.perRequest), 2)} (CPU per alert ${fmt(o.cpuUsPerAlert / t.cpuUsPerAlert, 2)}x theirs)` : '';
    };
    console.log(`  ratio ours/Alertmanager alerts/s: ${[ratio('new1', 'am1'), ratio('rep1', 'am1'), ratio('new100', 'am100'), ratio('rep100', 'am100')].filter(Boolean).join('; ')}`);
  } else {
    console.log('  Alertmanager: skipped (prometheus-alertmanager not installed)');
  }
} finally {
  await am?.stop();
  await d.stop();
}
