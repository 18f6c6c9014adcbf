import { request } from '@playwright/test';

import { createUsersApi, requestContextOptions } from '../../lib/users/create-users-api';
import type { CallRecord } from '../../lib/http/api-observer';
import { createLogger, type Logger, useColour } from '../../lib/logging/logger';
import { newRunId, UserFactory } from '../../lib/users/user-factory';
import type { UsersApi } from '../../lib/users/users-api';
import { CallRecorder } from './call-recorder';
import type { DemoOptions } from './cli-options';
import type { Interruption } from './interruption';
import { runScenario } from './scenario';
import { asSetupError, type SetupError, type Target } from './setup-error';
import { Interrupted, StepFailed, StepRunner } from './step-runner';
import { type Outcome, renderSummary } from './summary';

export interface RunResult {
  outcome: Outcome;
  /** Set when a step failed for a set-up reason (a token rejected half-way, say): exit code 2. */
  setupProblem: SetupError | undefined;
}

/**
 * Runs the scenario on one target with the same UsersApi, retry policy and factory as the tests,
 * cleans up whatever is left of it, and prints the summary.
 */
export async function runDemo(options: {
  target: Target;
  demo: DemoOptions;
  interruption: Interruption;
  /** `embedded server` or the environment's name, for the lines. */
  where: string;
  /** When the command started, for the total time. */
  started: number;
}): Promise<RunResult> {
  const { target, demo, interruption, where } = options;
  const { environment } = target;
  const secrets = environment.token === undefined ? [] : [environment.token];
  const colour = useColour(process.stdout);
  const logger = createLogger({
    level: demo.logLevel,
    secrets,
    colour,
    destination: process.stdout,
  });
  const context = await request.newContext(requestContextOptions(environment));
  try {
    const recorder = new CallRecorder();
    // Every user the server made for this run, whichever step made it; the clean-up deletes what is left.
    const pending = new Set<string>();
    const users = createUsersApi(context, environment, {
      logger,
      observers: [recorder],
      onCreated: (id) => pending.add(id),
    });

    await checkReachable(context, target, secrets, recorder, logger, where);

    const factory = new UserFactory({ runId: newRunId() });
    interruption.onInterrupt = () => {
      logger.warn(
        `interrupted: deleting the ${pending.size} user(s) this run created; Ctrl-C again to exit at once`,
      );
    };
    interruption.forcedExitMessage = () =>
      `interrupted again: exiting without clean-up; the users left behind carry ${factory.marker} in their email`;
    logger.info(`scenario on ${where}: ${demo.users} user(s), test data marked ${factory.marker}`);

    const steps = new StepRunner(logger, recorder, interruption.signal);
    const scenarioStart = performance.now();
    let outcome: Outcome = 'passed';
    let setupProblem: SetupError | undefined;
    try {
      await runScenario({
        users,
        factory,
        steps,
        count: demo.users,
        onGone: (id) => pending.delete(id),
      });
    } catch (error) {
      if (error instanceof Interrupted) outcome = 'interrupted';
      else if (error instanceof StepFailed) {
        outcome = 'failed';
        setupProblem = asSetupError(error.cause, target);
      } else throw error;
    }
    const scenarioMs = performance.now() - scenarioStart;

    // The clean-up is what Ctrl-C asked for, so it does not listen to that signal itself.
    const cleanupSteps = new StepRunner(logger, recorder, new AbortController().signal);
    const leftBehind = await cleanUp(users, pending, cleanupSteps, logger);
    if (leftBehind.length > 0 && outcome === 'passed') outcome = 'failed';

    process.stdout.write(
      renderSummary({
        where: `${where} ${environment.baseUrl}`,
        recorder,
        steps: {
          passed: steps.passed + cleanupSteps.passed,
          failed: steps.failed + cleanupSteps.failed,
        },
        created: recorder.byKind.get('POST users')?.statuses.get('201') ?? 0,
        leftBehind,
        scenarioMs,
        totalMs: performance.now() - options.started,
        outcome,
        colour,
      }),
    );
    return { outcome, setupProblem };
  } finally {
    await context.dispose();
  }
}

/**
 * One quiet read before anything is written, so a wrong URL or token ends the run with one line and
 * nothing created. Same retry policy as every call, but silent: only its verdict is shown.
 */
async function checkReachable(
  context: Parameters<typeof createUsersApi>[0],
  target: Target,
  secrets: string[],
  recorder: CallRecorder,
  logger: Logger,
  where: string,
): Promise<void> {
  const quiet = createUsersApi(context, target.environment, {
    logger: createLogger({ level: 'silent', secrets }),
    observers: [recorder],
  });
  const calls: CallRecord[] = [];
  const started = performance.now();
  await recorder.within(calls, () => quiet.list({ page: 1, limit: 1 }));
  const status = calls.at(-1)?.status;
  const ms = Math.round(performance.now() - started);
  // mockapi.io answers an empty collection with 404 "Not found", which is not a problem here.
  const state = status === 404 ? 'no users yet' : 'has users';
  logger.info(
    `${'reach'.padEnd(7)} ${'users'.padEnd(10)} ${String(status ?? '---')} ${String(ms).padStart(5)} ms  ${where} answers at ${target.environment.baseUrl}/users (${state})`,
  );
}

/** Deletes every user still pending and confirms each answers 404; returns the ids it could not. */
async function cleanUp(
  users: UsersApi,
  pending: Set<string>,
  steps: StepRunner,
  logger: Logger,
): Promise<string[]> {
  for (const id of [...pending]) {
    try {
      await steps.run(
        { verb: 'cleanup', subject: `user ${id}` },
        async () => {
          const deleted = await users.deleteIfExists(id);
          await users.waitUntilDeleted(id);
          return deleted;
        },
        (deleted) => (deleted ? 'deleted, answers 404' : 'was already gone'),
      );
      pending.delete(id);
    } catch {
      // The step logged why; the summary lists the user as left behind.
    }
  }
  const left = [...pending];
  if (left.length > 0)
    logger.error(`could not delete user(s) ${left.join(', ')}: delete them by hand`);
  return left;
}
