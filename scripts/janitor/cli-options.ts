import { parseArgs } from 'node:util';

import { ENVIRONMENTS, type EnvironmentName } from '../../lib/config/environment';

/** What the janitor was asked to do. */
export interface JanitorOptions {
  environment: EnvironmentName;
  /** Runs at least this old are leftovers. */
  olderThanMs: number;
  /** The threshold as typed, for the lines. */
  olderThan: string;
  dryRun: boolean;
}

export type CommandLine =
  | { kind: 'run'; options: JanitorOptions }
  | { kind: 'help'; text: string }
  | { kind: 'error'; message: string };

const DEFAULT_OLDER_THAN = '24h';

export const HELP = `Usage: npm run janitor -- --env NAME [--older-than AGE] [--dry-run]

Deletes the test users that killed or cancelled runs of the suite left behind: users whose email
carries the suite's marker (+pwrun-<run id>-p<n>-) from a run at least AGE old. A run's age is read
from its run id, which starts with the time the run began. Nothing else is touched: each candidate
is re-checked against the exact marker first, and a marker whose time cannot be read is left alone.

  --env NAME        the environment to clean: ${ENVIRONMENTS.join(', ')}
                    (reads <NAME>_BASE_URL, <NAME>_API_TOKEN, ... from the shell or .env;
                    local without LOCAL_BASE_URL is the embedded server on 127.0.0.1:4010)
  --older-than AGE  30m, 6h, 2d, ... or 0 for every finished or running run; default ${DEFAULT_OLDER_THAN}
  --dry-run         list what would be deleted, delete nothing
  --help, -h        print this help and exit

Against production it deletes only with PRODUCTION_ALLOW_WRITES=true; --dry-run always works.
Exit codes: 0 done, 1 some deletions failed, 2 bad usage, configuration or unreachable API.`;

const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `30m`, `6h`, `2d`, `45s` or `0` in milliseconds; undefined for anything else. */
export function parseDuration(raw: string): number | undefined {
  const match = /^(\d+)([smhd])$/.exec(raw.trim());
  if (match === null) return raw.trim() === '0' ? 0 : undefined;
  return Number(match[1]) * (UNIT_MS[match[2] ?? ''] ?? Number.NaN);
}

/** Parses the janitor's flags; never throws, so the caller prints one line for any mistake. */
export function parseCommandLine(argv: readonly string[]): CommandLine {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        env: { type: 'string' },
        'older-than': { type: 'string', default: DEFAULT_OLDER_THAN },
        'dry-run': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    return { kind: 'error', message: parseErrorLine(error) };
  }
  if (values.help === true) return { kind: 'help', text: HELP };

  const environment = values.env?.trim().toLowerCase();
  if (environment === undefined || environment === '') {
    return {
      kind: 'error',
      message: `--env is required: one of ${ENVIRONMENTS.join(', ')}`,
    };
  }
  if (!(ENVIRONMENTS as readonly string[]).includes(environment)) {
    return {
      kind: 'error',
      message: `--env ${values.env ?? ''} is not an environment: use one of ${ENVIRONMENTS.join(', ')}`,
    };
  }

  const olderThan = values['older-than'].trim();
  const olderThanMs = parseDuration(olderThan);
  if (olderThanMs === undefined || !Number.isSafeInteger(olderThanMs)) {
    return {
      kind: 'error',
      message: `--older-than ${values['older-than']} is not an age: use e.g. 30m, 6h, 2d, or 0`,
    };
  }

  return {
    kind: 'run',
    options: {
      environment: environment as EnvironmentName,
      olderThanMs,
      olderThan,
      dryRun: values['dry-run'],
    },
  };
}

/** node:util's parse errors run over several sentences; the first names the flag. */
function parseErrorLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const first = (message.split('\n')[0] ?? message).split('. ')[0] ?? message;
  return first.replace(/^Unknown option '([^']+)'$/, 'unknown option $1');
}
