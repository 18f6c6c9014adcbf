/** How a {@link RateSchedule} paces and adapts; every field but the rate has a default. */
export interface RateScheduleOptions {
  /** Requests per second to start at: the configured rate, below the limit people report. */
  ratePerSecond: number;
  /**
   * How far above the starting rate the schedule probes for the real limit, as a multiple of it.
   * Default 2; 1 never goes above the starting rate.
   */
  probeCeiling?: number;
  /** Share of the current rate kept after a 429 (multiplicative decrease). Default 0.8. */
  decrease?: number;
  /**
   * Rate gained per second of requests sent back to back without a 429, as a share of the starting
   * rate (additive increase); an idle schedule gains nothing. Default 0.05. After a 429, that fast
   * back to nine tenths of the rate it was throttled at, and beyond that a quarter as fast: the
   * limit is near, and a server's token bucket answers an excess only once the bucket is empty, so
   * a fast climb would overshoot it by far before a 429 said so.
   */
  recoveryPerSecond?: number;
  /** Lowest rate a run of 429s can push the schedule to, as a share of the starting rate. Default 0.05. */
  floor?: number;
}

/**
 * When each request of one environment may be sent, for every worker together: evenly spaced at
 * the current rate (a virtual schedule, as in GCRA). The rate starts at the configured one and
 * climbs linearly, up to twice it, until the server answers 429; then it drops by a fifth and
 * climbs again, slowly once it nears the rate that was throttled (AIMD, as TCP does), so it hovers at the real limit and spends the
 * budget, with every send held back until a `Retry-After` has passed. Time is passed in, in
 * milliseconds, so the schedule is a pure function of its inputs. The rate climbs only while
 * requests wait for their slots: a run that does not use its budget learns nothing about the limit.
 */
export class RateSchedule {
  readonly #start: number;
  readonly #ceiling: number;
  readonly #decrease: number;
  readonly #recovery: number;
  readonly #floor: number;
  #nextSlot = Number.NEGATIVE_INFINITY;
  #holdUntil = Number.NEGATIVE_INFINITY;
  #rate: number;
  #throttledAt = Number.NEGATIVE_INFINITY;
  /** The rate of the last 429: the limit is below it. */
  #throttledRate = Number.POSITIVE_INFINITY;

  constructor(options: RateScheduleOptions) {
    if (!(options.ratePerSecond > 0)) throw new Error('a rate schedule needs a rate above 0');
    this.#start = options.ratePerSecond;
    this.#ceiling = Math.max(1, options.probeCeiling ?? 2) * this.#start;
    this.#decrease = options.decrease ?? 0.8;
    this.#recovery = (options.recoveryPerSecond ?? 0.05) * this.#start;
    this.#floor = (options.floor ?? 0.05) * this.#start;
    this.#rate = this.#start;
  }

  /** Requests per second allowed now. */
  get rate(): number {
    return this.#rate;
  }

  /** Books the next free slot for one request; returns how long to wait for it, in ms. */
  reserve(now: number): number {
    const busy = this.#nextSlot >= now;
    const slot = Math.max(now, this.#nextSlot);
    const interval = 1000 / this.#rate;
    this.#nextSlot = slot + interval;
    // Back to back, each slot is one interval of climbing: per second, the recovery.
    if (busy) {
      const recovery = this.#rate < 0.9 * this.#throttledRate ? this.#recovery : this.#recovery / 4;
      this.#rate = Math.min(this.#ceiling, this.#rate + (recovery * interval) / 1000);
    }
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
      this.#throttledRate = this.#rate;
      this.#rate = Math.max(this.#floor, this.#rate * this.#decrease);
      this.#throttledAt = now;
    }
    const holdUntil = now + (throttle.retryAfterMs ?? 0);
    this.#holdUntil = Math.max(this.#holdUntil, holdUntil);
    this.#nextSlot = Math.max(this.#nextSlot, holdUntil);
  }
}
