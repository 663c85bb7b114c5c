import { afterAll, beforeAll, describe, it, expect } from 'vitest';
import { ALERTMANAGER_BINARY, startAlertmanager, type RunningAlertmanager } from '../fixtures/alertmanager.js';
import { eventually, startDaemon, type TestDaemon } from './helpers.js';

/**
 * The real peer: Prometheus Alertmanager (Debian package prometheus-alertmanager, installed by .ci/run)
 * with a webhook receiver pointing at the daemon. An alert posted to Alertmanager opens an issue, the
 * issue starts a playbook, and the alert resolving resolves the issue.
 */

let d: TestDaemon;
let am: RunningAlertmanager | undefined;
let amUrl = '';
const amLog = (): string => am?.log() ?? '';

const api = async <T>(path: string): Promise<T> => (await (await d.api(path)).json()) as T;

describe.skipIf(!ALERTMANAGER_BINARY)('with a real Prometheus Alertmanager', () => {
  beforeAll(async () => {
    d = await startDaemon();
    const ingest = await d.tokenFor('operator', 'alertmanager');
    const playbook = [
      'name: restart-on-alert',
      'trigger: {source: alert, labels: {alertname: ApiDown}}',
      'cooldown: 0',
      'steps:',
      '  - {id: restart, type: exec, argv: [echo, restarting, "{{issue.labels.service}}"], idempotent: true}',
    ].join('\n');
    expect((await d.api('/v1/healing/playbooks', { method: 'POST', json: { source: playbook } })).status).toBe(201);

    const config = [
      'route:',
      '  receiver: foundry',
      '  group_by: [alertname, service]',
      '  group_wait: 0s',
      '  group_interval: 1s',
      '  repeat_interval: 1h',
      'receivers:',
      '  - name: foundry',
      '    webhook_configs:',
      `      - url: ${d.url}/v1/integrations/alertmanager`,
      '        send_resolved: true',
      '        http_config:',
      '          authorization:',
      '            type: Bearer',
      `            credentials: ${ingest}`,
    ].join('\n');
    am = await startAlertmanager(config, { debug: true });
    amUrl = am.url;
  }, 60_000);

  afterAll(async () => {
    await am?.stop();
    await d?.stop();
  });

  it('turns an alert posted to Alertmanager into an issue and a playbook run, and resolves the issue with it', async () => {
    const labels = { alertname: 'ApiDown', service: 'api', severity: 'critical' };
    const post = (body: unknown) => fetch(`${amUrl}/api/v2/alerts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const fired = await post([{ labels, annotations: { summary: 'the API does not answer' }, startsAt: new Date().toISOString() }]);
    expect(fired.status).toBe(200);

    type IssueView = { id: string; status: string; source: string; labels: Record<string, string>; title: string };
    const issue = await eventually(async () => (await api<IssueView[]>('/v1/healing/issues?status=all')).find((i) => i.labels.alertname === 'ApiDown'), 20_000, 'the issue')
      .catch((e: Error) => { throw new Error(`${e.message}; Alertmanager said:\n${amLog().split('\n').filter((l) => !l.includes('gossip')).slice(-12).join('\n')}`); });
    expect(issue).toMatchObject({ source: 'alert', status: 'open', title: 'the API does not answer' });

    type ActionView = { id: string; status: string; issueId: string; trigger: string; steps?: Array<{ output: { stdout?: string } }> };
    const action = await eventually(async () => (await api<ActionView[]>('/v1/healing/actions')).find((a) => a.issueId === issue.id), 20_000, 'the playbook to start');
    expect(action.trigger).toBe('auto');
    const done = await eventually(async () => {
      const a = await api<ActionView>(`/v1/healing/actions/${action.id}`);
      return a.status === 'succeeded' ? a : undefined;
    }, 20_000, 'the action to finish');
    expect(done.steps![0]!.output.stdout).toBe('restarting api\n');

    const resolved = await post([{ labels, startsAt: new Date(Date.now() - 60_000).toISOString(), endsAt: new Date().toISOString() }]);
    expect(resolved.status).toBe(200);
    await eventually(async () => (await api<IssueView>(`/v1/healing/issues/${issue.id}`)).status === 'resolved', 30_000, 'the issue to resolve');
  }, 90_000);
});
