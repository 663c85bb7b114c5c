import { connect } from 'node:net';
import { request } from '../outbound/undici.js';
import { judgeHttp, type HealthCheckSpec, type ProbeResult } from '../../core/healing/health.js';
import { runArgv } from '../exec/run-argv.js';

type Of<T extends HealthCheckSpec['type']> = Extract<HealthCheckSpec, { type: T }>;

/** HTTP: status (and latency) within the timeout; the body is drained and thrown away. */
export async function probeHttp(spec: Of<'http'>): Promise<ProbeResult> {
  const started = performance.now();
  try {
    const res = await request(spec.url, {
      method: spec.method,
      headersTimeout: spec.timeout,
      bodyTimeout: spec.timeout,
      signal: AbortSignal.timeout(spec.timeout),
    });
    await res.body.dump();
    return judgeHttp(spec, res.statusCode, performance.now() - started);
  } catch (e) {
    return { ok: false, latencyMs: performance.now() - started, code: null, error: describe(e, spec.timeout) };
  }
}

/** TCP: a connection is accepted within the timeout. */
export function probeTcp(spec: Of<'tcp'>): Promise<ProbeResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    const socket = connect({ host: spec.host, port: spec.port });
    const done = (error: string | null): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ ok: error === null, latencyMs: performance.now() - started, code: null, error });
    };
    const timer = setTimeout(() => done(`no connection within ${spec.timeout} ms`), spec.timeout);
    socket.once('connect', () => done(null));
    socket.once('error', (e) => done(e.message));
  });
}

/** Command: an argv run without a shell; the expected exit code within the timeout (then killed). */
export async function probeCommand(spec: Of<'command'>): Promise<ProbeResult> {
  const r = await runArgv({ argv: spec.argv, timeoutMs: spec.timeout, maxOutput: 4096, killGraceMs: 500 });
  if (r.spawnError) return { ok: false, latencyMs: r.durationMs, code: null, error: r.spawnError };
  if (r.timedOut) return { ok: false, latencyMs: r.durationMs, code: null, error: `timed out after ${spec.timeout} ms` };
  const ok = r.exitCode === spec.expectExit;
  const tail = r.stderr.trim().split('\n').pop()?.slice(0, 200) ?? '';
  return {
    ok,
    latencyMs: r.durationMs,
    code: r.exitCode,
    error: ok ? null : `exit ${r.exitCode ?? r.signal}, expected ${spec.expectExit}${tail ? `: ${tail}` : ''}`,
  };
}

export function probe(spec: HealthCheckSpec): Promise<ProbeResult> {
  switch (spec.type) {
    case 'http':
      return probeHttp(spec);
    case 'tcp':
      return probeTcp(spec);
    case 'command':
      return probeCommand(spec);
  }
}

function describe(e: unknown, timeout: number): string {
  const err = e as { name?: string; code?: string; message?: string; cause?: { code?: string; message?: string } };
  if (err.name === 'TimeoutError' || err.code === 'UND_ERR_HEADERS_TIMEOUT' || err.name === 'AbortError') return `no answer within ${timeout} ms`;
  return err.cause?.code ?? err.code ?? err.message ?? String(e);
}
