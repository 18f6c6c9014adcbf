import { ENVIRONMENTS, type EnvironmentName } from '../../lib/config/environment';
import { type CommandLine, environmentFlag, parseFlags } from '../support/cli';

/** What the janitor was asked to do. */
export interface JanitorOptions {
  environment: EnvironmentName;
  /** Runs at least this old are leftovers. */
  olderThanMs: number;
  /** The threshold as typed, for the lines. */
  olderThan: string;
  dryRun: boolean;
}

const DEFAULT_OLDER_THAN = '24h';

export const HELP = `Usage: npm run janitor -- --env NAME [--older-than AGE] [--dry-run]

Deletes the test data that killed or cancelled runs of the suite left behind, in every resource the
suite declares (lib/suite-resources.ts): records whose unique field carries the suite's tag
(pwrun-<run id>-p<n>-w<k>-<c>: after the + of a user's email, at the end of a post's title) from a
run at least AGE old. A run's age is read from its run id, which starts with the time the run began.
Before a record goes, its marked children go (the posts of a user). Nothing else is touched: each
candidate is re-checked against the exact tag where its resource puts it, a tag whose time cannot be
read is left alone, and so is a record holding children the suite did not mark.

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
export function parseCommandLine(argv: readonly string[]): CommandLine<JanitorOptions> {
  const { values, error } = parseFlags(argv, {
    env: { type: 'string' },
    'older-than': { type: 'string', default: DEFAULT_OLDER_THAN },
    'dry-run': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h' },
  });
  if (values === undefined) return { kind: 'error', message: error };
  if (values.help === true) return { kind: 'help', text: HELP };

  const environment = environmentFlag(values.env);
  if (environment === undefined)
    return { kind: 'error', message: `--env is required: one of ${ENVIRONMENTS.join(', ')}` };
  if (typeof environment === 'object') return { kind: 'error', message: environment.error };
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
    options: { environment, olderThanMs, olderThan, dryRun: values['dry-run'] },
  };
}
