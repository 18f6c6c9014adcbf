import { once } from 'node:events';
import { createServer } from 'node:http';

import type { PacingMessage } from './pacer';
import { RateSchedule } from './rate-schedule';
import { ReadLagEstimate, type ReadLagMessage, type ReadLagSummary } from './read-lag';

/** The run's pacing coordinator, listening on loopback. */
export interface PacingCoordinator {
  /** Where workers post their {@link PacingMessage}s. */
  url: string;
  /** Each environment's learned read lag so far, by key (the environment's name and API root). */
  readLags(): Map<string, ReadLagSummary>;
  close(): Promise<void>;
}

/**
 * Starts the coordinator that holds one {@link RateSchedule} per environment for a whole run, so
 * every worker draws from one budget, and one {@link ReadLagEstimate}, so every worker's observed
 * read lags make one bound. Shards run on other machines with coordinators of their own:
 * each takes `1 / shards` of the rate, so together they stay under it.
 */
export async function startPacingCoordinator(
  options: { shards?: number } = {},
): Promise<PacingCoordinator> {
  const shards = Math.max(1, options.shards ?? 1);
  const schedules = new Map<string, RateSchedule>();
  const scheduleFor = (message: PacingMessage): RateSchedule => {
    let schedule = schedules.get(message.key);
    if (schedule === undefined) {
      schedule = new RateSchedule({ ratePerSecond: message.ratePerSecond / shards });
      schedules.set(message.key, schedule);
    }
    return schedule;
  };
  const lags = new Map<string, ReadLagEstimate>();
  const lagAnswer = (message: ReadLagMessage): number => {
    let estimate = lags.get(message.key);
    if (estimate === undefined) {
      estimate = new ReadLagEstimate({ ceilingMs: message.ceilingMs });
      lags.set(message.key, estimate);
    }
    if (message.sampleMs !== undefined) estimate.add(message.sampleMs);
    return estimate.boundMs();
  };

  const server = createServer((request, response) => {
    let raw = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (raw += chunk));
    request.on('end', () => {
      let delayMs = 0;
      let boundMs: number | undefined;
      try {
        const message = JSON.parse(raw) as PacingMessage | ReadLagMessage;
        if (message.op === 'lag') boundMs = lagAnswer(message);
        else {
          const schedule = scheduleFor(message);
          const now = performance.now();
          if (message.op === 'reserve') delayMs = schedule.reserve(now);
          else if (message.op === 'hold') delayMs = schedule.holdRemaining(now);
          else
            schedule.throttled(now, {
              retryAfterMs: message.retryAfterMs,
              bookedAt: now - (message.ageMs ?? 0),
            });
        }
      } catch {
        response.writeHead(400).end();
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ delayMs, boundMs }));
    });
  });
  // Workers keep connections open between requests; closing must not wait for them.
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port for the pacer');
  return {
    url: `http://127.0.0.1:${address.port}/`,
    readLags: () => new Map([...lags].map(([key, estimate]) => [key, estimate.summary()])),
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
