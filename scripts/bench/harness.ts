import { Writable } from 'node:stream';

import { type APIRequestContext, request } from '@playwright/test';

import { type EnvironmentConfig, loadEnvironment } from '../../lib/config/environment';
import type { ResponseContract } from '../../lib/http/api-call';
import type { ApiObserver, CallRecord } from '../../lib/http/api-observer';
import { createPacer, type Pacer } from '../../lib/http/pacer';
import { createLogger, type Logger } from '../../lib/logging/logger';
import { environmentContract } from '../../lib/openapi/contract-loader';
import { requestDocument, responseDocument, stepTitle } from '../../lib/reporting/call-documents';
import { requestContextOptions } from '../../lib/session/request-context';
import { openSession } from '../../lib/session/session';
import { SUITE_RESOURCES } from '../../lib/suite-resources';
import type { UsersApi } from '../../lib/users/users-api';
import { type EmbeddedServer, startEmbeddedServer } from '../support/embedded-server';

/**
 * The `local` environment at its built-in tuning (LOCAL_DEFAULTS) plus `tuning` (e.g.
 * `LOCAL_RETRY_BASE_DELAY_MS`): the shell's LOCAL_* variables are ignored so that every run
 * measures the same retry and poll settings.
 */
export function localEnvironment(
  baseUrl: string,
  tuning: Record<string, string> = {},
): EnvironmentConfig {
  return loadEnvironment('local', tuning, { baseUrl });
}

/**
 * The `qa` environment at the remote defaults (REMOTE_DEFAULTS: retries, poll intervals, 8 requests
 * per second), pointed at `baseUrl`; the shell's QA_* variables are ignored, as above.
 */
export function remoteEnvironment(baseUrl: string): EnvironmentConfig {
  return loadEnvironment('qa', { QA_BASE_URL: baseUrl });
}

/** The framework's logger at level `warn`, writing nowhere: formatting costs stay, output goes. */
export function quietLogger(): Logger {
  const sink = new Writable({
    write(_chunk, _encoding, done) {
      done();
    },
  });
  return createLogger({ level: 'warn', colour: false, destination: sink });
}

/**
 * An observer doing the work of the report-step observer that the `users` fixture installs (title,
 * request and response documents serialised as the attachments are, the call kept for the health
 * summary), short of `test.step` and `attach`, which exist only inside the test runner.
 */
export function reportStepObserver(): ApiObserver & { calls: CallRecord[]; bytes: number } {
  const observer = {
    calls: [] as CallRecord[],
    bytes: 0,
    onCall(call: CallRecord) {
      observer.calls.push({
        ...call,
        request: { ...call.request, body: undefined },
        response: undefined,
      });
      observer.bytes +=
        stepTitle(call).length +
        JSON.stringify(requestDocument(call), null, 2).length +
        JSON.stringify(responseDocument(call), null, 2).length;
    },
  };
  return observer;
}

/** A UsersApi over its own request context, as the `users` fixture builds it. */
export interface OpenUsers {
  users: UsersApi;
  context: APIRequestContext;
  dispose(): Promise<void>;
}

/**
 * Opens a UsersApi paced by `options.pacer` (none when given as undefined) or, by default, by a
 * pacer of its own at the environment's rate: never through a coordinator named in the shell's
 * PW_PACER_URL, which would make a benchmark depend on whatever else uses it.
 */
export async function openUsers(
  environment: EnvironmentConfig,
  observers: ApiObserver[] = [],
  options: { pacer?: Pacer | undefined; contract?: ResponseContract | 'none' } = {},
): Promise<OpenUsers> {
  const pacer =
    'pacer' in options
      ? options.pacer
      : createPacer({
          key: `${environment.name} ${environment.baseUrl}`,
          ratePerSecond: environment.rateLimitRps,
        });
  // Unless told otherwise, every response is checked against the environment's contract.
  const contract = options.contract ?? (await environmentContract(environment, SUITE_RESOURCES));
  const context = await request.newContext(requestContextOptions(environment));
  const { users } = openSession(environment, {
    request: context,
    logger: quietLogger(),
    observers,
    pacer,
    contract,
  });
  return { users, context, dispose: () => context.dispose() };
}

/** The embedded server's own request and 429 counters (`GET /__control/state`). */
export interface ServerCounts {
  requests: number;
  throttled: number;
}

/** What the server has counted so far, from its control API. */
export async function serverCounts(server: EmbeddedServer): Promise<ServerCounts> {
  const response = await fetch(`${server.controlUrl}/state`);
  if (!response.ok) throw new Error(`${server.controlUrl}/state answered ${response.status}`);
  return (await response.json()) as ServerCounts;
}

/** Starts `server/main.ts` as a child process on a free loopback port, with extra flags. */
export async function startServer(flags: readonly string[] = []): Promise<EmbeddedServer> {
  return startEmbeddedServer({ flags });
}

/** Creates `count` users through the API (plain fetch), so pages come back full. */
export async function seedUsers(baseUrl: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let n = 1; n <= count; n += 1) {
    const response = await fetch(`${baseUrl}/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        name: `Seed User ${n}`,
        email: `seed.user${n}@example.com`,
        avatar: `https://avatars.example.com/${n}.png`,
      }),
    });
    if (response.status !== 201) throw new Error(`seeding user ${n} answered ${response.status}`);
    const body = (await response.json()) as { id: string };
    ids.push(body.id);
  }
  return ids;
}

/** Wall-clock time of `work` in ms. */
export async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}
