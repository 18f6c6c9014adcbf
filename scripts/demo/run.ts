import { AsyncLocalStorage } from 'node:async_hooks';

import { request } from '@playwright/test';

import type { ApiObserver, CallRecord } from '../../lib/http/api-observer';
import { useColour } from '../../lib/config/log-settings';
import { createLogger, type Logger } from '../../lib/logging/logger';
import {
  formatApiHealthTable,
  type ObservedCall,
  summarizeApiHealth,
} from '../../lib/reporting/api-health';
import { newRunId } from '../../lib/resources/run-marker';
import { requestContextOptions } from '../../lib/session/request-context';
import { openSession } from '../../lib/session/session';
import { UserFactory } from '../../lib/users/user-factory';
import type { User } from '../../lib/users/user-schema';
import type { UsersApi } from '../../lib/users/users-api';
import {
  asSetupError,
  EXIT,
  loadContract,
  oneLine,
  type SetupError,
  type Target,
} from '../support/cli';
import type { DemoOptions } from './cli-options';

/** Ctrl-C as the run sees it: a signal to stop, and the line a second Ctrl-C leaves with. */
export type Interruption = { readonly signal: AbortSignal; lastWords: string };

/** Ctrl-C arrived: the scenario stops here and only the clean-up runs. */
class Interrupted extends Error {}

/** A step of the scenario failed; its line has been logged already, `cause` says why. */
class StepFailed extends Error {}

type Detail<T> = (value: T, calls: readonly CallRecord[]) => string;

/**
 * Runs the steps one at a time, one line each (verb, subject, last status, ms, detail), and sees
 * every call: all of them for the health summary, and each step's own, matched by async context so
 * that a poll abandoned after Ctrl-C never counts for a later step.
 */
class Steps implements ApiObserver {
  readonly observed: ObservedCall[] = [];
  passed = 0;
  failed = 0;
  /** Creates adopted after an ambiguous failure, instead of sent again. */
  reconciled = 0;
  private readonly current = new AsyncLocalStorage<{ name: string; calls: CallRecord[] }>();

  constructor(
    private readonly logger: Logger,
    /** Replaced for the clean-up, which is what Ctrl-C asked for. */
    public signal: AbortSignal,
  ) {}

  onCall(call: CallRecord): void {
    const step = this.current.getStore();
    step?.calls.push(call);
    if (call.reconciled) this.reconciled += 1;
    this.observed.push({ test: step?.name ?? '', call });
  }

  /** A write is let finish after Ctrl-C, so that the clean-up knows every user the server made. */
  run<T>(verb: string, subject: string, action: () => Promise<T>, detail?: Detail<T>): Promise<T> {
    return this.step({ verb, subject }, action, detail);
  }

  /** A wait is abandoned as soon as Ctrl-C comes; its line says how many reads it took. */
  wait(
    verb: string,
    subject: string,
    what: string,
    action: () => Promise<unknown>,
  ): Promise<unknown> {
    return this.step({ verb, subject, wait: true }, action, (_, calls) =>
      calls.length === 1 ? `${what} on the first read` : `${what} after ${calls.length} reads`,
    );
  }

  /** A `check` is not counted, and its failure is thrown as it is, for the caller's one line. */
  async step<T>(
    step: { verb: string; subject: string; wait?: boolean; check?: boolean },
    action: () => Promise<T>,
    detail: Detail<T> = () => '',
  ): Promise<T> {
    if (this.signal.aborted) throw new Interrupted();
    const calls: CallRecord[] = [];
    const started = performance.now();
    const line = (text: string) =>
      `${step.verb.padEnd(7)} ${step.subject.padEnd(10)} ${calls.at(-1)?.status ?? '---'} ${String(Math.round(performance.now() - started)).padStart(5)} ms  ${text}`.trimEnd();
    let value: T;
    try {
      const work = this.current.run({ name: `${step.verb} ${step.subject}`, calls }, action);
      value = step.wait === true ? await untilAborted(work, this.signal) : await work;
    } catch (error) {
      if (error instanceof Interrupted || step.check === true) throw error;
      this.failed += 1;
      this.logger.error(line(`failed: ${oneLine(error)}`));
      throw new StepFailed(`${step.verb} ${step.subject} failed`, { cause: error });
    }
    if (step.check !== true) this.passed += 1;
    const retries = calls.reduce((sum, call) => sum + call.retries.length, 0);
    const notes = [
      retries === 0 ? '' : `${retries} ${retries === 1 ? 'retry' : 'retries'}`,
      calls.some((call) => call.reconciled) ? 'reconciled: the failed attempt had created it' : '',
    ].filter((note) => note !== '');
    const noted = notes.length === 0 ? '' : ` (${notes.join('; ')})`;
    this.logger.info(line(`${detail(value, calls)}${noted}`.trim()));
    return value;
  }
}

/**
 * Runs the scenario with the tests' UsersApi, retry policy and factory, cleans up what is left of it,
 * prints the summary and resolves to the exit code; `started` is when the command started.
 */
export async function runDemo(
  target: Target,
  demo: DemoOptions,
  interruption: Interruption,
  started: number,
): Promise<number> {
  const { environment } = target;
  const embedded = demo.faults ? 'embedded server with faults' : 'embedded server';
  const where = target.variablePrefix === undefined ? embedded : environment.name;
  const [out, level] = [process.stdout, demo.logLevel];
  const colour = useColour(out);
  const logger = createLogger({ level, colour, destination: out });
  const context = await request.newContext(requestContextOptions(environment));
  try {
    const steps = new Steps(logger, interruption.signal);
    const contract = await loadContract(environment);
    // Its cleanup holds every user the server made for this run and not yet confirmed gone.
    const session = openSession(environment, {
      request: context,
      logger,
      contract,
      observers: [steps],
    });
    const { users, cleanup } = session;

    // One read before anything is written, so a wrong URL or token ends the run with one line and
    // nothing created: through a silent client, so that its retries print nothing either.
    const quiet = openSession(environment, {
      request: context,
      logger: createLogger({ level: 'silent' }),
      contract,
      observers: [steps],
    }).users;
    await steps.step(
      { verb: 'reach', subject: 'users', check: true },
      () => quiet.list({ page: 1, limit: 1 }),
      (found) =>
        `${where} answers at ${environment.baseUrl}/users (${found.length === 0 ? 'no users yet' : 'has users'})`,
    );

    const factory = new UserFactory({ runId: newRunId() });
    interruption.lastWords = `interrupted again: exiting without clean-up; the users left behind carry ${factory.marker} in their email`;
    interruption.signal.addEventListener('abort', () => {
      logger.warn(
        `interrupted: deleting the ${cleanup.pending.length} user(s) this run created; Ctrl-C again to exit at once`,
      );
    });
    logger.info(`scenario on ${where}: ${demo.users} user(s), test data marked ${factory.marker}`);

    const scenarioStarted = performance.now();
    let outcome: 'passed' | 'failed' | 'interrupted' = 'passed';
    let setupProblem: SetupError | undefined;
    try {
      await scenario(users, factory, steps, demo.users);
    } catch (error) {
      if (!(error instanceof Interrupted || error instanceof StepFailed)) throw error;
      outcome = error instanceof Interrupted ? 'interrupted' : 'failed';
      setupProblem = asSetupError(error.cause, target);
    }
    const scenarioMs = performance.now() - scenarioStarted;

    steps.signal = new AbortController().signal;
    for (const key of cleanup.pending) {
      const said = (_: unknown, calls: readonly CallRecord[]) =>
        calls.some((c) => c.method === 'DELETE' && c.status === 200)
          ? 'deleted, answers 404'
          : 'was already gone';
      await steps
        .run('cleanup', `user ${idOf(key)}`, () => cleanup.deleteAll((k) => k === key), said)
        .catch(() => undefined); // its line says why; the summary lists the user as left behind
    }
    const leftBehind = cleanup.pending.map(idOf);
    if (leftBehind.length > 0) {
      logger.error(`could not delete user(s) ${leftBehind.join(', ')}: delete them by hand`);
      if (outcome === 'passed') outcome = 'failed';
    }

    const paint = (code: number, text: string) =>
      colour ? `\u001b[${code}m${text}\u001b[0m` : text;
    const left =
      leftBehind.length === 0
        ? 'none left behind'
        : paint(31, `left behind: ${leftBehind.join(', ')}`);
    const health = summarizeApiHealth(steps.observed);
    const created = health.endpoints.find((e) => e.endpoint === 'POST /users')?.statuses['201'];
    const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
    out.write(
      [
        '',
        paint(1, `Summary: ${where} ${environment.baseUrl}`),
        formatApiHealthTable(health).replaceAll(/^/gm, '  '),
        '',
        `  steps: ${steps.passed} passed, ${steps.failed} failed · users: ${created ?? 0} created, ${left}`,
        `  retries: ${health.retries} · creates reconciled: ${steps.reconciled} · scenario ${seconds(scenarioMs)} · total ${seconds(performance.now() - started)}`,
        `  ${paint({ passed: 32, failed: 31, interrupted: 33 }[outcome], outcome.toUpperCase())}`,
        '',
      ].join('\n'),
    );
    if (setupProblem !== undefined) throw setupProblem;
    return { passed: EXIT.ok, failed: EXIT.failed, interrupted: EXIT.interrupted }[outcome];
  } finally {
    await context.dispose();
  }
}

/**
 * The original client's main.py, done right: create users, read each back, rename one, delete
 * them all and confirm every deletion. Waits poll for what they expect instead of sleeping, and
 * only the users created here are ever touched.
 */
async function scenario(
  users: UsersApi,
  factory: UserFactory,
  steps: Steps,
  count: number,
): Promise<void> {
  const created: User[] = [];
  for (const [index, payload] of factory.buildMany(count).entries()) {
    const made = (user: User) => `id ${user.id}  ${user.name ?? ''} <${user.email ?? ''}>`;
    const subject = `user ${index + 1}/${count}`;
    created.push(await steps.run('create', subject, () => users.create(payload), made));
  }
  for (const { id, name, email } of created)
    await steps.wait('read', `user ${id}`, 'visible', () =>
      users.waitUntilVisible(id, { name, email }),
    );
  const [first] = created;
  if (first !== undefined) {
    const [subject, name] = [`user ${first.id}`, `${first.name ?? 'user'} (renamed)`];
    const renamed = () => `"${first.name ?? ''}" → "${name}"`;
    await steps.run('rename', subject, () => users.patch(first.id, { name }), renamed);
    await steps.wait('verify', subject, 'new name visible', () =>
      users.waitUntilVisible(first.id, { name }),
    );
  }
  // A retried DELETE whose failed attempt had deleted the user answers 404: the client counts it done.
  const deleted = (record: User | undefined) =>
    record === undefined ? 'already gone: counted as deleted' : '';
  for (const { id } of created)
    await steps.run('delete', `user ${id}`, () => users.delete(id), deleted);
  for (const { id } of created)
    await steps.wait('confirm', `user ${id}`, 'answers 404', () => users.waitUntilDeleted(id));
}

/** The id in a cleanup key, `users/<id>`. */
const idOf = (key: string) => key.slice(key.lastIndexOf('/') + 1);

/** Resolves or rejects with `work`, or rejects with Interrupted as soon as the signal aborts. */
async function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  work.catch(() => undefined); // abandoned, it may still settle later: that no longer matters
  let onAbort = (): void => undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => {
      reject(new Interrupted());
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([work, aborted]);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}
