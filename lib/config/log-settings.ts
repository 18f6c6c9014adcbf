import { LOG_LEVELS, type LogLevel } from '../logging/logger';

/** Reads LOG_LEVEL, failing with the allowed values when it is not one of them. */
export function logLevelFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  fallback: LogLevel = 'warn',
): LogLevel {
  const raw = env.LOG_LEVEL?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if ((LOG_LEVELS as readonly string[]).includes(raw)) return raw as LogLevel;
  throw new Error(
    `LOG_LEVEL="${env.LOG_LEVEL ?? ''}" is not a level: use one of ${LOG_LEVELS.join(', ')}`,
  );
}

/** Whether output should be coloured: a terminal, not CI, and NO_COLOR unset. */
export function useColour(
  // isTTY is undefined, not false, on a pipe or file, whatever NodeJS.WriteStream claims.
  stream: { isTTY?: boolean } = process.stderr,
  env: NodeJS.ProcessEnv = process.env,
): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  // A plain false, never the `undefined` a pipe's isTTY would pass through.
  return stream.isTTY === true && env.CI === undefined;
}

/** The logger's level and colour for a process writing to `stream` (stderr by default). */
export function logSettings(
  stream: { isTTY?: boolean } = process.stderr,
  env: NodeJS.ProcessEnv = process.env,
): { level: LogLevel; colour: boolean } {
  return { level: logLevelFromEnv(env), colour: useColour(stream, env) };
}
