import { z } from 'zod';

/** How much model-based testing one run of the suite does, and what it replays. */
export interface ModelBudget {
  /** Command sequences to try (fast-check's `numRuns`). */
  runs: number;
  /** Longest sequence. */
  maxCommands: number;
  /** Time for the sequences and for shrinking a failure; after it, the run stops where it is. */
  timeMs: number;
  /** Replays a run: fast-check's seed, its counterexample path, and the commands' replay path. */
  seed?: number;
  path?: string;
  replayPath?: string;
}

/**
 * Defaults. On an API without a rate limit (the embedded servers): 20 sequences of up to 10
 * commands, a few seconds. On a paced, remote one: 3 sequences of up to 8 commands, 30 to 250
 * requests with the teardown's deletes, which a mockapi.io free-tier project serves in under a
 * minute at 8 requests per second. Deeper runs (nightly) raise them per environment.
 */
export const MODEL_DEFAULTS = {
  unpaced: { runs: 20, maxCommands: 10, timeMs: 60_000 },
  paced: { runs: 3, maxCommands: 8, timeMs: 180_000 },
};

const count = (variable: string, max: number) =>
  z.coerce
    .number({ error: `${variable} must be a whole number` })
    .int(`${variable} must be a whole number`)
    .min(1, `${variable} must be 1 or more`)
    .max(max, `${variable} must be at most ${max}`);

/**
 * The budget for an environment: `<ENV>_MODEL_RUNS`, `<ENV>_MODEL_MAX_COMMANDS` and
 * `<ENV>_MODEL_TIME_MS` (or the same without the prefix, for every environment), each defaulting
 * as above; `MODEL_SEED`, `MODEL_PATH` and `MODEL_REPLAY_PATH` replay a reported failure.
 */
export function modelBudget(
  environment: { name: string; rateLimitRps: number },
  env: Readonly<Record<string, string | undefined>> = process.env,
): ModelBudget {
  const defaults = environment.rateLimitRps > 0 ? MODEL_DEFAULTS.paced : MODEL_DEFAULTS.unpaced;
  const prefix = environment.name.toUpperCase().replace(/\W/g, '_');
  const read = (name: string, fallback: number, max: number): number => {
    const variable = env[`${prefix}_${name}`] === undefined ? name : `${prefix}_${name}`;
    const raw = env[variable];
    if (raw === undefined || raw === '') return fallback;
    return parsed(count(variable, max), raw);
  };
  const seed = env.MODEL_SEED;
  return {
    runs: read('MODEL_RUNS', defaults.runs, 10_000),
    maxCommands: read('MODEL_MAX_COMMANDS', defaults.maxCommands, 100),
    timeMs: read('MODEL_TIME_MS', defaults.timeMs, 86_400_000),
    ...(seed === undefined || seed === ''
      ? {}
      : {
          seed: parsed(
            z.coerce
              .number({ error: 'MODEL_SEED must be a whole number' })
              .int('MODEL_SEED must be a whole number'),
            seed,
          ),
        }),
    ...(env.MODEL_PATH ? { path: env.MODEL_PATH } : {}),
    ...(env.MODEL_REPLAY_PATH ? { replayPath: env.MODEL_REPLAY_PATH } : {}),
  };
}

/** The value, or an error that says which variable is wrong and how. */
function parsed(schema: z.ZodType<number>, raw: string): number {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  throw new Error(result.error.issues.map((issue) => issue.message).join('; '));
}
