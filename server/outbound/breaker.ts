/**
 * A circuit breaker per outbound target. After `threshold` consecutive failures the circuit opens and
 * calls fail at once for `cooldownMs`; then one trial call is let through (half-open): success closes
 * the circuit, failure opens it for another cooldown. So a dead Slack costs nothing but a check.
 */
export type CircuitState = 'closed' | 'open' | 'half_open';

export interface BreakerOptions {
  threshold: number;
  cooldownMs: number;
}

export class CircuitBreaker {
  private failures = 0;
  private openedAt: number | null = null;
  private trialInFlight = false;

  constructor(private readonly opts: BreakerOptions) {}

  state(now: number): CircuitState {
    if (this.openedAt === null) return 'closed';
    return now - this.openedAt >= this.opts.cooldownMs ? 'half_open' : 'open';
  }

  /** Whether a call may go out now; in half-open state only one trial at a time. */
  allow(now: number): boolean {
    const s = this.state(now);
    if (s === 'closed') return true;
    if (s === 'open' || this.trialInFlight) return false;
    this.trialInFlight = true;
    return true;
  }

  /** Milliseconds until the next trial is allowed (0 when closed). */
  retryInMs(now: number): number {
    return this.openedAt === null ? 0 : Math.max(0, this.openedAt + this.opts.cooldownMs - now);
  }

  /** A call that ended without a verdict (its caller cancelled it): a trial slot it held is free again. */
  release(): void {
    this.trialInFlight = false;
  }

  success(): void {
    this.failures = 0;
    this.openedAt = null;
    this.trialInFlight = false;
  }

  failure(now: number): void {
    this.failures++;
    const wasTrial = this.trialInFlight;
    this.trialInFlight = false;
    if (wasTrial || this.failures >= this.opts.threshold) this.openedAt = now;
  }

  get consecutiveFailures(): number {
    return this.failures;
  }
}
