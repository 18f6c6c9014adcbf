/** Outcome of asking the limiter to let one request through. */
export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/**
 * A token bucket for the whole server: it holds up to one second's worth of
 * requests and refills at `requestsPerSecond`, so short bursts pass and a
 * sustained excess gets 429.
 */
export class TokenBucket {
  readonly #rate: number;
  readonly #capacity: number;
  #tokens: number;
  #updatedAt: number;

  constructor(requestsPerSecond: number, now: number = performance.now()) {
    this.#rate = requestsPerSecond;
    this.#capacity = Math.max(1, requestsPerSecond);
    this.#tokens = this.#capacity;
    this.#updatedAt = now;
  }

  /** Takes a token if one is available, else says how long until one is. */
  take(now: number = performance.now()): RateDecision {
    const elapsedSeconds = Math.max(0, now - this.#updatedAt) / 1000;
    this.#tokens = Math.min(this.#capacity, this.#tokens + elapsedSeconds * this.#rate);
    this.#updatedAt = now;
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      return { allowed: true };
    }
    // Retry-After is whole seconds; round up so a client that obeys it gets through.
    return {
      allowed: false,
      retryAfterSeconds: Math.max(1, Math.ceil((1 - this.#tokens) / this.#rate)),
    };
  }
}
