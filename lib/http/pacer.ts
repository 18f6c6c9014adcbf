import { setTimeout as sleep } from 'node:timers/promises';

import { RateSchedule } from './rate-schedule';

/** Holds requests to an environment's rate; the client asks before every attempt. */
export interface Pacer {
  /** Resolves when this attempt may be sent. */
  acquire(): Promise<void>;
  /** Reports that an attempt sent at `sentAt` (`performance.now()`) was answered 429. */
  throttled(sentAt: number, retryAfterMs: number | undefined): Promise<void>;
}

/** Paces the requests of this process only (scripts, or a run without a coordinator). */
export class LocalPacer implements Pacer {
  constructor(private readonly schedule: RateSchedule) {}

  async acquire(): Promise<void> {
    const delayMs = this.schedule.reserve(performance.now());
    if (delayMs > 0) await sleep(delayMs);
  }

  throttled(sentAt: number, retryAfterMs: number | undefined): Promise<void> {
    this.schedule.throttled(performance.now(), { sentAt, retryAfterMs });
    return Promise.resolve();
  }
}

/** What a worker asks the pacing coordinator. */
export interface PacingMessage {
  op: 'reserve' | 'throttled';
  /** One schedule per key: the environment's name and API root. */
  key: string;
  ratePerSecond: number;
  /** For `throttled`: how long ago the throttled attempt was sent. */
  ageMs?: number | undefined;
  retryAfterMs?: number | undefined;
}

/**
 * Paces through the run's coordinator (see `pacing-coordinator.ts`), so every worker shares one
 * schedule per environment. Falls back to pacing alone if the coordinator cannot be reached.
 */
export class SharedPacer implements Pacer {
  private readonly fallback: LocalPacer;

  constructor(
    private readonly coordinatorUrl: string,
    private readonly key: string,
    private readonly ratePerSecond: number,
  ) {
    this.fallback = new LocalPacer(new RateSchedule({ ratePerSecond }));
  }

  async acquire(): Promise<void> {
    const answer = await this.ask({ op: 'reserve' });
    if (answer === undefined) return this.fallback.acquire();
    if (answer.delayMs > 0) await sleep(answer.delayMs);
  }

  async throttled(sentAt: number, retryAfterMs: number | undefined): Promise<void> {
    const ageMs = performance.now() - sentAt;
    const answer = await this.ask({ op: 'throttled', ageMs, retryAfterMs });
    if (answer === undefined) await this.fallback.throttled(sentAt, retryAfterMs);
  }

  private async ask(
    message: Pick<PacingMessage, 'op' | 'ageMs' | 'retryAfterMs'>,
  ): Promise<{ delayMs: number } | undefined> {
    const body: PacingMessage = { ...message, key: this.key, ratePerSecond: this.ratePerSecond };
    try {
      const response = await fetch(this.coordinatorUrl, {
        method: 'POST',
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(5_000),
      });
      if (!response.ok) return undefined;
      return (await response.json()) as { delayMs: number };
    } catch {
      return undefined;
    }
  }
}

/** The pacer for an environment: none when its rate is 0, shared when the run has a coordinator. */
export function createPacer(options: {
  key: string;
  ratePerSecond: number;
  coordinatorUrl?: string | undefined;
}): Pacer | undefined {
  if (options.ratePerSecond <= 0) return undefined;
  if (options.coordinatorUrl !== undefined && options.coordinatorUrl !== '')
    return new SharedPacer(options.coordinatorUrl, options.key, options.ratePerSecond);
  return new LocalPacer(new RateSchedule({ ratePerSecond: options.ratePerSecond }));
}
