import path from 'node:path';

import { type APIRequestContext, test as base, expect } from '@playwright/test';

import { type EnvironmentConfig, loadEnvironment } from './config/environment';
import { logSettings } from './config/log-settings';
import { localBaseUrl, runSettings } from './config/run-settings';
import { environmentVariables } from './config/secrets';
import type { ResponseContract } from './http/api-call';
import type { ApiClient } from './http/api-client';
import type { ApiObserver } from './http/api-observer';
import type { Pacer } from './http/pacer';
import type { ReadLag } from './http/read-lag';
import { withLogBindings } from './logging/log-context';
import { createLogger, type Logger } from './logging/logger';
import { environmentContract } from './openapi/contract-loader';
import { recordedCallSchema } from './reporting/api-health';
import {
  API_CALLS_ATTACHMENT,
  DELIBERATE_FAULTS_ANNOTATION,
  testInfoObserver,
} from './reporting/api-steps';
import { appendCallLog } from './reporting/call-log';
import { removeIfEmpty } from './reporting/test-output';
import { type ReproRecorder, reproRecorder } from './repro/recorder';
import { writeReproBundle } from './repro/repro-bundle';
import type { CleanupRegistry } from './resources/cleanup-registry';
import type { ApiRecord, Payload, Resource } from './resources/resource';
import type { ResourceApi } from './resources/resource-api';
import { newRunId, runMarker } from './resources/run-marker';
import { requestContextOptions } from './session/request-context';
import { openSession, runPacer, runReadLag, type Session, SweepFailure } from './session/session';
import { UserFactory } from './users/user-factory';
import type { UsersApi } from './users/users-api';
import { SUITE_RESOURCES } from './suite-resources';

export { expect };

/** The worker's sweep could not finish; it names itself, since it belongs to no test. */
export class SweepError extends Error {
  constructor(failure: SweepFailure, marker: string, environment: string) {
    const { path, cause } = failure;
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(
      `worker sweep of ${path} (run marker ${marker}) failed: ${reason} — records of this run ` +
        `may be left behind: npm run janitor -- --env ${environment} --older-than 0 deletes them`,
    );
    this.name = 'SweepError';
    // No frames and no `cause` (Playwright prints its stack): the call that failed is in the message.
    this.stack = `${this.name}: ${this.message}`;
  }
}

/** A resource's API under the given parent ids, its creates cleaned up after the test. */
export type ApiFor = <R extends ApiRecord, P extends Payload>(
  resource: Resource<R, P>,
  parents?: Record<string, string>,
) => ResourceApi<R, P>;

interface WorkerFixtures {
  /** The environment under test; each Playwright project sets it. */
  environment: EnvironmentConfig;
  /** Every resource the suite creates; the worker's sweep looks for leftovers in each. */
  resources: Resource[];
  /** This run's id, shared by every worker (set once by playwright.config.ts). */
  runId: string;
  /** The framework's logger for this worker: each line names the worker. */
  workerLogger: Logger;
  /** Holds this worker's requests to the environment's rate, together with every other worker. */
  pacer: Pacer | undefined;
  /** The environment's read-lag bound, learned from what every worker observes (lib/http/read-lag.ts). */
  readLag: ReadLag;
  /**
   * What every response is checked against: the team's OpenAPI document when `<ENV>_OPENAPI` is
   * set, else the one generated from the suite's and the declared resources. Loaded once per worker.
   */
  contract: ResponseContract;
  /** Deletes, after the worker's last test, any record carrying this worker slot's marker. */
  sweepEscaped: undefined;
}

interface TestFixtures {
  /**
   * Whether the server's faults are planned: the test scripts them (a fault scenario), or its
   * project runs against a server told to misbehave (`local-faults`). Its API retries are then
   * expected: reports neither call it flaky nor raise an alarm over its 5xx.
   */
  deliberateFaults: boolean;
  /** Removes the test's output folder after it if nothing was written there. */
  tidyOutput: undefined;
  /** The framework's logger for this test: each line names the worker and the test. */
  logger: Logger;
  /** Extra headers for every call of this test (e.g. a fault scenario of the embedded server). */
  apiHeaders: Record<string, string>;
  /** Observers that see every call of this test, besides the report's. */
  apiObservers: ApiObserver[];
  /** Keeps the test's calls for a reproduction, written only if the test fails (lib/repro). */
  reproRecorder: ReproRecorder;
  /** The request context of the environment under test, disposed after the test. */
  request: APIRequestContext;
  /** The test's session (lib/session): its client, resource APIs and cleanup, wired once. */
  session: Session;
  /** The resilient client every resource API of this test shares; its calls are report steps. */
  apiClient: ApiClient;
  /** Records registered here are deleted, and their deletion confirmed, when the test ends. */
  cleanup: CleanupRegistry;
  /** Builds unique, marked user payloads; `factory.for(resource)` builds another resource's. */
  factory: UserFactory;
  /** The users API of the environment under test; every user it creates is cleaned up. */
  users: UsersApi;
  /** Any declared resource's API: `api(postsResource, { userId })`; what it creates is cleaned up. */
  api: ApiFor;
}

export const test = base.extend<TestFixtures, WorkerFixtures>({
  environment: [
    ({}, use) =>
      use(
        loadEnvironment('local', {
          LOCAL_BASE_URL: localBaseUrl(runSettings().localPort),
          ...environmentVariables(),
        }),
      ),
    { option: true, scope: 'worker' },
  ],
  resources: [SUITE_RESOURCES, { option: true, scope: 'worker' }],
  runId: [({}, use) => use(runSettings().runId ?? newRunId()), { scope: 'worker' }],
  workerLogger: [
    ({}, use, workerInfo) =>
      use(createLogger(logSettings()).child({ worker: workerInfo.workerIndex })),
    { scope: 'worker', box: true },
  ],
  logger: [
    ({ workerLogger }, use, testInfo) =>
      use(workerLogger.child({ test: testInfo.titlePath.join(' › ') })),
    { box: true },
  ],
  pacer: [
    ({ environment }, use) => use(runPacer(environment, runSettings().pacerUrl)),
    { scope: 'worker', box: true },
  ],
  readLag: [
    ({ environment }, use) => use(runReadLag(environment, runSettings().pacerUrl)),
    { scope: 'worker', box: true },
  ],
  contract: [
    async ({ environment, resources }, use) => {
      // The suite's own resources too: its `users` fixture is there whatever `resources` declares.
      const declared = new Map([...SUITE_RESOURCES, ...resources].map((r) => [r.path, r]));
      await use(await environmentContract(environment, [...declared.values()]));
    },
    { scope: 'worker', box: true },
  ],
  sweepEscaped: [
    async (
      { environment, resources, runId, workerLogger: logger, pacer, readLag, playwright },
      use,
      workerInfo,
    ) => {
      await use(undefined);
      if (!environment.allowWrites) return;
      const request = await playwright.request.newContext(requestContextOptions(environment));
      try {
        // Housekeeping: no contract check, which would stop it at the answers a test failed on.
        const session = openSession(environment, {
          request,
          logger: logger.child({ phase: 'sweep' }),
          pacer,
          readLag,
          contract: 'none',
        });
        const marker = runMarker(runId, workerInfo.parallelIndex);
        let swept: string[];
        try {
          swept = await session.sweep(resources, marker);
        } catch (error) {
          // It fails the run: records of this run may be left behind. Playwright files a worker's
          // teardown error under its last test, or under none: the message says whose it is.
          if (error instanceof SweepFailure) throw new SweepError(error, marker, environment.name);
          throw error;
        }
        if (swept.length > 0)
          logger.warn(`swept ${swept.length} escaped test record(s): ${swept.join(', ')}`);
      } finally {
        await request.dispose();
      }
    },
    { scope: 'worker', auto: true, box: true },
  ],
  tidyOutput: [
    async ({}, use, testInfo) => {
      await use(undefined);
      removeIfEmpty(testInfo.outputDir);
    },
    { auto: true, box: true },
  ],
  apiHeaders: [{}, { option: true }],
  deliberateFaults: [false, { option: true }],
  apiObservers: [({}, use) => use([]), { box: true }],
  reproRecorder: [({}, use) => use(reproRecorder()), { box: true }],
  request: [
    async ({ environment, playwright }, use) => {
      const request = await playwright.request.newContext(requestContextOptions(environment));
      await use(request);
      await request.dispose();
    },
    { scope: 'test', box: true },
  ],
  session: [
    async (
      {
        request,
        environment,
        logger,
        pacer,
        readLag,
        contract,
        apiHeaders,
        apiObservers,
        reproRecorder: recorder,
        deliberateFaults,
        // Unused: depending on it tears the tidying down after this attaches the calls.
        // eslint-disable-next-line @typescript-eslint/no-unused-vars -- the dependency is the point
        tidyOutput: _tidy,
      },
      use,
      testInfo,
    ) => {
      if (deliberateFaults)
        testInfo.annotations.push({
          type: DELIBERATE_FAULTS_ANNOTATION,
          description: 'deliberate: the server misbehaves on purpose, retries are expected',
        });
      const reportObserver = testInfoObserver(testInfo, { deliberateFaults });
      await use(
        openSession(environment, {
          request,
          logger,
          pacer,
          readLag,
          contract,
          headers: apiHeaders,
          observers: [reportObserver, recorder, ...apiObservers],
        }),
      );
      await testInfo.attach(API_CALLS_ATTACHMENT, {
        body: JSON.stringify(reportObserver.calls),
        contentType: 'application/json',
      });
      // For the global teardown's health summary and gates (unset without the global setup).
      const { callLog } = runSettings();
      if (callLog !== undefined)
        appendCallLog(callLog, {
          project: testInfo.project.name,
          title: testInfo.titlePath.slice(1).join(' › '),
          ran: testInfo.status !== 'skipped',
          calls: reportObserver.calls.map((call) => recordedCallSchema.parse(call)),
        });
      // A failed test leaves what a backend engineer needs to send its calls again; a passed one, nothing.
      const reproCalls = recorder.reproCalls();
      if (testInfo.status !== testInfo.expectedStatus && reproCalls.length > 0) {
        const files = writeReproBundle(testInfo.outputPath('repro'), {
          title: testInfo.titlePath.join(' › '),
          errors: testInfo.errors.map((e) => e.message ?? e.value ?? ''),
          calls: reproCalls,
          baseUrl: environment.baseUrl,
          tokenVariable: environment.tokenVariable,
          refusals: recorder.refusals,
        });
        // A text body, not a path: every terminal reporter prints it in the failure summary,
        // where a path attachment would show Playwright's hashed copy under attachments/.
        const folder = path.relative(process.cwd(), path.dirname(files.readme));
        await testInfo.attach('repro folder', {
          body: `${folder}\nnpm run replay -- ${folder}`,
          contentType: 'text/plain',
        });
        await testInfo.attach('repro', { path: files.readme, contentType: 'text/markdown' });
        await testInfo.attach('repro: repro.json', {
          path: files.document,
          contentType: 'application/json',
        });
        await testInfo.attach('repro: requests.sh', {
          path: files.script,
          contentType: 'text/plain',
        });
        await testInfo.attach('repro: calls.har', {
          path: files.har,
          contentType: 'application/json',
        });
      }
    },
    { box: true },
  ],
  apiClient: [({ session }, use) => use(session.client), { box: true }],
  cleanup: [
    // Torn down before the session, so the cleanup's calls are in what the session attaches.
    async ({ session, reproRecorder: recorder }, use) => {
      const { cleanup } = session;
      await use(cleanup);
      const count = cleanup.pending.length;
      if (count === 0) return;
      // One labelled step holds the cleanup's calls; their log lines say `cleanup`.
      await base.step(`cleanup: delete ${count} record${count === 1 ? '' : 's'}`, async () => {
        try {
          await withLogBindings({ phase: 'cleanup' }, () => cleanup.deleteAll());
        } catch (error) {
          // The defect showed in the cleanup's calls: the reproduction must hold them.
          recorder.cleanupFailed = true;
          throw error;
        }
      });
    },
    // 'self' hides the fixture's own step but not the steps it opens (`true` would hide those too).
    { box: 'self' },
  ],
  factory: [
    ({ runId }, use, testInfo) =>
      use(
        new UserFactory({
          runId,
          parallelIndex: testInfo.parallelIndex,
          workerIndex: testInfo.workerIndex,
        }),
      ),
    { box: true },
  ],
  // Both depend on `cleanup`, so that what they create is deleted when the test ends.
  // eslint-disable-next-line @typescript-eslint/no-unused-vars -- the dependency is the point
  users: [({ session, cleanup: _cleanup }, use) => use(session.users), { box: true }],
  api: [
    // eslint-disable-next-line @typescript-eslint/no-unused-vars -- the dependency is the point
    ({ session, cleanup: _cleanup }, use) =>
      use((resource, parents) => session.api(resource, parents)),
    { box: true },
  ],
});
