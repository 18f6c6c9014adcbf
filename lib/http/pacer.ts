import { setTimeout as sleep } from 'node:timers/promises';

import { RateSchedule } from './rate-schedule';

/** Holds requests to an environment's rate; the client asks before every attempt. */
export interface Pacer {
  /** Resolves when this attempt may be sent. */
  acquire(): Promise<void>;
  /** Reports that an attempt whose slot was booked at `bookedAt` (`performance.now()`) got a 429. */
  throttled(bookedAt: number, retryAfterMs: number | undefined): Promise<void>;
}

/** The questions a pacer asks its schedule, wherever the schedule lives. */
interface ScheduleAccess {
  reserve(): Promise<number>;
  holdRemaining(): Promise<number>;
  throttled(ageMs: number, retryAfterMs: number | undefined): Promise<void>;
}

/**
 * Waits for a booked slot; a request that had to wait asks whether a `Retry-After` came in
 * meanwhile, and books a new slot after the hold if so. A request that went at once needs no check.
 */
async function acquireFrom(schedule: ScheduleAccess): Promise<void> {
  for (;;) {
    const delayMs = await schedule.reserve();
    if (delayMs <= 0) return;
    await sleep(delayMs);
    if ((await schedule.holdRemaining()) <= 0) return;
  }
}

/** Paces the requests of this process only (scripts, or a run without a coordinator). */
export class LocalPacer implements Pacer {
  private readonly access: ScheduleAccess;

  constructor(schedule: RateSchedule) {
    this.access = {
      reserve: () => Promise.resolve(schedule.reserve(performance.now())),
      holdRemaining: () => Promise.resolve(schedule.holdRemaining(performance.now())),
      throttled: (ageMs, retryAfterMs) => {
        const now = performance.now();
        schedule.throttled(now, { bookedAt: now - ageMs, retryAfterMs });
        return Promise.resolve();
      },
    };
  }

  acquire(): Promise<void> {
    return acquireFrom(this.access);
  }

  throttled(bookedAt: number, retryAfterMs: number | undefined): Promise<void> {
    return this.access.throttled(performance.now() - bookedAt, retryAfterMs);
  }
}

/** What a worker asks the pacing coordinator; it answers `{ delayMs }` (0 for `throttled`). */
export interface PacingMessage {
  op: 'reserve' | 'hold' | 'throttled';
  /** One schedule per key: the environment's name and API root. */
  key: string;
  ratePerSecond: number;
  /** For `throttled`: how long ago the throttled attempt booked its slot. */
  ageMs?: number | undefined;
  retryAfterMs?: number | undefined;
}

/**
 * Paces through the run's coordinator (see `pacing-coordinator.ts`), so every worker shares one
 * schedule per environment. Falls back to pacing alone if the coordinator cannot be reached.
 */
export class SharedPacer implements Pacer {
  private readonly fallback: LocalPacer;
  private readonly access: ScheduleAccess;

  constructor(coordinatorUrl: string, key: string, ratePerSecond: number) {
    this.fallback = new LocalPacer(new RateSchedule({ ratePerSecond }));
    const ask = async (message: Pick<PacingMessage, 'op' | 'ageMs' | 'retryAfterMs'>) => {
      const body: PacingMessage = { ...message, key, ratePerSecond };
      return (await askCoordinator<{ delayMs: number }>(coordinatorUrl, body)).delayMs;
    };
    this.access = {
      reserve: () => ask({ op: 'reserve' }),
      holdRemaining: () => ask({ op: 'hold' }),
      throttled: async (ageMs, retryAfterMs) => {
        await ask({ op: 'throttled', ageMs, retryAfterMs });
      },
    };
  }

  async acquire(): Promise<void> {
    await acquireFrom(this.access).catch(() => this.fallback.acquire());
  }

  async throttled(bookedAt: number, retryAfterMs: number | undefined): Promise<void> {
    const ageMs = performance.now() - bookedAt;
    await this.access
      .throttled(ageMs, retryAfterMs)
      .catch(() => this.fallback.throttled(bookedAt, retryAfterMs));
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

/** One question to the run's pacing coordinator (`pacing-coordinator.ts`) and its JSON answer. */
export async function askCoordinator<T>(coordinatorUrl: string, body: object): Promise<T> {
  const response = await fetch(coordinatorUrl, {
    method: 'POST',
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(5_000),
  });
  if (!response.ok) throw new Error(`the pacing coordinator answered ${response.status}`);
  return (await response.json()) as T;
}
