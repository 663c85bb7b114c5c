import { LlmError, type Llm, type LlmRequest, type LlmResponse } from '../../core/llm.js';
import { NonRetryable, type Outbound } from './outbound.js';

/**
 * Claude through the outbound layer: the adapter keeps its own retries (it knows Anthropic's retry-after
 * rules), this adds the deadline, the circuit breaker and the failure record. Errors stay LlmErrors, so
 * callers' offline fallbacks keep working; an open circuit is `unavailable` at once.
 */
export class ResilientLlm implements Llm {
  constructor(private readonly inner: Llm, private readonly outbound: Outbound, private readonly timeoutMs = 60_000, private readonly target = 'claude') {}

  get model(): string {
    return this.inner.model;
  }

  async complete(req: LlmRequest): Promise<LlmResponse> {
    let failure: unknown = null;
    try {
      return await this.outbound.call(this.target, async ({ signal }) => {
        try {
          const signals = [signal, ...(req.signal ? [req.signal] : [])];
          return await this.inner.complete({ ...req, signal: AbortSignal.any(signals) });
        } catch (err) {
          failure = err;
          // Asking again with the same key or request will not help.
          if (err instanceof LlmError && ['auth', 'bad_request', 'aborted'].includes(err.kind)) throw new NonRetryable(err.message);
          throw err;
        }
      }, { retries: 0, timeoutMs: this.timeoutMs });
    } catch (err) {
      if (failure instanceof LlmError) throw failure;
      throw new LlmError('unavailable', (err as Error).message);
    }
  }
}
