import { test as base, expect } from '@playwright/test';

import { type EnvironmentConfig, loadEnvironment } from './config/environment';
import type { ApiObserver } from './http/api-observer';
import type { Pacer } from './http/pacer';
import { createLogger, type Logger } from './logging/logger';
import { API_CALLS_ATTACHMENT, testInfoObserver } from './reporting/api-steps';
import { CleanupRegistry, sweepMarkedUsers } from './users/cleanup-registry';
import { newRunId, UserFactory } from './users/user-factory';
import { createUsersApi, environmentPacer, requestContextOptions } from './users/create-users-api';
import type { UsersApi } from './users/users-api';

export { expect };
export { createUsersApi, requestContextOptions };

interface WorkerFixtures {
  /** The environment under test; each Playwright project sets it. */
  environment: EnvironmentConfig;
  /** This run's id, shared by every worker (set once by playwright.config.ts). */
  runId: string;
  logger: Logger;
  /** Holds this worker's requests to the environment's rate, together with every other worker. */
  pacer: Pacer | undefined;
  /** Deletes, after the worker's last test, any user carrying this worker slot's marker. */
  sweepEscapedUsers: undefined;
}

interface TestFixtures {
  /** Extra headers for every call of this test's `users` (e.g. a fault scenario of the embedded server). */
  apiHeaders: Record<string, string>;
  /** Observers that see every call of this test's `users`, besides the report's. */
  apiObservers: ApiObserver[];
  /** Builds unique, marked user payloads. */
  factory: UserFactory;
  /** Users registered here are deleted, and their deletion confirmed, when the test ends. */
  cleanup: CleanupRegistry;
  /** The users API of the environment under test; every user it creates is cleaned up. */
  users: UsersApi;
}

export const test = base.extend<TestFixtures, WorkerFixtures>({
  environment: [
    ({}, use) =>
      use(
        loadEnvironment('local', {
          LOCAL_BASE_URL: `http://127.0.0.1:${process.env.LOCAL_PORT ?? '4010'}/api/v1`,
          ...process.env,
        }),
      ),
    { option: true, scope: 'worker' },
  ],
  runId: [({}, use) => use(process.env.PW_RUN_ID ?? newRunId()), { scope: 'worker' }],
  logger: [
    ({ environment }, use) =>
      use(createLogger({ secrets: environment.token === undefined ? [] : [environment.token] })),
    { scope: 'worker', box: true },
  ],
  pacer: [
    ({ environment }, use) => use(environmentPacer(environment)),
    { scope: 'worker', box: true },
  ],
  sweepEscapedUsers: [
    async ({ environment, runId, logger, pacer, playwright }, use, workerInfo) => {
      await use(undefined);
      if (!environment.allowWrites) return;
      const request = await playwright.request.newContext(requestContextOptions(environment));
      try {
        const users = createUsersApi(request, environment, { logger, pacer });
        const marker = new UserFactory({ runId, parallelIndex: workerInfo.parallelIndex }).marker;
        const swept = await sweepMarkedUsers(users, marker);
        if (swept.length > 0)
          logger.warn(`swept ${swept.length} escaped test user(s): ${swept.join(', ')}`);
      } finally {
        await request.dispose();
      }
    },
    { scope: 'worker', auto: true, box: true },
  ],
  apiHeaders: [{}, { option: true }],
  apiObservers: [({}, use) => use([]), { box: true }],
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
  cleanup: [({}, use) => use(new CleanupRegistry()), { box: true }],
  users: [
    async (
      { environment, playwright, logger, pacer, cleanup, apiHeaders, apiObservers },
      use,
      testInfo,
    ) => {
      const request = await playwright.request.newContext(requestContextOptions(environment));
      const reportObserver = testInfoObserver(testInfo);
      const users = createUsersApi(request, environment, {
        logger,
        pacer,
        headers: apiHeaders,
        observers: [reportObserver, ...apiObservers],
        onCreated: (id) => {
          cleanup.track(id);
        },
      });
      try {
        await use(users);
      } finally {
        try {
          if (cleanup.pending.length > 0) await cleanup.deleteAll(users);
        } finally {
          await testInfo.attach(API_CALLS_ATTACHMENT, {
            body: JSON.stringify(reportObserver.calls),
            contentType: 'application/json',
          });
          await request.dispose();
        }
      }
    },
    { box: true },
  ],
});
