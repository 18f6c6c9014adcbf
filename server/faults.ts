import { mulberry32, type Random } from './random';
import type { ServerOptions } from './options';

/**
 * Seeded random faults. Each kind of fault draws from its own stream, so
 * switching one on does not change when another fires for the same seed, and
 * a stream is only drawn from when its fault is enabled.
 */
export class RandomFaults {
  readonly #options: ServerOptions;
  readonly #unavailable: Random;
  readonly #commitFailure: Random;
  readonly #latency: Random;
  readonly #hang: Random;

  constructor(options: ServerOptions) {
    this.#options = options;
    this.#unavailable = mulberry32(options.seed ^ 0x5031);
    this.#commitFailure = mulberry32(options.seed ^ 0x0500);
    this.#latency = mulberry32(options.seed ^ 0x1a7e);
    this.#hang = mulberry32(options.seed ^ 0x4a96);
  }

  /** Whether this request answers 503 before anything else happens. */
  unavailable(): boolean {
    return chance(this.#unavailable, this.#options.fault503Rate);
  }

  /** Whether this committed write is answered 500 anyway. */
  commitFailure(): boolean {
    return chance(this.#commitFailure, this.#options.faultCommit500Rate);
  }

  /** How long this request hangs before processing (0 for most requests). */
  hangMs(): number {
    return chance(this.#hang, this.#options.hangRate) ? this.#options.hangMs : 0;
  }

  /** Extra latency for this request, latencyMinMs to latencyMaxMs inclusive. */
  latencyMs(): number {
    const min = Math.min(this.#options.latencyMinMs, this.#options.latencyMaxMs);
    const max = this.#options.latencyMaxMs;
    return max === 0 ? 0 : min + Math.floor(this.#latency() * (max - min + 1));
  }
}

function chance(random: Random, rate: number): boolean {
  return rate > 0 && random() < rate;
}
