import { describe, it, expect } from 'vitest';
import { AppError } from '../../errors.js';
import { executionOrder, parsePlaybook, validatePlaybook } from './parse.js';

const CONTRACT_EXAMPLE = `
name: restart-api-on-latency        # a playbook
trigger: {source: anomaly, match: {field: labels.service, op: eq, value: api}, severity: high}
cooldown: 300                        # seconds, per playbook and target
steps:
  - {id: ok, type: approve, timeout: 15m}
  - {id: restart, type: exec, argv: [systemctl, restart, "{{issue.labels.service}}"], timeout: 30s, idempotent: true}
  - {id: check, type: verify, metric: api_latency_p99, condition: {op: lt, value: 0.5}, within: 2m}
rollback:
  - {id: notify, type: notify, channel: slack, text: "restart of {{issue.labels.service}} did not help"}
`;

/** The paths a refused document is refused for. */
function refusedPaths(doc: unknown): string[] {
  try {
    validatePlaybook(doc);
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    expect((e as AppError).kind).toBe('validation');
    return ((e as AppError).details as { issues: { path: string }[] }).issues.map((i) => i.path);
  }
  throw new Error('the playbook was accepted');
}

const exec = (id: string, argv: unknown[] = ['true'], extra: object = {}) => ({ id, type: 'exec', argv, ...extra });

describe('playbook files', () => {
  it('accepts the example of CONTRACT.md and normalises durations to milliseconds', () => {
    const pb = parsePlaybook(CONTRACT_EXAMPLE);
    expect(pb.name).toBe('restart-api-on-latency');
    expect(pb.cooldown).toBe(300_000);
    expect(pb.steps.map((s) => s.type)).toEqual(['approve', 'exec', 'verify']);
    expect(pb.steps[0]).toMatchObject({ timeout: 900_000 });
    expect(pb.steps[1]).toMatchObject({ timeout: 30_000, idempotent: true, argv: ['systemctl', 'restart', '{{issue.labels.service}}'] });
    expect(pb.steps[2]).toMatchObject({ within: 120_000, condition: { op: 'lt', value: 0.5 } });
    expect(pb.trigger?.match).toEqual({ field: 'labels.service', op: 'eq', value: 'api' });
    expect(pb.rollback).toHaveLength(1);
  });

  it('accepts JSON as well', () => {
    const pb = parsePlaybook(JSON.stringify({ name: 'j', steps: [exec('a', ['echo', 'hi'])] }));
    expect(pb.steps[0]).toMatchObject({ idempotent: false, timeout: 30_000 });
  });

  it('refuses an unknown step type at its path', () => {
    expect(refusedPaths({ name: 'x', steps: [exec('a'), { id: 'b', type: 'shell', command: 'rm -rf /' }] })).toEqual(['steps[1].type']);
  });

  it('refuses an exec step without argv, or with a shell string instead of a list', () => {
    expect(refusedPaths({ name: 'x', steps: [{ id: 'a', type: 'exec' }] })).toEqual(['steps[0].argv']);
    expect(refusedPaths({ name: 'x', steps: [{ id: 'a', type: 'exec', argv: 'systemctl restart api' }] })).toEqual(['steps[0].argv']);
    expect(refusedPaths({ name: 'x', steps: [{ id: 'a', type: 'exec', argv: [] }] })).toEqual(['steps[0].argv']);
  });

  it('refuses fields a step type does not have', () => {
    expect(refusedPaths({ name: 'x', steps: [exec('a', ['ls'], { shell: true })] })).toEqual(['steps[0].shell']);
    expect(refusedPaths({ name: 'x', stepz: [], steps: [exec('a')] })).toEqual(['stepz']);
  });

  it('refuses bad templates at the exact field', () => {
    expect(refusedPaths({ name: 'x', steps: [exec('a', ['echo', '{{issue.labels.service'])] })).toEqual(['steps[0].argv[1]']);
    expect(refusedPaths({ name: 'x', steps: [exec('a', ['echo', '{{ }}'])] })).toEqual(['steps[0].argv[1]']);
    expect(refusedPaths({ name: 'x', steps: [exec('a', ['echo', '{{process.env.HOME}}'])] })).toEqual(['steps[0].argv[1]']);
    expect(refusedPaths({ name: 'x', steps: [exec('a', ['echo'], { env: { X: '{{issue.labels["a b"]}}' } })] })).toEqual(['steps[0].env.X']);
    expect(refusedPaths({ name: 'x', steps: [{ id: 'n', type: 'notify', channel: 'slack', text: 'hi {{steps.a}}' }] })).toEqual(['steps[0].text']);
  });

  it('refuses steps that refer to each other in a cycle', () => {
    const paths = refusedPaths({
      name: 'x',
      steps: [
        exec('a', ['echo', '{{steps.b.stdout}}']),
        exec('b', ['echo'], { needs: ['a'] }),
      ],
    });
    expect(paths).toEqual(['steps[0]']);
  });

  it('refuses a step that refers to itself or to a step that does not exist', () => {
    expect(refusedPaths({ name: 'x', steps: [exec('a', ['echo', '{{steps.a.stdout}}'])] })).toEqual(['steps[0].argv[1]']);
    expect(refusedPaths({ name: 'x', steps: [exec('a', ['echo'], { needs: ['ghost'] })] })).toEqual(['steps[0].needs[0]']);
  });

  it('refuses duplicate step ids, also between steps and rollback', () => {
    expect(refusedPaths({ name: 'x', steps: [exec('a'), exec('a')] })).toEqual(['steps[1].id']);
    expect(refusedPaths({ name: 'x', steps: [exec('a')], rollback: [exec('a')] })).toEqual(['rollback[0].id']);
  });

  it('lets rollback steps use the results of the main steps', () => {
    const pb = validatePlaybook({ name: 'x', steps: [exec('a')], rollback: [exec('undo', ['echo', '{{steps.a.stdout}}'])] });
    expect(pb.rollback[0]!.id).toBe('undo');
  });

  it('refuses a bad trigger condition with its path', () => {
    expect(refusedPaths({ name: 'x', trigger: { match: { field: 'labels.service', op: 'like', value: 'a' } }, steps: [exec('a')] }))
      .toEqual(['trigger.match.op']);
  });

  it('refuses bad durations and names every problem at once', () => {
    const paths = refusedPaths({ name: 'bad name!', cooldown: 'soon', steps: [{ id: 'w', type: 'wait', duration: '5 minutes' }] });
    expect(paths.sort()).toEqual(['cooldown', 'name', 'steps[0].duration']);
  });

  it('refuses a verify step that has nothing to verify', () => {
    expect(refusedPaths({ name: 'x', steps: [{ id: 'v', type: 'verify' }] })).toEqual(['steps[0].metric']);
    expect(refusedPaths({ name: 'x', steps: [{ id: 'v', type: 'verify', metric: 'm' }] })).toEqual(['steps[0].condition']);
  });

  it('reports YAML syntax errors with a line number', () => {
    expect(() => parsePlaybook('name: x\nsteps: [\n  - {id: a')).toThrow(/line \d+/);
  });
});

describe('execution order', () => {
  it('keeps declared order and moves a step after the steps it refers to', () => {
    const pb = validatePlaybook({
      name: 'x',
      steps: [exec('report', ['echo', '{{steps.probe.stdout}}']), exec('probe', ['uptime']), exec('last')],
    });
    expect(executionOrder(pb.steps).order.map((s) => s.id)).toEqual(['probe', 'report', 'last']);
  });
});
