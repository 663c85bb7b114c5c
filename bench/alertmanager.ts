/**
 * Alert intake: our POST /v1/integrations/alertmanager (webhook v4 payload → deduplicated issues in
 * SQLite, audited, announced) beside the real Prometheus Alertmanager's own POST /api/v2/alerts, both
 * measured in the same run on the same machine: one alert per request and batches of 100, with new
 * alerts (every alert opens an issue) and with repeats (the usual case: Alertmanager re-sends firing
 * alerts every group interval).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../fixtures/free-port.js';
import { fmt, runLoad, startBenchDaemon, type LoadResult } from './lib.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const CONNECTIONS = 16;
const BINARY = ['/usr/bin/prometheus-alertmanager', '/usr/local/bin/alertmanager', '/usr/bin/alertmanager'].find((p) => existsSync(p));


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

const line = (what: string, r: LoadResult, perRequest: number): string =>
  `${what.padEnd(58)} ${fmt(r.rps * perRequest, 0).padStart(8)} alerts/s  (p99 ${fmt(r.p99, 1)} ms, errors ${r.errors})`;

async function startAlertmanager(): Promise<{ url: string; stop(): Promise<void> } | null> {
  if (!BINARY) return null;
  const dir = mkdtempSync(join(tmpdir(), 'foundry-am-bench-'));
  // a receiver without integrations: Alertmanager only takes the alerts in, as the comparison needs
  writeFileSync(join(dir, 'am.yml'), 'route:\n  receiver: blackhole\nreceivers:\n  - name: blackhole\n');
  const port = await freePort();
  const child: ChildProcess = spawn(BINARY, [
    `--config.file=${join(dir, 'am.yml')}`, `--storage.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address=',
  ], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      if ((await fetch(`${url}/-/ready`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error('Alertmanager did not become ready');
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    async stop() {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const d = await startBenchDaemon();
const am = await startAlertmanager();
try {
  const ours = (body: unknown) => runLoad({ url: d.url, method: 'POST', path: '/v1/integrations/alertmanager', body, token: d.token, connections: CONNECTIONS, seconds: SECONDS });
  const theirs = (body: unknown) => runLoad({ url: am!.url, method: 'POST', path: '/api/v2/alerts', body, connections: CONNECTIONS, seconds: SECONDS });
  await ours(webhook(alerts(1, false)));
  const rows: string[] = [];
  const o1 = await ours(webhook(alerts(1, true)));
  rows.push(line('ours: 1 new alert per request (each opens an issue)', o1, 1));
  const o1r = await ours(webhook(alerts(1, false)));
  rows.push(line('ours: 1 repeated alert per request (deduplicated)', o1r, 1));
  const o100 = await ours(webhook(alerts(100, true)));
  rows.push(line('ours: 100 new alerts per request', o100, 100));
  const o100r = await ours(webhook(alerts(100, false)));
  rows.push(line('ours: 100 repeated alerts per request', o100r, 100));
  if (am) {
    const a1 = await theirs(alerts(1, true));
    rows.push(line('Alertmanager POST /api/v2/alerts: 1 new alert per request', a1, 1));
    const a100 = await theirs(alerts(100, true));
    rows.push(line('Alertmanager POST /api/v2/alerts: 100 new alerts per request', a100, 100));
    rows.push(`ratio ours/Alertmanager: 1 per request ${fmt(o1.rps / a1.rps, 2)} (new) ${fmt(o1r.rps / a1.rps, 2)} (repeats); 100 per request ${fmt(o100.rps / a100.rps, 2)} (new) ${fmt(o100r.rps / a100.rps, 2)} (repeats)`);
  } else {
    rows.push('Alertmanager: skipped (prometheus-alertmanager not installed)');
  }
  console.log(`alert intake, ${CONNECTIONS} connections, ${SECONDS}s each, same machine and run:`);
  for (const r of rows) console.log(`  ${r}`);
} finally {
  await am?.stop();
  await d.stop();
}
