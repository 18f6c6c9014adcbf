import { z } from 'zod';
import { defectNameSchema } from './defects';

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

const rate = z.number().min(0).max(1);
const milliseconds = z.int().min(0).max(3_600_000);

/**
 * Everything the embedded server can be told. Every mode beyond mockapi.io's
 * faithful behaviour defaults to off, so a bare server behaves like mockapi.io.
 */
export const serverOptionsSchema = z.strictObject({
  port: z.int().min(0).max(65_535).default(4010),
  host: z.string().min(1).default('127.0.0.1'),
  /** Path the users resource lives under, like a mockapi.io project's `/api/v1`. */
  prefix: z
    .string()
    .regex(/^\/[A-Za-z0-9._~/-]*$/, 'must start with "/" and contain only URL path characters')
    .transform((value) => value.replace(/\/+$/, ''))
    .default('/api/v1'),
  logLevel: logLevelSchema.default('warn'),
  /** When set, API requests must carry `Authorization: Bearer <token>`. */
  token: z.string().min(1).optional(),
  /** Seeds every random fault so a failing run can be replayed exactly. */
  seed: z.int().min(0).max(0xffff_ffff).default(1),
  fault503Rate: rate.default(0),
  faultCommit500Rate: rate.default(0),
  /** Least latency a request gets when latencyMaxMs is set, like a SaaS's network round trip. */
  latencyMinMs: milliseconds.default(0),
  latencyMaxMs: milliseconds.default(0),
  hangRate: rate.default(0),
  hangMs: milliseconds.default(30_000),
  /** Requests per second before 429; 0 disables the limit. */
  rateLimitRps: z.number().min(0).max(1_000_000).default(0),
  readLagMs: milliseconds.default(0),
  /**
   * What an `Idempotency-Key` header on POST does. mockapi.io ignores it, so every POST creates;
   * `honour` replays the first response to a repeat and refuses a reused or in-flight key.
   */
  idempotency: idempotencyModeSchema.default('ignore'),
  /** How long an honoured key is remembered. */
  idempotencyTtlMs: z
    .int()
    .min(1)
    .max(30 * 24 * 3_600_000)
    .default(24 * 3_600_000),
  bodyLimitBytes: z
    .int()
    .min(1)
    .max(100 * 1024 * 1024)
    .default(1024 * 1024),
  defects: z.array(defectNameSchema).default([]),
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
