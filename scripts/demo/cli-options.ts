import { parseArgs } from 'node:util';

import { ENVIRONMENTS, type EnvironmentName } from '../../lib/config/environment';
import { LOG_LEVELS, type LogLevel, logLevelFromEnv } from '../../lib/logging/logger';

const MAX_USERS = 100;

/** What the demo was asked to do. */
export interface DemoOptions {
  /** A configured environment, or undefined for the embedded server the demo starts itself. */
  environment: EnvironmentName | undefined;
  users: number;
  logLevel: LogLevel;
  /** Read lag of the embedded server, to show eventual consistency. */
  readLagMs: number | undefined;
}

export type CommandLine =
  | { kind: 'run'; options: DemoOptions }
  | { kind: 'help'; text: string }
  | { kind: 'error'; message: string };

export const HELP = `Usage: npm run demo -- [options]

Runs the users CRUD scenario with the framework's UsersApi, retry policy and data factory:
creates users, reads each back, renames one, deletes them all and confirms every deletion.
Without --env it starts the embedded server on a free port and stops it afterwards.

  --env NAME         run on a configured environment: ${ENVIRONMENTS.join(', ')}
                     (reads <NAME>_BASE_URL, <NAME>_API_TOKEN, ... from the shell or .env)
  --users N          how many users to create, 1 to ${MAX_USERS}; default 5
  --log-level LEVEL  ${LOG_LEVELS.join(', ')}; default info (or LOG_LEVEL)
  --read-lag-ms MS   embedded server only: reads see writes MS later (eventual consistency)
  --help, -h         print this help and exit

Exit codes: 0 every step passed, 1 a step failed, 2 bad set-up (usage, configuration,
unreachable API, rejected token), 130 interrupted (after deleting the users it created).`;

/** Parses the demo's flags; never throws, so the caller prints one line for any mistake. */
export function parseCommandLine(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): CommandLine {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        env: { type: 'string' },
        users: { type: 'string' },
        'log-level': { type: 'string' },
        'read-lag-ms': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    return { kind: 'error', message: describeParseError(error) };
  }
  if (values.help === true) return { kind: 'help', text: HELP };

  const environment = values.env?.trim().toLowerCase();
  if (environment !== undefined && !isEnvironment(environment)) {
    return {
      kind: 'error',
      message: `--env ${values.env ?? ''} is not an environment: use one of ${ENVIRONMENTS.join(', ')}`,
    };
  }

  const users = values.users === undefined ? 5 : wholeNumber(values.users);
  if (users === undefined || users < 1 || users > MAX_USERS) {
    return {
      kind: 'error',
      message: `--users ${values.users ?? ''} is not a number of users from 1 to ${MAX_USERS}`,
    };
  }

  const readLagMs =
    values['read-lag-ms'] === undefined ? undefined : wholeNumber(values['read-lag-ms']);
  if (values['read-lag-ms'] !== undefined) {
    if (readLagMs === undefined || readLagMs > 3_600_000) {
      return {
        kind: 'error',
        message: `--read-lag-ms ${values['read-lag-ms']} is not a number of milliseconds from 0 to 3600000`,
      };
    }
    if (environment !== undefined) {
      return {
        kind: 'error',
        message: `--read-lag-ms applies to the embedded server only: drop --env ${environment} or the lag`,
      };
    }
  }

  let logLevel: LogLevel;
  const rawLevel = values['log-level']?.trim().toLowerCase();
  if (rawLevel === undefined) {
    try {
      logLevel = logLevelFromEnv(env, 'info');
    } catch (error) {
      return { kind: 'error', message: error instanceof Error ? error.message : String(error) };
    }
  } else if ((LOG_LEVELS as readonly string[]).includes(rawLevel)) {
    logLevel = rawLevel as LogLevel;
  } else {
    return {
      kind: 'error',
      message: `--log-level ${values['log-level'] ?? ''} is not a level: use one of ${LOG_LEVELS.join(', ')}`,
    };
  }

  return { kind: 'run', options: { environment, users, logLevel, readLagMs } };
}

function isEnvironment(name: string): name is EnvironmentName {
  return (ENVIRONMENTS as readonly string[]).includes(name);
}

/** A flag's non-negative integer, or undefined when it is not one. */
function wholeNumber(raw: string): number | undefined {
  const trimmed = raw.trim();
  return /^\d+$/.test(trimmed) ? Number(trimmed) : undefined;
}

/** node:util's messages run over several sentences; keep the part that names the flag. */
function describeParseError(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const flag = /'([^']+)'/.exec(message)?.[1] ?? message;
    return `unknown option ${flag}`;
  }
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
    const argument = /'([^']+)'/.exec(message)?.[1] ?? message;
    return `unexpected argument ${argument}: every option starts with --`;
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    return (message.split('\n')[0] ?? message).replace(
      /^Option '(--[\w-]+).*/,
      'option $1 needs a value',
    );
  }
  return message.split('\n')[0] ?? message;
}
