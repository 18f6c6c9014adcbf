import pino, { type Logger } from 'pino';
import { type MessageFormatFunc, prettyFactory } from 'pino-pretty';

import { redactSecrets } from './redact';

export type { Logger } from 'pino';

/** pino's levels, loudest first, plus `silent`. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface LoggerOptions {
  /** Default `warn`; `logSettings()` (lib/config) reads `LOG_LEVEL`. */
  level?: LogLevel;
  /** Secret values that must never be printed; they are masked in every line. */
  secrets?: readonly string[];
  /** Default false; `logSettings()` (lib/config) decides from the stream, `NO_COLOR` and `CI`. */
  colour?: boolean;
  destination?: NodeJS.WritableStream;
}

/**
 * Bindings that say where a line comes from, shown before its message in this order: the worker
 * (`worker`), the test (`test`) and the part of it (`phase`, e.g. `cleanup`). The fixtures bind them
 * with child loggers: `[worker 2 · crud.spec.ts › a renamed user keeps its email · cleanup] …`.
 */
export const CONTEXT_BINDINGS = ['worker', 'test', 'phase'] as const;

const withContext: MessageFormatFunc = (log, messageKey, _level, { colors }) => {
  const context = CONTEXT_BINDINGS.flatMap((key) => {
    const value = log[key];
    if (typeof value !== 'string' && typeof value !== 'number') return [];
    return key === 'worker' ? [`worker ${value}`] : [String(value)];
  });
  const raw = log[messageKey];
  const message = typeof raw === 'string' || raw === undefined ? (raw ?? '') : JSON.stringify(raw);
  return context.length === 0 ? message : `${colors.dim(`[${context.join(' · ')}]`)} ${message}`;
};

/**
 * Creates the framework's logger: pino, pretty and level-coloured on a terminal, plain lines in CI,
 * each line prefixed with the worker, test and phase it belongs to when those are bound.
 * Secrets are masked by pino's redaction of credential paths and by a scrub of every serialised line.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const secrets = options.secrets ?? [];
  const destination = options.destination ?? process.stderr;
  const colour = options.colour ?? false;
  // A formatter, not pino-pretty's stream: each stream pipes into `destination` and stays there,
  // so a process that makes many loggers (a script's replays, a worker's tests) would pile
  // listeners onto stderr. The lines are written at once, as pino-pretty's `sync` does.
  const prettify = prettyFactory({
    colorize: colour,
    translateTime: 'HH:MM:ss.l',
    ignore: ['pid', 'hostname', ...CONTEXT_BINDINGS].join(','),
    messageFormat: withContext,
    singleLine: true,
  });
  const stream = {
    write: (line: string) => {
      destination.write(prettify(line));
    },
  };
  const scrubbed = secrets.length === 0 ? stream : scrubStream(stream, secrets);
  return pino(
    {
      level: options.level ?? 'warn',
      base: undefined,
      redact: {
        paths: ['headers.authorization', '*.headers.authorization', 'token', '*.token'],
        censor: '***',
      },
    },
    scrubbed,
  );
}

function scrubStream(
  target: { write: (line: string) => unknown },
  secrets: readonly string[],
): { write: (line: string) => void } {
  return {
    write(line: string) {
      target.write(redactSecrets(line, secrets));
    },
  };
}
