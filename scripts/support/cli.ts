import { parseArgs, type ParseArgsConfig } from 'node:util';

import {
  ConfigError,
  ENVIRONMENTS,
  type EnvironmentConfig,
  type EnvironmentName,
  loadEnvironment,
} from '../../lib/config/environment';
import { environmentVariables, loadDotenv } from '../../lib/config/secrets';
import { ApiStatusError, ApiTransportError } from '../../lib/http/api-errors';
import { useColour } from '../../lib/config/log-settings';
import type { Contract } from '../../lib/openapi/contract';
import { environmentContract } from '../../lib/openapi/contract-loader';
import { SUITE_RESOURCES } from '../../lib/suite-resources';
import { EmbeddedServerError } from './embedded-server';

/** The exit codes of the repository's commands (the demo, the janitor). */
export const EXIT = { ok: 0, failed: 1, setup: 2, interrupted: 130 } as const;

/** What a command was asked to do: run with options, print its help, or refuse a bad command line. */
export type CommandLine<O> =
  { kind: 'run'; options: O } | { kind: 'help'; text: string } | { kind: 'error'; message: string };

/** A problem with how a command was set up, not with the API's behaviour: one line, exit code 2. */
export class SetupError extends Error {
  override name = 'SetupError';
}

/** Where a command runs: a configured environment (whose variables to blame) or the embedded server. */
export interface Target {
  environment: EnvironmentConfig;
  /** `QA` for `--env qa`; undefined on the embedded server, which has no variables to fix. */
  variablePrefix: string | undefined;
}

/** `--env NAME` as a target: its variables are `<NAME>_…`. */
export function environmentTarget(name: EnvironmentName): Target {
  return { environment: loadEnvironment(name), variablePrefix: name.toUpperCase() };
}

/** The embedded server at `baseUrl` as a target; `readLagMs` is the lag its reads have, if any. */
export function embeddedTarget(baseUrl: string, readLagMs?: number): Target {
  return {
    environment: loadEnvironment('local', environmentVariables(), { baseUrl, readLagMs }),
    variablePrefix: undefined,
  };
}

/** Stops a command that writes before it starts against a read-only environment (production). */
export function requireWrites(target: Target, what: string, otherwise = ''): void {
  if (target.environment.allowWrites) return;
  const variable = `${target.variablePrefix ?? 'LOCAL'}_ALLOW_WRITES`;
  throw new SetupError(
    `${target.environment.name} is read-only and ${what}: set ${variable}=true to allow it${otherwise}`,
  );
}

const UNREACHABLE: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
};

/**
 * The environment's contract for the suite's resources (`<ENV>_OPENAPI`, else the generated
 * document), loaded once for a command; a document that cannot be read or parsed is a SetupError.
 */
export async function loadContract(environment: EnvironmentConfig): Promise<Contract> {
  try {
    return await environmentContract(environment, SUITE_RESOURCES);
  } catch (error) {
    throw new SetupError(error instanceof Error ? error.message : String(error));
  }
}

/** Turns an error that means "bad set-up" into a SetupError with its fix; undefined for anything else. */
export function asSetupError(error: unknown, target?: Target): SetupError | undefined {
  if (error instanceof SetupError) return error;
  if (error instanceof ConfigError || error instanceof EmbeddedServerError)
    return new SetupError(error.message);
  if (target === undefined) return undefined;
  const { environment, variablePrefix } = target;
  const where = `${environment.name}: ${environment.baseUrl}`;
  const variable = (suffix: string) => `${variablePrefix ?? 'LOCAL'}_${suffix}`;

  if (error instanceof ApiTransportError) {
    const code = Object.keys(UNREACHABLE).find((c) => error.reason.includes(c));
    if (code === undefined) return undefined;
    const fix =
      variablePrefix === undefined
        ? 'is the server running?'
        : `check ${variable('BASE_URL')} and that the API is up`;
    return new SetupError(`${where} is unreachable (${UNREACHABLE[code] ?? code}): ${fix}`);
  }
  if (error instanceof ApiStatusError && (error.status === 401 || error.status === 403)) {
    const token = variable('API_TOKEN');
    const fix = environment.tokenVariable === undefined ? `${token} is not set` : `check ${token}`;
    return new SetupError(`${where} answered ${error.status}: ${fix}`);
  }
  // Creating in a collection that does not exist means the URL names the wrong place.
  if (error instanceof ApiStatusError && error.status === 404 && error.call.startsWith('POST ')) {
    return new SetupError(
      `${where} answered 404 to ${error.call}: check that ${variable('BASE_URL')} is the API root holding the users resource`,
    );
  }
  return undefined;
}

/** An error as one line; expect.poll's failures become "what: gave up after N ms; expected …, received …". */
export function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  // eslint-disable-next-line no-control-regex -- expect's messages carry ANSI colours
  const lines = message.replace(/\u001b\[[0-9;]*m/g, '').split('\n');
  const callLog = lines.findIndex((line) => line.startsWith('Call Log:'));
  if (callLog <= 0) {
    return lines
      .map((line) => line.trim())
      .filter((line) => line !== '')
      .join(' · ');
  }
  const body = lines.slice(1, callLog);
  const pick = (...patterns: RegExp[]) =>
    patterns.flatMap((pattern) =>
      body.flatMap((line) => pattern.exec(line)?.[1]?.trim().replace(/,$/, '') ?? []),
    );
  // A diff ("-   field" / "+   field") or a plain "Expected: x" / "Received: y".
  const expected = pick(/^- {3}(.*)/, /^Expected: (.*)/);
  const received = pick(/^\+ {3}(.*)/, /^Received(?: has value)?: (.*)/);
  const timeout = /Timeout (\d+)ms exceeded/.exec(message)?.[1];
  const parts = [
    timeout === undefined ? undefined : `gave up after ${timeout} ms`,
    expected.length === 0 ? undefined : `expected ${expected.join(', ')}`,
    received.length === 0 ? undefined : `received ${received.join(', ')}`,
  ].filter((part) => part !== undefined);
  return `${lines[0] ?? ''}: ${parts.join('; ')}`;
}

/** Parses flags strictly; a mistake comes back as the one line that names the flag. */
export function parseFlags<const O extends NonNullable<ParseArgsConfig['options']>>(
  argv: readonly string[],
  options: O,
) {
  try {
    const config = { args: [...argv], options, strict: true, allowPositionals: false } as const;
    return { values: parseArgs(config).values, error: undefined };
  } catch (error) {
    return { values: undefined, error: describeParseError(error) };
  }
}

/** node:util's messages run over several sentences; keep the part that names the flag. */
function describeParseError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const quoted = /'([^']+)'/.exec(message)?.[1] ?? message;
  switch ((error as { code?: unknown }).code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${quoted}`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument ${quoted}: every option starts with --`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return `option ${quoted.split(' ')[0] ?? quoted} needs a value`;
    default:
      return message.split('\n')[0] ?? message;
  }
}

/** `--env NAME` checked against the environments; an error line for anything else. */
export function environmentFlag(
  raw: string | undefined,
): EnvironmentName | { error: string } | undefined {
  const name = raw?.trim().toLowerCase();
  if (name === undefined || name === '') return undefined;
  if ((ENVIRONMENTS as readonly string[]).includes(name)) return name as EnvironmentName;
  return {
    error: `--env ${raw ?? ''} is not an environment: use one of ${ENVIRONMENTS.join(', ')}`,
  };
}

/**
 * Runs a command as `npm run <name>` does: reads `.env` (the shell wins), parses the command line,
 * prints the help or one line for a mistake (exit 2), runs it and exits with its code. A SetupError
 * is one line on stderr and exit code 2; anything unexpected one line and exit code 1.
 */
export function runCommand<O>(
  name: string,
  parse: (argv: readonly string[]) => CommandLine<O>,
  run: (options: O, fail: (message: string) => void) => Promise<number>,
): void {
  const fail = (message: string) => {
    const text = `${name}: ${message}`;
    process.stderr.write(`${useColour(process.stderr) ? `\u001b[31m${text}\u001b[0m` : text}\n`);
  };
  const main = async (): Promise<number> => {
    // The shell wins over .env; credentials from .env stay out of process.env.
    loadDotenv();
    const command = parse(process.argv.slice(2));
    if (command.kind === 'help') {
      process.stdout.write(`${command.text}\n`);
      return EXIT.ok;
    }
    if (command.kind === 'error') {
      fail(`${command.message} (see --help)`);
      return EXIT.setup;
    }
    try {
      return await run(command.options, fail);
    } catch (error) {
      const setup = asSetupError(error);
      if (setup === undefined) throw error;
      fail(setup.message);
      return EXIT.setup;
    }
  };
  main().then(
    // Work abandoned after Ctrl-C may still hold timers; the exit code is final now.
    (code) => process.exit(code),
    (error: unknown) => {
      fail(`unexpected error: ${oneLine(error)}`);
      process.exit(EXIT.failed);
    },
  );
}
