import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, type TestDaemon } from './helpers.js';

interface ErrorJson { error: { code: string; message: string; details?: { path: string; message: string }[] } }

describe('the daemon over HTTP', () => {
  let d: TestDaemon;
  beforeAll(async () => {
    d = await startDaemon({ demo: true, config: { bodyLimit: 64 * 1024 } });
  });
  afterAll(async () => d.stop());

  it('answers /healthz without a token', async () => {
    const res = await fetch(`${d.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok' });
  });

  it('reports readiness of the store and serves Prometheus text at /metrics', async () => {
    const ready = await d.api('/readyz');
    expect(await ready.json()).toEqual({ status: 'ready', checks: { store: 'ok' } });
    const metrics = await d.api('/metrics');
    expect(metrics.headers.get('content-type')).toMatch(/text\/plain/);
    const text = await metrics.text();
    expect(text).toMatch(/# TYPE http_requests_total counter/);
    expect(text).toMatch(/process_resident_memory_bytes/);
  });

  it('creates a task, stores it, audits it and gives it back with ISO times', async () => {
    const res = await d.api('/v1/tasks', { method: 'POST', json: { title: ' Disk full on db-3 ', priority: 'P1', tags: { host: 'db-3' }, team: 'dba' } });
    expect(res.status).toBe(201);
    const task = (await res.json()) as { id: string; title: string; status: string; createdAt: string; teamId: string };
    expect(task).toMatchObject({ title: 'Disk full on db-3', status: 'open' });
    expect(task.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    const shown = (await (await d.api(`/v1/tasks/${task.id}`)).json()) as { team: string };
    expect(shown.team).toBe('dba');
    // Other engines may record their own reactions to the new task right after it.
    const audit = (await (await d.api('/v1/audit?limit=20')).json()) as { action: string; subject: string; actor: string }[];
    expect(audit).toContainEqual(expect.objectContaining({ action: 'task.create', subject: task.id, actor: 'admin' }));
  });

  it('acknowledges, resolves and reassigns tasks, and refuses moves that make no sense', async () => {
    const task = (await (await d.api('/v1/tasks', { method: 'POST', json: { title: 'flaky login' } })).json()) as { id: string };
    expect((await d.api(`/v1/tasks/${task.id}/ack`, { method: 'POST' })).status).toBe(200);
    const again = await d.api(`/v1/tasks/${task.id}/ack`, { method: 'POST' });
    expect(again.status).toBe(409);
    const moved = await d.api(`/v1/tasks/${task.id}/reassign`, { method: 'POST', json: { to: 'nina' } });
    expect(((await moved.json()) as { assigneeId: string }).assigneeId).toMatch(/^mem_/);
    expect((await d.api(`/v1/tasks/${task.id}/resolve`, { method: 'POST' })).status).toBe(200);
    expect((await d.api(`/v1/tasks/${task.id}/reassign`, { method: 'POST', json: { to: 'nina' } })).status).toBe(409);
  });

  describe('bad input gets the right 4xx, a clear message and no partial write', () => {
    async function count(): Promise<number> {
      return ((await (await d.api('/v1/tasks?limit=10000')).json()) as unknown[]).length;
    }

    it('malformed JSON is a 400 that says so', async () => {
      const before = await count();
      const res = await d.api('/v1/tasks', { method: 'POST', body: '{"title": ', headers: { 'content-type': 'application/json' } });
      expect(res.status).toBe(400);
      expect(((await res.json()) as ErrorJson).error.message).toMatch(/malformed JSON/);
      expect(await count()).toBe(before);
    });

    it('a wrong type or a missing field is a 422 naming the field', async () => {
      const wrong = await d.api('/v1/tasks', { method: 'POST', json: { title: 42 } });
      expect(wrong.status).toBe(422);
      const body = (await wrong.json()) as ErrorJson;
      expect(body.error.details![0]!.path).toBe('title');
      const missing = await d.api('/v1/tasks', { method: 'POST', json: { description: 'no title' } });
      expect(missing.status).toBe(422);
      expect(((await missing.json()) as ErrorJson).error.message).toMatch(/^title/);
      const nested = await d.api('/v1/members', { method: 'POST', json: { name: 'zed', workingHours: { start: '9am', end: '17:00', days: [1] } } });
      expect(((await nested.json()) as ErrorJson).error.details![0]!.path).toBe('workingHours.start');
      const unknown = await d.api('/v1/tasks', { method: 'POST', json: { title: 'x', colour: 'red' } });
      expect(unknown.status).toBe(422);
    });

    it('an empty title after trimming is refused', async () => {
      const res = await d.api('/v1/tasks', { method: 'POST', json: { title: '   ' } });
      expect(res.status).toBe(422);
    });

    it('an unknown team or member is refused and nothing is stored', async () => {
      const before = await count();
      const res = await d.api('/v1/tasks', { method: 'POST', json: { title: 'x', team: 'no-such-team' } });
      expect(res.status).toBe(422);
      expect(((await res.json()) as ErrorJson).error.message).toMatch(/unknown team/);
      const other = await d.api('/v1/tasks', { method: 'POST', json: { title: 'x', team: 'dba', assignee: 'ben' } });
      expect(((await other.json()) as ErrorJson).error.message).toMatch(/not a member of that team/);
      expect(await count()).toBe(before);
    });

    it('an oversized body is a 413', async () => {
      const res = await d.api('/v1/tasks', { method: 'POST', json: { title: 'big', description: 'x'.repeat(100 * 1024) } });
      expect(res.status).toBe(413);
      expect(((await res.json()) as ErrorJson).error.code).toBe('too_large');
    });

    it('unknown routes are 404 and unknown methods 405 with Allow', async () => {
      const res = await d.api('/v1/nothing-here');
      expect(res.status).toBe(404);
      const method = await d.api('/v1/tasks', { method: 'DELETE' });
      expect(method.status).toBe(405);
      expect(method.headers.get('allow')).toMatch(/GET/);
    });

    it('an unknown id is a 404 and a bad query parameter a 422', async () => {
      expect((await d.api('/v1/tasks/tsk_nope')).status).toBe(404);
      expect((await d.api('/v1/tasks?status=sleeping')).status).toBe(422);
      expect((await d.api('/v1/tasks?limit=-3')).status).toBe(422);
    });

    it('never answers with a stack trace', async () => {
      const res = await d.api('/v1/tasks/%E0%A4%A', {});
      expect(res.status).toBeLessThan(500);
      expect(await res.text()).not.toMatch(/at .*\.js:\d+/);
    });
  });

  it('echoes a request id, or makes one', async () => {
    const res = await d.api('/v1/teams', { headers: { 'x-request-id': 'req-123' } });
    expect(res.headers.get('x-request-id')).toBe('req-123');
    const other = await d.api('/v1/teams');
    expect(other.headers.get('x-request-id')).toMatch(/[0-9a-f-]{36}/);
  });

  it('shows the feature flags in the status', async () => {
    const status = (await (await d.api('/v1/status')).json()) as { flags: Record<string, boolean>; store: string };
    expect(status.store).toBe('sqlite');
    expect(status.flags).toEqual({ ENABLE_AI_ROUTING: true, ENABLE_AUTO_HEALING: true, ENABLE_COMPLIANCE_AUTOMATION: true });
  });
});

describe('feature flags come from the environment', () => {
  it('turns auto-healing off with ENABLE_AUTO_HEALING=false', async () => {
    const d = await startDaemon({ env: { ENABLE_AUTO_HEALING: 'false', ENABLE_AI_ROUTING: '0' } });
    try {
      const status = (await (await d.api('/v1/status')).json()) as { flags: Record<string, boolean> };
      expect(status.flags).toEqual({ ENABLE_AI_ROUTING: false, ENABLE_AUTO_HEALING: false, ENABLE_COMPLIANCE_AUTOMATION: true });
    } finally {
      await d.stop();
    }
  });
});
