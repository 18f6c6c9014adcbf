/** How a {@link RateSchedule} paces and adapts; every field but the rate has a default. */
export interface RateScheduleOptions {
  /** Requests per second at most: the starting rate and the ceiling recovery climbs back to. */
  ratePerSecond: number;
  /** Share of the current rate kept after a 429 (multiplicative decrease). Default 0.5. */
  decrease?: number;
  /** Rate regained per second without a 429, as a share of the ceiling (additive increase). Default 0.05. */
  recoveryPerSecond?: number;
  /** Lowest rate a run of 429s can push the schedule to, as a share of the ceiling. Default 0.05. */
  floor?: number;
}

/**
 * When each request of one environment may be sent, for every worker together: evenly spaced at
 * the current rate (a virtual schedule, as in GCRA), halved on a 429 and climbing back linearly
 * (AIMD, as TCP does), with every send held back until a `Retry-After` has passed. Time is passed
 * in, in milliseconds, so the schedule is a pure function of its inputs.
 */
export class RateSchedule {
  readonly #ceiling: number;
  readonly #decrease: number;
  readonly #recovery: number;
  readonly #floor: number;
  #nextSlot = Number.NEGATIVE_INFINITY;
  #holdUntil = Number.NEGATIVE_INFINITY;
  #throttledAt = Number.NEGATIVE_INFINITY;
  #rateAfterThrottle: number;

  constructor(options: RateScheduleOptions) {
    if (!(options.ratePerSecond > 0)) throw new Error('a rate schedule needs a rate above 0');
    this.#ceiling = options.ratePerSecond;
    this.#decrease = options.decrease ?? 0.5;
    this.#recovery = (options.recoveryPerSecond ?? 0.05) * this.#ceiling;
    this.#floor = (options.floor ?? 0.05) * this.#ceiling;
    this.#rateAfterThrottle = this.#ceiling;
  }

  /** Requests per second allowed at `now`. */
  rateAt(now: number): number {
    const recovered = (this.#recovery * Math.max(0, now - this.#throttledAt)) / 1000;
    return Math.min(this.#ceiling, this.#rateAfterThrottle + recovered);
  }

  /** Books the next free slot for one request; returns how long to wait for it, in ms. */
  reserve(now: number): number {
    const slot = Math.max(now, this.#nextSlot);
    this.#nextSlot = slot + 1000 / this.rateAt(slot);
    return slot - now;
  }

  /**
   * How long a `Retry-After` still holds every request, in ms. A request whose slot came before the
   * hold began asks after waiting for its slot, and books a new one when held.
   */
  holdRemaining(now: number): number {
    return Math.max(0, this.#holdUntil - now);
  }

  /**
   * Takes a 429 into account: a slower rate, and no slot before `retryAfterMs` from now.
   * `bookedAt` is when the throttled request booked its slot: requests booked before the last
   * decrease were paced at the old rate, so their 429s do not decrease it again (one decrease per
   * window, as TCP does).
   */
  throttled(now: number, throttle: { retryAfterMs?: number; bookedAt?: number } = {}): void {
    if ((throttle.bookedAt ?? now) >= this.#throttledAt) {
      this.#rateAfterThrottle = Math.max(this.#floor, this.rateAt(now) * this.#decrease);
      this.#throttledAt = now;
    }
    const holdUntil = now + (throttle.retryAfterMs ?? 0);
    this.#holdUntil = Math.max(this.#holdUntil, holdUntil);
    this.#nextSlot = Math.max(this.#nextSlot, holdUntil);
  }
}
