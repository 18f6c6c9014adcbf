import { askCoordinator } from './pacer';

/**
 * How the read-lag bound is learned from what the run observes, every field with its default.
 * The bound in force is `percentile × factor + floorMs` of the observed lags, never above the
 * configured ceiling (`<ENV>_READ_LAG_MS`), which also holds until `minSamples` are in.
 */
export interface ReadLagSettings {
  /** The configured bound: the starting point and the most the learned one may be. */
  ceilingMs: number;
  /** Added to the scaled percentile, for poll granularity and a lag never seen yet. Default 100. */
  floorMs?: number;
  /** The percentile scaled: 0.95, so one stalled observation among twenty does not set the bound. */
  percentile?: number;
  /** Safety factor on the percentile. Default 2. */
  factor?: number;
  /** Samples needed before the bound drops below the ceiling. Default 10. */
  minSamples?: number;
}

/** The latest samples kept (a window, so a backend that slows down raises the bound again). */
const WINDOW = 500;

/** The observed lags of one environment and the bound they give; time is passed in, as ms. */
export class ReadLagEstimate {
  readonly #samples: number[] = [];
  readonly #settings: Required<ReadLagSettings>;

  constructor(settings: ReadLagSettings) {
    this.#settings = { floorMs: 100, percentile: 0.95, factor: 2, minSamples: 10, ...settings };
  }

  get ceilingMs(): number {
    return this.#settings.ceilingMs;
  }

  /** One observed lag: a write's acknowledgement until a read first showed it, in ms. */
  add(lagMs: number): void {
    if (!Number.isFinite(lagMs) || lagMs < 0) return;
    this.#samples.push(lagMs);
    if (this.#samples.length > WINDOW) this.#samples.shift();
  }

  get samples(): number {
    return this.#samples.length;
  }

  /** The high percentile of the observed lags (nearest rank), or undefined before any. */
  highMs(): number | undefined {
    if (this.#samples.length === 0) return undefined;
    const sorted = [...this.#samples].sort((a, b) => a - b);
    const rank = Math.ceil(this.#settings.percentile * sorted.length) - 1;
    return sorted[Math.min(sorted.length - 1, Math.max(0, rank))];
  }

  /** The bound in force: the ceiling until enough samples, then the learned one capped by it. */
  boundMs(): number {
    const { ceilingMs, floorMs, factor, minSamples } = this.#settings;
    const high = this.highMs();
    if (high === undefined || this.#samples.length < minSamples) return ceilingMs;
    return Math.min(ceilingMs, Math.ceil(high * factor + floorMs));
  }

  /** What the health summary reports. */
  summary(): ReadLagSummary {
    return {
      ceilingMs: this.ceilingMs,
      boundMs: this.boundMs(),
      samples: this.samples,
      highMs: this.highMs(),
    };
  }
}

/** One environment's learned read lag, as the run's end reports it. */
export interface ReadLagSummary {
  ceilingMs: number;
  boundMs: number;
  samples: number;
  /** The high percentile of the observed lags (p95), undefined before any. */
  highMs: number | undefined;
}

/**
 * An environment's read-lag bound as this worker knows it, learned from every worker of the run,
 * and when this worker saw its records created: a 404 of a record proves its deletion only once
 * its create is visible to every read, that is, the bound after the create.
 */
export interface ReadLag {
  /** The bound in force, in ms. */
  bound(): Promise<number>;
  /** An observed lag, in ms, for every worker's bound. */
  observe(lagMs: number): void;
  /** Notes that the record at `key` (`<path>/<id>`) was created, at `performance.now()`. */
  created(key: string): void;
  /** When the record at `key` was seen created, if this worker saw it. */
  createdAt(key: string): number | undefined;
  /** Forgets a record known to be gone. */
  forget(key: string): void;
}

/** What a worker asks the coordinator about read lag; it answers `{ delayMs: 0, boundMs }`. */
export interface ReadLagMessage {
  op: 'lag';
  /** One estimate per key: the environment's name and API root. */
  key: string;
  ceilingMs: number;
  /** An observed lag; without one the message only asks for the bound. */
  sampleMs?: number | undefined;
}

/** The creation times a {@link ReadLag} remembers; the oldest are dropped past a limit. */
class CreationTimes {
  readonly #times = new Map<string, number>();

  set(key: string): void {
    this.#times.delete(key);
    this.#times.set(key, performance.now());
    if (this.#times.size > 10_000) {
      const oldest = this.#times.keys().next();
      if (oldest.done !== true) this.#times.delete(oldest.value);
    }
  }

  get(key: string): number | undefined {
    return this.#times.get(key);
  }

  delete(key: string): void {
    this.#times.delete(key);
  }
}

/** Learns from this process's observations only (scripts, or a run without a coordinator). */
export class LocalReadLag implements ReadLag {
  readonly #estimate: ReadLagEstimate;
  readonly #created = new CreationTimes();

  constructor(settings: ReadLagSettings) {
    this.#estimate = new ReadLagEstimate(settings);
  }

  bound(): Promise<number> {
    return Promise.resolve(this.#estimate.boundMs());
  }

  observe(lagMs: number): void {
    if (this.#estimate.ceilingMs > 0) this.#estimate.add(lagMs);
  }

  created(key: string): void {
    this.#created.set(key);
  }

  createdAt(key: string): number | undefined {
    return this.#created.get(key);
  }

  forget(key: string): void {
    this.#created.delete(key);
  }
}

/**
 * Learns through the run's coordinator (see `pacing-coordinator.ts`), so every worker's
 * observations make one bound per environment. Falls back to its own if the coordinator cannot be
 * reached.
 */
export class SharedReadLag implements ReadLag {
  readonly #local: LocalReadLag;
  readonly #learns: boolean;
  readonly #ask: (sampleMs?: number) => Promise<number>;
  /** The coordinator's latest answer, and the question in flight that will replace it. */
  #shared: number | undefined;
  #pending: Promise<void> = Promise.resolve();

  constructor(coordinatorUrl: string, key: string, settings: ReadLagSettings) {
    this.#local = new LocalReadLag(settings);
    const { ceilingMs } = settings;
    this.#learns = ceilingMs > 0;
    this.#ask = async (sampleMs) => {
      const body: ReadLagMessage = { op: 'lag', key, ceilingMs, sampleMs };
      return (await askCoordinator<{ boundMs: number }>(coordinatorUrl, body)).boundMs;
    };
  }

  #sync(sampleMs: number | undefined): void {
    const previous = this.#pending;
    const asked = this.#ask(sampleMs).then(
      (boundMs) => {
        this.#shared = boundMs;
      },
      () => {
        this.#shared = undefined;
      },
    );
    this.#pending = Promise.all([previous, asked]).then(() => undefined);
  }

  /** Asks the coordinator, which has every worker's lags so far (one loopback round trip). */
  async bound(): Promise<number> {
    if (this.#learns) this.#sync(undefined);
    await this.#pending;
    return this.#shared ?? (await this.#local.bound());
  }

  observe(lagMs: number): void {
    this.#local.observe(lagMs);
    if (this.#learns) this.#sync(lagMs);
  }

  created(key: string): void {
    this.#local.created(key);
  }

  createdAt(key: string): number | undefined {
    return this.#local.createdAt(key);
  }

  forget(key: string): void {
    this.#local.forget(key);
  }
}

/** The read lag of an environment: shared when the run has a coordinator, this process's otherwise. */
export function createReadLag(options: {
  key: string;
  ceilingMs: number;
  coordinatorUrl?: string | undefined;
}): ReadLag {
  const settings = { ceilingMs: options.ceilingMs };
  if (
    options.ceilingMs > 0 &&
    options.coordinatorUrl !== undefined &&
    options.coordinatorUrl !== ''
  )
    return new SharedReadLag(options.coordinatorUrl, options.key, settings);
  return new LocalReadLag(settings);
}
