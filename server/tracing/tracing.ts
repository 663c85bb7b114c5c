import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, TraceFlags, type Span, type Tracer as OtelTracer } from '@opentelemetry/api';

/** W3C trace context of one span: what a `traceparent` header carries. */
export interface TraceParent {
  traceId: string;
  spanId: string;
  sampled: boolean;
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(?:-.*)?$/;

/** Parses a `traceparent` header; anything malformed (or the all-zero ids) is ignored, as the spec says. */
export function parseTraceparent(header: string | string[] | undefined): TraceParent | null {
  if (typeof header !== 'string') return null;
  const m = TRACEPARENT.exec(header.trim().toLowerCase());
  if (!m || m[1] === 'ff' || /^0+$/.test(m[2]!) || /^0+$/.test(m[3]!)) return null;
  if (m[1] === '00' && header.trim().length !== 55) return null;
  return { traceId: m[2]!, spanId: m[3]!, sampled: (parseInt(m[4]!, 16) & 1) === 1 };
}

// Ids for every request: draw random bytes in blocks rather than asking the system per id.
let pool = Buffer.alloc(0);
let offset = 0;
function randomHex(bytes: number): string {
  if (offset + bytes > pool.length) {
    pool = randomBytes(4096);
    offset = 0;
  }
  const hex = pool.toString('hex', offset, offset + bytes);
  offset += bytes;
  return hex;
}

export const formatTraceparent = (t: TraceParent): string => `00-${t.traceId}-${t.spanId}-${t.sampled ? '01' : '00'}`;

/** One span: its ids (for propagation and logs) and, when exporting, the OpenTelemetry span behind it. */
export interface SpanHandle extends TraceParent {
  setAttribute(key: string, value: string | number | boolean): void;
  end(error?: string): void;
}

const current = new AsyncLocalStorage<SpanHandle>();

/** The span of the request (or outbound call) this code runs for, if any. */
export const currentSpan = (): SpanHandle | undefined => current.getStore();
export const runInSpan = <T>(span: SpanHandle, fn: () => T): T => current.run(span, fn);

/**
 * Spans for requests and outbound calls. Without an exporter it still mints ids, so `traceparent` is
 * accepted, answered and propagated; with one (OTEL_EXPORTER_OTLP_ENDPOINT) spans go out over OTLP/HTTP.
 */
export class Tracing {
  private readonly byRequest = new WeakMap<IncomingMessage, SpanHandle>();

  constructor(private readonly tracer: OtelTracer | null, private readonly shutdownFn: () => Promise<void> = async () => {}) {}

  startSpan(name: string, kind: 'server' | 'client' | 'internal', parent: TraceParent | null | undefined, attributes: Record<string, string | number | boolean> = {}): SpanHandle {
    if (!this.tracer) {
      const ids = { traceId: parent?.traceId ?? randomHex(16), spanId: randomHex(8), sampled: parent?.sampled ?? true };
      return { ...ids, setAttribute: () => {}, end: () => {} };
    }
    const ctx = parent
      ? trace.setSpanContext(ROOT_CONTEXT, { traceId: parent.traceId, spanId: parent.spanId, traceFlags: parent.sampled ? TraceFlags.SAMPLED : TraceFlags.NONE, isRemote: true })
      : ROOT_CONTEXT;
    const otelKind = kind === 'server' ? SpanKind.SERVER : kind === 'client' ? SpanKind.CLIENT : SpanKind.INTERNAL;
    const span: Span = this.tracer.startSpan(name, { kind: otelKind, attributes }, ctx);
    const sc = span.spanContext();
    let ended = false;
    return {
      traceId: sc.traceId, spanId: sc.spanId, sampled: (sc.traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED,
      setAttribute: (k, v) => void span.setAttribute(k, v),
      end(error) {
        if (ended) return;
        ended = true;
        if (error) span.setStatus({ code: SpanStatusCode.ERROR, message: error });
        span.end();
      },
    };
  }

  /** A child span of the current one (or a new trace), e.g. for an outbound call. */
  child(name: string, kind: 'client' | 'internal' = 'client', attributes: Record<string, string | number | boolean> = {}): SpanHandle {
    return this.startSpan(name, kind, currentSpan() ?? null, attributes);
  }

  /**
   * Runs a request inside its server span: continues the caller's trace from `traceparent`, answers with
   * the span's own `traceparent`, and ends the span when the response is done.
   */
  aroundRequest<T>(req: IncomingMessage, res: ServerResponse, fn: () => Promise<T>): Promise<T> {
    const url = (req.url ?? '/').split('?')[0]!;
    const span = this.startSpan(`${req.method ?? 'GET'} ${url.slice(0, 200)}`, 'server', parseTraceparent(req.headers.traceparent), {
      'http.request.method': req.method ?? '', 'url.path': url.slice(0, 500),
    });
    this.byRequest.set(req, span);
    if (!res.headersSent) res.setHeader('traceparent', formatTraceparent(span));
    // Without an exporter a span is ids only: nothing to end.
    if (this.tracer) {
      res.once('close', () => {
        span.setAttribute('http.response.status_code', res.statusCode);
        span.end(res.statusCode >= 500 ? `HTTP ${res.statusCode}` : undefined);
      });
    }
    return runInSpan(span, fn);
  }

  /** For the request log line, so logs and traces join on one id. */
  traceIdOf(req: IncomingMessage): string | undefined {
    return this.byRequest.get(req)?.traceId;
  }

  shutdown(): Promise<void> {
    return this.shutdownFn();
  }
}

/** Tracing for the daemon: exporting over OTLP/HTTP when an endpoint is configured. */
export async function createTracing(opts: { endpoint: string | null; serviceName: string; version: string }): Promise<Tracing> {
  if (!opts.endpoint) return new Tracing(null);
  const [{ BasicTracerProvider, BatchSpanProcessor }, { OTLPTraceExporter }, { resourceFromAttributes }] = await Promise.all([
    import('@opentelemetry/sdk-trace-base'), import('@opentelemetry/exporter-trace-otlp-http'), import('@opentelemetry/resources'),
  ]);
  const url = /\/v1\/traces\/?$/.test(opts.endpoint) ? opts.endpoint : `${opts.endpoint.replace(/\/+$/, '')}/v1/traces`;
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': opts.serviceName, 'service.version': opts.version }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url, timeoutMillis: 5000 }), { scheduledDelayMillis: 1000 })],
  });
  return new Tracing(provider.getTracer('foundry-op', opts.version), () => provider.shutdown());
}
