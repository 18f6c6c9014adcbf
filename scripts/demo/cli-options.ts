import { ENVIRONMENTS, type EnvironmentName } from '../../lib/config/environment';
import { logLevelFromEnv } from '../../lib/config/log-settings';
import { LOG_LEVELS, type LogLevel } from '../../lib/logging/logger';
import { type CommandLine, environmentFlag, oneLine, parseFlags } from '../support/cli';

const MAX_USERS = 100;

/** What the demo was asked to do. */
export interface DemoOptions {
  /** A configured environment, or undefined for the embedded server the demo starts itself. */
  environment: EnvironmentName | undefined;
  users: number;
  logLevel: LogLevel;
  /** The embedded server misbehaves as `local-faults` does, to show retries and reconciled creates. */
  faults: boolean;
}

export const HELP = `Usage: npm run demo -- [options]

Runs the users CRUD scenario with the framework's UsersApi, retry policy and data factory:
creates users, reads each back, renames one, deletes them all and confirms every deletion.
Without --env it starts the embedded server on a free port and stops it afterwards.

  --env NAME         run on a configured environment: ${ENVIRONMENTS.join(', ')}
                     (reads <NAME>_BASE_URL, <NAME>_API_TOKEN, ... from the shell or .env)
  --users N          how many users to create, 1 to ${MAX_USERS}; default 5
  --log-level LEVEL  ${LOG_LEVELS.join(', ')}; default info (or LOG_LEVEL)
  --faults           embedded server only: it ignores Idempotency-Key as mockapi.io does, lags
                     reads 300 ms, answers 20% 503s and commits 10% of writes it answers 500
                     (seeded): watch the retries, the reconciled creates and the waits
  --help, -h         print this help and exit

Exit codes: 0 every step passed, 1 a step failed, 2 bad set-up (usage, configuration,
unreachable API, rejected token), 130 interrupted (after deleting the users it created).`;

/** Parses the demo's flags; never throws, so the caller prints one line for any mistake. */
export function parseCommandLine(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): CommandLine<DemoOptions> {
  const { values, error } = parseFlags(argv, {
    env: { type: 'string' },
    users: { type: 'string' },
    'log-level': { type: 'string' },
    faults: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h' },
  });
  if (values === undefined) return { kind: 'error', message: error };
  if (values.help === true) return { kind: 'help', text: HELP };
  const refuse = (message: string) => ({ kind: 'error', message }) as const;

  const environment = environmentFlag(values.env);
  if (typeof environment === 'object') return refuse(environment.error);
  const users = values.users === undefined ? 5 : wholeNumber(values.users);
  if (users === undefined || users < 1 || users > MAX_USERS)
    return refuse(`--users ${values.users ?? ''} is not a number of users from 1 to ${MAX_USERS}`);
  if (values.faults && environment !== undefined)
    return refuse(`--faults applies to the embedded server only: drop --env ${environment}`);

  const flag = values['log-level'];
  let logLevel: LogLevel;
  try {
    logLevel = logLevelFromEnv({ LOG_LEVEL: flag ?? env.LOG_LEVEL }, 'info');
  } catch (problem) {
    const levels = LOG_LEVELS.join(', ');
    return refuse(
      flag === undefined
        ? oneLine(problem)
        : `--log-level ${flag} is not a level: use one of ${levels}`,
    );
  }
  return { kind: 'run', options: { environment, users, logLevel, faults: values.faults } };
}

/** A flag's non-negative integer, or undefined when it is not one. */
const wholeNumber = (raw: string) => (/^\s*\d+\s*$/.test(raw) ? Number(raw) : undefined);
