import { request } from '@playwright/test';
import dotenv from 'dotenv';

import { type EnvironmentName, isConfigured, loadEnvironment } from '../lib/config/environment';
import { ApiStatusError } from '../lib/http/api-errors';
import { createLogger, logLevelFromEnv } from '../lib/logging/logger';
import { createUsersApi, requestContextOptions } from '../lib/users/create-users-api';
import { RUN_MARKER_PREFIX } from '../lib/resources/run-marker';
import type { User } from '../lib/users/user-schema';
import type { UsersApi } from '../lib/users/users-api';
import { asSetupError, type Target } from './demo/setup-error';
import { oneLine } from './demo/step-runner';
import { type JanitorOptions, parseCommandLine } from './janitor/cli-options';
import { classify, findCandidates, formatAge, type Verdict } from './janitor/leftovers';

const EXIT = { ok: 0, failed: 1, setup: 2 } as const;

/** Where `npm run mock-server` and `npx playwright test` serve the embedded server. */
const EMBEDDED_SERVER_URL = 'http://127.0.0.1:4010/api/v1';

/** `npm run janitor`: deletes the marked users of old, crashed runs; resolves to the exit code. */
async function main(argv: readonly string[]): Promise<number> {
  // The shell wins over .env: dotenv never overrides a variable that is already set.
  dotenv.config({ quiet: true });
  const command = parseCommandLine(argv);
  if (command.kind === 'help') {
    process.stdout.write(`${command.text}\n`);
    return EXIT.ok;
  }
  if (command.kind === 'error') {
    fail(`${command.message} (see --help)`);
    return EXIT.setup;
  }
  const { options } = command;

  let target: Target;
  let level;
  try {
    level = logLevelFromEnv();
    target = targetOf(options.environment);
  } catch (error) {
    fail(oneLine(error));
    return EXIT.setup;
  }
  const { environment } = target;
  if (!environment.allowWrites && !options.dryRun) {
    const variable = `${options.environment.toUpperCase()}_ALLOW_WRITES`;
    fail(
      `${environment.name} is read-only and the janitor deletes users: set ${variable}=true to allow it, or add --dry-run to only list them`,
    );
    return EXIT.setup;
  }

  const logger = createLogger({
    level,
    secrets: environment.token === undefined ? [] : [environment.token],
  });
  const context = await request.newContext(requestContextOptions(environment));
  try {
    const users = createUsersApi(context, environment, { logger });
    let candidates: User[];
    try {
      candidates = await findCandidates(users);
    } catch (error) {
      const setup = asSetupError(error, target);
      fail(setup?.message ?? `could not list the users: ${oneLine(error)}`);
      return setup === undefined ? EXIT.failed : EXIT.setup;
    }
    return await clean(users, candidates, options, `${environment.name} (${environment.baseUrl})`);
  } finally {
    await context.dispose();
  }
}

/** The environment to clean; `local` falls back to the embedded server's usual address. */
function targetOf(name: EnvironmentName): Target {
  if (name === 'local' && !isConfigured('local')) {
    return {
      environment: loadEnvironment('local', process.env, { baseUrl: EMBEDDED_SERVER_URL }),
      variablePrefix: undefined,
    };
  }
  return { environment: loadEnvironment(name), variablePrefix: name.toUpperCase() };
}

/** Deletes (or, on a dry run, lists) the leftovers among the candidates and prints one line each. */
async function clean(
  users: UsersApi,
  candidates: readonly User[],
  options: JanitorOptions,
  where: string,
): Promise<number> {
  const now = Date.now();
  const verdicts = candidates.map((user) => classify(user, options.olderThanMs, now));
  const of = <K extends Verdict['kind']>(kind: K) =>
    verdicts.filter((v): v is Extract<Verdict, { kind: K }> => v.kind === kind);
  const leftovers = of('leftover').sort((a, b) => b.ageMs - a.ageMs);

  say(
    `janitor: ${where}: users marked by runs at least ${options.olderThan} old${options.dryRun ? ' (dry run: nothing is deleted)' : ''}`,
  );
  for (const { user } of of('unreadable'))
    say(line('left alone', user, 'its run id holds no readable time'));

  const counts = { deleted: 0, gone: 0, failed: 0 };
  for (const { user, ageMs } of leftovers) {
    const age = `age ${formatAge(ageMs)}`;
    if (options.dryRun) {
      say(line('would delete', user, age));
      continue;
    }
    try {
      // A 404 right after an ambiguous failure means our first attempt deleted it: that is ours too.
      await users.delete(user.id);
      // A 200 is not proof: deleted means reads answer 404, within the environment's consistency window.
      await users.waitUntilDeleted(user.id);
      counts.deleted += 1;
      say(line('deleted', user, age));
    } catch (error) {
      if (error instanceof ApiStatusError && error.status === 404) {
        counts.gone += 1;
        say(line('already gone', user, age));
      } else {
        counts.failed += 1;
        say(line('FAILED', user, `${age}: ${oneLine(error)}`));
      }
    }
  }

  const acted = options.dryRun
    ? `${leftovers.length} would be deleted`
    : `${counts.deleted} deleted, ${counts.gone} already gone, ${counts.failed} failed`;
  say(
    `summary: ${acted}; kept ${of('recent').length} of runs younger than ${options.olderThan} and ` +
      `${of('unreadable').length} with an unreadable run id; ${of('foreign').length} other match(es) of ` +
      `"${RUN_MARKER_PREFIX}" not marked by the suite, untouched`,
  );
  return counts.failed > 0 ? EXIT.failed : EXIT.ok;
}

function line(verb: string, user: User, detail: string): string {
  return `${verb.padEnd(12)} user ${user.id}  ${user.email ?? '(no email)'}  ${detail}`;
}

function say(text: string): void {
  process.stdout.write(`${text}\n`);
}

/** The one line a run that could not start ends with, on stderr. */
function fail(message: string): void {
  process.stderr.write(`janitor: ${message}\n`);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exit(code);
  },
  (error: unknown) => {
    fail(`unexpected error: ${oneLine(error)}`);
    process.exit(EXIT.failed);
  },
);
