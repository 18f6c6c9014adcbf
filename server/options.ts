import { z } from 'zod';
import { defectNameSchema } from './defects';
import { listSemanticsSchema } from './list-semantics';
import { defaultResources, resourcesSchema } from './resources';

/** How loud the server's pino logger is; `warn` keeps test runs quiet. */
export const logLevelSchema = z.enum([
  'fatal',
  'error',
  'warn',
  'info',
  'debug',
  'trace',
  'silent',
]);

/** `ignore`: the header has no effect, as on mockapi.io; `honour`: replay, 409 and 422. */
export const idempotencyModeSchema = z.enum(['ignore', 'honour']);

/**
 * How an option appears on the command line. The flag defaults to the key in kebab case and its
 * variable to MOCK_<FLAG>; the allowed values and the default are read from the schema itself,
 * unless `allowed` says them better.
 */
// A type alias, not an interface: zod's metadata is an index-signature type.
export type CliMeta = {
  /** Placeholder for the value in --help, e.g. `MS`. */
  value: string;
  description: string;
  flag?: string;
  allowed?: string;
};

const cli = (meta: CliMeta): CliMeta => meta;

const rate = z.number().min(0).max(1);
const milliseconds = z.int().min(0).max(3_600_000);

/**
 * Everything the embedded server can be told. Every mode beyond mockapi.io's
 * faithful behaviour defaults to off, so a bare server behaves like mockapi.io.
 */
export const serverOptionsSchema = z.strictObject({
  port: z
    .int()
    .min(0)
    .max(65_535)
    .default(4010)
    .meta(cli({ value: 'N', description: 'port to listen on (0 picks a free one)' })),
  host: z
    .string()
    .min(1)
    .default('127.0.0.1')
    .meta(cli({ value: 'HOST', description: 'address to bind', allowed: 'a host name or IP' })),
  prefix: z
    .string()
    .regex(/^\/[A-Za-z0-9._~/-]*$/, 'must start with "/" and contain only URL path characters')
    .transform((value) => value.replace(/\/+$/, ''))
    .default('/api/v1')
    .meta(
      cli({
        value: 'PATH',
        description: 'path the resources live under, like a mockapi.io project\'s "/api/v1"',
        allowed: 'a path starting with "/"',
      }),
    ),
  resources: resourcesSchema.prefault(defaultResources).meta(
    cli({
      value: 'SPEC[,SPEC]',
      flag: 'resource',
      description:
        'the resources served, exactly these: NAME at /NAME; PARENT/:FIELD/NAME also at /PARENT/:id/NAME, the parent id stored in FIELD (userId for users, as mockapi.io names it)',
      allowed: 'comma-separated NAME or PARENT/:parentIdField/NAME, each parent declared too',
    }),
  ),
  logLevel: logLevelSchema
    .default('warn')
    .meta(cli({ value: 'LEVEL', description: 'pino log level' })),
  token: z
    .string()
    .min(1)
    .optional()
    .meta(
      cli({
        value: 'T',
        description: 'require Authorization: Bearer T on API requests (401 otherwise)',
      }),
    ),
  seed: z
    .int()
    .min(0)
    .max(0xffff_ffff)
    .default(1)
    .meta(cli({ value: 'N', description: 'seed for every random fault, for reproducible runs' })),
  fault503Rate: rate.default(0).meta(
    cli({
      value: 'R',
      description: 'share of API requests answered 503 before any processing',
    }),
  ),
  faultCommit500Rate: rate.default(0).meta(
    cli({
      value: 'R',
      description: 'share of successful writes that are committed but answered 500',
    }),
  ),
  latencyMinMs: milliseconds.default(0).meta(
    cli({
      value: 'MS',
      description: 'least random latency per API request, with --latency-max-ms',
    }),
  ),
  latencyMaxMs: milliseconds
    .default(0)
    .meta(cli({ value: 'MS', description: 'random extra latency of up to MS per API request' })),
  hangRate: rate.default(0).meta(
    cli({
      value: 'R',
      description: 'share of API requests held unanswered for --hang-ms before processing',
    }),
  ),
  hangMs: milliseconds
    .default(30_000)
    .meta(cli({ value: 'MS', description: 'how long a hanging request is held' })),
  rateLimitRps: z
    .number()
    .min(0)
    .max(1_000_000)
    .default(0)
    .meta(
      cli({
        value: 'N',
        description:
          'requests per second, over the whole server, before 429 with Retry-After (0 = no limit)',
      }),
    ),
  readLagMs: milliseconds.default(0).meta(
    cli({
      value: 'MS',
      description: 'reads see writes only MS later, in every resource (eventual consistency)',
    }),
  ),
  readLagJitterMs: milliseconds.default(0).meta(
    cli({
      value: 'MS',
      description:
        'each write reaches each replica up to MS later still, at random (writes stay in order)',
    }),
  ),
  readLagTailRate: rate.default(0).meta(
    cli({
      value: 'R',
      description:
        'share of writes that reach a replica only after --read-lag-tail-ms (a slow tail)',
    }),
  ),
  readLagTailMs: milliseconds
    .default(0)
    .meta(cli({ value: 'MS', description: 'the lag of the slow tail (--read-lag-tail-rate)' })),
  readReplicas: z
    .int()
    .min(1)
    .max(16)
    .default(1)
    .meta(
      cli({
        value: 'N',
        description:
          'read replicas, each lagging on its own; every read asks one at random, so reads are not monotonic',
      }),
    ),
  idempotency: idempotencyModeSchema.default('ignore').meta(
    cli({
      value: 'MODE',
      description:
        'Idempotency-Key on POST; ignore: every POST creates, as on mockapi.io; honour: a repeated key replays the first response (422 if the body differs, 409 while the first is in flight)',
    }),
  ),
  idempotencyTtlMs: z
    .int()
    .min(1)
    .max(30 * 24 * 3_600_000)
    .default(24 * 3_600_000)
    .meta(
      cli({
        value: 'MS',
        description: 'how long an Idempotency-Key is remembered with --idempotency honour',
      }),
    ),
  bodyLimitBytes: z
    .int()
    .min(1)
    .max(100 * 1024 * 1024)
    .default(1024 * 1024)
    .meta(cli({ value: 'N', description: 'largest accepted request body (413 beyond)' })),
  listSemantics: listSemanticsSchema.default('strict').meta(
    cli({
      value: 'MODE',
      description:
        'where the mockapi.io contract is silent (a bare limit, a page alone, ties, collation, search and filter on non-strings, createdAt format); strict: the usual choice; lenient: the other one at every point',
    }),
  ),
  defects: z
    .array(defectNameSchema)
    .default([])
    .meta(
      cli({
        value: 'NAME[,NAME]',
        flag: 'defect',
        description:
          'deliberate defects, in every resource, for checking that a test suite notices them',
      }),
    ),
});

/** Fully resolved options, every default filled in. */
export type ServerOptions = z.infer<typeof serverOptionsSchema>;

/** What callers may pass: any subset, defaults fill the rest. */
export type ServerOptionsInput = z.input<typeof serverOptionsSchema>;

/** Resolves a partial set of options, throwing a readable error on bad values. */
export function resolveServerOptions(input: ServerOptionsInput = {}): ServerOptions {
  const result = serverOptionsSchema.safeParse(input);
  if (!result.success) {
    throw new Error(`invalid server options:\n${z.prettifyError(result.error)}`);
  }
  return result.data;
}
