import { test } from '@playwright/test';
import fc from 'fast-check';

import type { z } from 'zod';

import type { ModelBudget } from '../config/model-budget';
import type { Payload } from '../resources/resource';
import type { ResourceApi } from '../resources/resource-api';
import { type UserCommand, userCommands } from './commands';
import {
  type Counterexample,
  counterexampleTest,
  describeCounterexample,
  type SessionOpening,
} from './counterexample';
import { ModelSession } from './session';

/** What a model-based run did, as the `model` annotation's JSON (read by the sensitivity check). */
export interface ModelRunSummary {
  seed: number;
  /** Sequences run against the API, shrinking included. */
  sequences: number;
  /** Commands run in sequences that passed. */
  commands: number;
  failed: boolean;
  /** From the start of the run to the end of the first failing sequence. */
  firstFailureMs?: number;
  /** The shrunk counterexample's commands and calls. */
  counterexampleCommands?: number;
  counterexampleCalls?: number;
  shrinks?: number;
  /** The time budget ended the run: fewer sequences ran, or shrinking stopped early. */
  outOfTime?: boolean;
  /** Sequences that failed once and passed when run again in a fresh scope. */
  intermittent?: number;
}

/** The resource a model-based run works on: its API, factory, the schema of what a client sends. */
export interface ModelTarget {
  api: ResourceApi;
  factory: { build(): Payload };
  schema: z.ZodObject;
  /** How a counterexample's test opens its session; the users API's when absent. */
  opening?: SessionOpening;
}

/** The annotation type that carries a {@link ModelRunSummary}. */
export const MODEL_SUMMARY_ANNOTATION = 'model';

const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');

/**
 * Runs random command sequences against a resource's API (users, or posts under a user) and the model, within `budget`. On a
 * disagreement, fast-check shrinks the sequence; the shrunk one is attached as a Playwright test
 * and the test fails with it, the requests it stands for, and the command that replays the search.
 * Each sequence works in a scope of its own and deletes what it still holds when it ends, so no
 * sequence sees another's records and the backend does not fill up over a deep run; whatever it
 * could not delete, the `users` fixture's cleanup deletes at teardown. A sequence that fails runs
 * again in a fresh scope, and counts as failing only if it fails again.
 */
export async function runModelBased(
  target: ModelTarget,
  options: { budget: ModelBudget; project: string },
): Promise<ModelRunSummary> {
  const { api: users, factory, schema, opening } = target;
  const { budget, project } = options;
  const info = test.info();
  const started = performance.now();
  const deadline = started + budget.timeMs;
  // A 32-bit seed, as fast-check reports it, so the one printed is the one to replay with.
  const seed = budget.seed ?? Math.floor(Math.random() * 2 ** 31);
  const summary: ModelRunSummary = { seed, sequences: 0, commands: 0, failed: false };
  let lastFailure: { session: ModelSession; error: unknown } | undefined;

  const commands = fc.commands(
    userCommands(schema, users.resource.uniqueField, users.resource.parentParams),
    {
      maxCommands: budget.maxCommands,
      size: 'max',
      ...(budget.replayPath === undefined ? {} : { replayPath: budget.replayPath }),
    },
  );
  /** Runs a sequence in a fresh scope, cleaned up after; the failure, if it failed. */
  const runOnce = async (
    sequence: Iterable<UserCommand>,
    title: string,
  ): Promise<{ session: ModelSession; error: unknown } | undefined> => {
    summary.sequences += 1;
    const session = new ModelSession(users, factory);
    try {
      await test.step(`${title} (scope ${session.scope})`, () =>
        fc.asyncModelRun(() => ({ model: session.model, real: session }), sequence));
      summary.commands += session.commandsRun;
      return undefined;
    } catch (error) {
      return { session, error };
    } finally {
      await test.step('clean up the scope', () => session.cleanUp(), { box: true });
    }
  };

  let intermittent: { session: ModelSession; error: unknown } | undefined;
  let index = 0;
  const property = fc.asyncProperty(commands, async (sequence) => {
    // Out of time: count as passing, so that shrinking keeps the smallest failure found so far.
    if (performance.now() > deadline) {
      summary.outOfTime = true;
      return;
    }
    index += 1;
    const first = await runOnce(sequence, `sequence ${index}`);
    if (first === undefined) return;
    // A failure counts once it happens again in a fresh scope: shrinking then only ever moves to a
    // sequence that fails on its own, and the counterexample it ends with replays by itself.
    const again = await runOnce(sequence, `sequence ${index}, again in a fresh scope`);
    if (again === undefined) {
      summary.intermittent = (summary.intermittent ?? 0) + 1;
      intermittent ??= first;
      return;
    }
    summary.firstFailureMs ??= Math.round(performance.now() - started);
    lastFailure = again;
    throw again.error;
  });

  // One step around them all: Playwright finds the parent of a step opened outside any other by
  // walking every step the test has had, so sequences at the top level cost time that grows with
  // the square of their count (20 of 27 CPU seconds in a run that shrank 670 sequences).
  const details = await test.step(`model run, seed ${seed}`, () =>
    fc.check(property, {
      numRuns: budget.runs,
      seed,
      ...(budget.path === undefined ? {} : { path: budget.path, endOnFailure: true }),
    }));

  summary.failed = details.failed || intermittent !== undefined;
  if (!details.failed || lastFailure === undefined) {
    info.annotations.push({ type: MODEL_SUMMARY_ANNOTATION, description: JSON.stringify(summary) });
    if (details.failed) throw new Error(fc.defaultReportMessage(details));
    // Not shrunk (a shrink needs a failure that repeats), but never hidden.
    if (intermittent !== undefined) throw intermittentFailure(intermittent, summary);
    return summary;
  }

  const { session, error } = lastFailure;
  // fast-check prints a command sequence with the replay path its shrinking took.
  const printed = details.counterexample?.[0];
  const replayPath =
    printed === undefined ? undefined : /replayPath="([^"]*)"/.exec(fc.stringify(printed))?.[1];
  const example: Counterexample = {
    transcript: session.transcript,
    commands: session.commandsRun,
    error: (error instanceof Error ? error.message : String(error)).replace(ANSI, ''),
    seed: details.seed,
    path: details.counterexamplePath ?? undefined,
    replayPath,
    project,
    ...(opening === undefined ? {} : { opening }),
  };
  Object.assign(summary, {
    counterexampleCommands: example.commands,
    counterexampleCalls: example.transcript.length,
    shrinks: details.numShrinks,
  });
  info.annotations.push({ type: MODEL_SUMMARY_ANNOTATION, description: JSON.stringify(summary) });
  await info.attach('model-counterexample.spec.ts', {
    body: counterexampleTest(example),
    contentType: 'text/plain',
  });
  const report = describeCounterexample(example);
  await info.attach('model-counterexample.txt', { body: report, contentType: 'text/plain' });
  throw new Error(report, { cause: error });
}

/** A failure that did not repeat in a fresh scope: its calls and error, for a human to judge. */
function intermittentFailure(
  failure: { session: ModelSession; error: unknown },
  summary: ModelRunSummary,
): Error {
  const message = failure.error instanceof Error ? failure.error.message : String(failure.error);
  return new Error(
    [
      `${summary.intermittent ?? 1} sequence(s) disagreed with the model once and agreed when run again in a fresh scope (seed ${summary.seed}); the first one's calls:`,
      ...failure.session.transcript.map((line) => `  ${line.request}`),
      ``,
      `It failed with: ${message.replace(ANSI, '')}`,
    ].join('\n'),
    { cause: failure.error },
  );
}
