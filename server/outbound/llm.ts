import { LlmError, type Llm, type LlmRequest, type LlmResponse } from '../../core/llm.js';
import { NonRetryable, type Outbound } from './outbound.js';

export interface ResilientLlmOptions {
  /** Deadline of one call, the adapter's own retries included (default 60 s). */
  timeoutMs?: number;
  /** The outbound target: its circuit breaker, metrics and failure records (default `claude`). */
  target?: string;
  /**
   * The caller's signal is a deadline (routing's budget), not a person cancelling: when it fires, Claude was
   * too slow, and that counts against the target, so a Claude that never answers in time is skipped.
   */
  callerDeadline?: boolean;
}

/** A refusal of this one request (400): Claude answered, so it says nothing about whether Claude is up. */
class Refused {
  constructor(readonly error: LlmError) {}
}

/**
 * Claude through the outbound layer: the adapter keeps its own retries (it knows Anthropic's retry-after
 * rules), this adds the deadline, the circuit breaker, the failure record and the `traceparent` header.
 * Errors stay LlmErrors, so callers' offline fallbacks keep working; an open circuit is `unavailable` at once.
 */
export class ResilientLlm implements Llm {
  private readonly timeoutMs: number;
  private readonly target: string;

  constructor(private readonly inner: Llm, private readonly outbound: Outbound, private readonly opts: ResilientLlmOptions = {}) {
    this.timeoutMs = opts.timeoutMs ?? 60_000;
    this.target = opts.target ?? 'claude';
  }

  get model(): string {
    return this.inner.model;
  }

  async complete(req: LlmRequest): Promise<LlmResponse> {
    let failure: unknown = null;
    const deadline = this.opts.callerDeadline === true;
    let result: LlmResponse | Refused;
    try {
      result = await this.outbound.call(this.target, async ({ signal, headers }) => {
        try {
          const signals = [signal, ...(req.signal ? [req.signal] : [])];
          return await this.inner.complete({ ...req, signal: AbortSignal.any(signals), headers: { ...req.headers, ...headers } });
        } catch (err) {
          failure = err;
          if (!(err instanceof LlmError)) throw err;
          if (err.kind === 'bad_request') return new Refused(err);
          if (err.kind === 'aborted' && deadline && req.signal?.aborted) throw new NonRetryable('no answer within the caller\'s deadline');
          // Asking again with the same key will not help; the call is recorded as failed.
          if (err.kind === 'auth' || err.kind === 'aborted') throw new NonRetryable(err.message);
          throw err;
        }
      }, { retries: 0, timeoutMs: this.timeoutMs, ...(req.orgId ? { orgId: req.orgId } : {}), ...(!deadline && req.signal ? { signal: req.signal } : {}) });
    } catch (err) {
      if (failure instanceof LlmError) throw failure;
      if (req.signal?.aborted) throw new LlmError('aborted', 'the request was cancelled');
      throw new LlmError('unavailable', (err as Error).message);
    }
    if (result instanceof Refused) throw result.error;
    return result;
  }
}
