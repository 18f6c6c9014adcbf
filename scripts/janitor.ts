import { request } from '@playwright/test';

import { isConfigured } from '../lib/config/environment';
import { ApiStatusError } from '../lib/http/api-errors';
import { createLogger, logLevelFromEnv } from '../lib/logging/logger';
import { createUsersApi, requestContextOptions } from '../lib/users/create-users-api';
import { RUN_MARKER_PREFIX } from '../lib/resources/run-marker';
import type { User } from '../lib/users/user-schema';
import type { UsersApi } from '../lib/users/users-api';
import { type JanitorOptions, parseCommandLine } from './janitor/cli-options';
import { classify, findCandidates, formatAge, type Verdict } from './janitor/leftovers';
import {
  asSetupError,
  embeddedTarget,
  environmentTarget,
  EXIT,
  oneLine,
  requireWrites,
  runCommand,
  SetupError,
} from './support/cli';

/** Where `npm run mock-server` and `npx playwright test` serve the embedded server. */
const EMBEDDED_SERVER_URL = 'http://127.0.0.1:4010/api/v1';

/** `npm run janitor`: deletes the marked users of old, crashed runs; resolves to the exit code. */
async function janitor(options: JanitorOptions, fail: (message: string) => void): Promise<number> {
  let level;
  try {
    level = logLevelFromEnv();
  } catch (error) {
    throw new SetupError(oneLine(error));
  }
  // `local` without LOCAL_BASE_URL is the embedded server at its usual address.
  const target =
    options.environment === 'local' && !isConfigured('local')
      ? embeddedTarget(EMBEDDED_SERVER_URL)
      : environmentTarget(options.environment);
  const { environment } = target;
  if (!options.dryRun)
    requireWrites(target, 'the janitor deletes users', ', or add --dry-run to only list them');

  const secrets = environment.token === undefined ? [] : [environment.token];
  const logger = createLogger({ level, secrets });
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

runCommand('janitor', parseCommandLine, janitor);
