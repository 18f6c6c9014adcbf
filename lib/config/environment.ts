import { inspect } from 'node:util';

import { z } from 'zod';

import { type RetryOverrides, retryPolicy } from '../http/retry-policy';
import { environmentVariables } from './secrets';
import { badSetting } from './setting-value';
import { parseThresholds } from './threshold-grammar';

export const REMOTE_ENVIRONMENTS = ['staging', 'qa', 'production'] as const;
export const ENVIRONMENTS = ['local', ...REMOTE_ENVIRONMENTS] as const;
export type EnvironmentName = (typeof ENVIRONMENTS)[number];

/**
 * Defaults for a remote SaaS such as mockapi.io's free tier: patient timeouts; the retry policy's
 * own defaults (lib/http/retry-policy.ts: a 30 s budget below the 60 s test timeout rather than a
 * small count, so a call survives 20% 503s plus 10% commit-then-500s); 8 requests per second for the
 * whole run, under the burst limit people meet at about 10; and reads trusted 2 s after a write,
 * well past the stale reads reported there.
 */
export const REMOTE_DEFAULTS: EnvironmentDefaults = {
  timeoutMs: 10_000,
  retry: {},
  rateLimitRps: 8,
  pollTimeoutMs: 15_000,
  // Each about a quarter longer than the last, so a poll overshoots a write's visibility by at most
  // about a quarter of the lag (measured: docs/performance.md, polling with the remote defaults).
  pollIntervalsMs: [90, 110, 140, 180, 230, 280, 350, 440, 550, 690, 860, 1000],
  readLagMs: 2_000,
};

/**
 * Defaults for the embedded server on loopback: short timeouts, fast backoff, tight polling, no
 * pacing. Ten attempts keep a call under 20% 503s and 10% commit-then-500s from failing by chance
 * (0.28^10 ≈ 3e-6).
 */
export const LOCAL_DEFAULTS: EnvironmentDefaults = {
  timeoutMs: 2_000,
  retry: {
    attempts: 10,
    baseDelayMs: 5,
    maxDelayMs: 250,
    maxRetryAfterMs: 5_000,
    budgetMs: 15_000,
  },
  rateLimitRps: 0,
  pollTimeoutMs: 5_000,
  pollIntervalsMs: [10, 25, 50, 50, 100],
  readLagMs: 0,
};

/** One kind of environment's defaults; its `retry` holds only what differs from the policy's own. */
export interface EnvironmentDefaults {
  timeoutMs: number;
  retry: RetryOverrides;
  rateLimitRps: number;
  pollTimeoutMs: number;
  pollIntervalsMs: number[];
  readLagMs: number;
}

/** A configuration mistake the user fixes in the shell or `.env`; it prints as its message alone. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
    // Playwright prints a config's load error with its stack: frames in our loader only bury the fix.
    this.stack = `${this.name}: ${message}`;
  }

  /**
   * How `console.error` shows it, which is how Playwright prints an error thrown while loading
   * playwright.config.ts: the line alone, not `[ConfigError: …]` (Node brackets a stack without frames).
   */
  [inspect.custom](): string {
    return this.message;
  }
}

/**
 * Each field's messages are the form it expects (`expected …`); loadEnvironment puts the variable and
 * the value set before it: `QA_TIMEOUT_MS is "abc"; expected a whole number of milliseconds …`.
 */
const EXPECTED = 'expected ';

const wholeNumber = (expected: string) =>
  z.coerce
    .number({ error: `${EXPECTED}${expected}` })
    .int(`${EXPECTED}${expected}`)
    .positive(`${EXPECTED}${expected}`);

/** A duration in milliseconds, greater than 0; `example` is the default. */
const milliseconds = (example: number) =>
  wholeNumber(`a whole number of milliseconds greater than 0, e.g. ${example}`);

const attempts = (example: number) =>
  wholeNumber(`a count of attempts from 1 to 100, e.g. ${example}`).max(
    100,
    `${EXPECTED}a count of attempts from 1 to 100, e.g. ${example}`,
  );

const requestsPerSecond = (example: number) =>
  z.coerce
    .number({ error: `${EXPECTED}requests per second, 0 or more (0 = unpaced), e.g. ${example}` })
    .min(0, `${EXPECTED}requests per second, 0 or more (0 = unpaced), e.g. ${example}`);

const lagMilliseconds = (example: number) =>
  z.coerce
    .number({ error: `${EXPECTED}a whole number of milliseconds, 0 or more, e.g. ${example}` })
    .int(`${EXPECTED}a whole number of milliseconds, 0 or more, e.g. ${example}`)
    .min(0, `${EXPECTED}a whole number of milliseconds, 0 or more, e.g. ${example}`);

const intervals = () =>
  z
    .string()
    .transform((raw) => raw.split(',').map((part) => Number(part.trim())))
    .refine((list) => list.length > 0 && list.every((n) => Number.isInteger(n) && n > 0), {
      message: `${EXPECTED}a comma-separated list of positive milliseconds, e.g. 100,250,500`,
    });

const baseUrl = (variable: string) =>
  z
    .string({ error: `${variable} is not set` })
    .trim()
    .min(1, `${variable} is not set`)
    .refine(
      (raw) => {
        try {
          const url = new URL(raw);
          return url.protocol === 'http:' || url.protocol === 'https:';
        } catch {
          return false;
        }
      },
      { message: `${EXPECTED}an http(s) URL of the API root, e.g. https://<id>.mockapi.io/api/v1` },
    )
    .transform((raw) => raw.replace(/\/+$/, ''));

const bool = () =>
  z
    .enum(['true', 'false', '1', '0', ''], { error: `${EXPECTED}true or false` })
    .transform((v) => v === 'true' || v === '1');

/** `<ENV>_THRESHOLDS` parsed (undefined when it sets none); each bad clause is one issue naming the variable and the clause. */
const thresholds = (variable: string) =>
  z
    .string()
    .optional()
    .transform((raw, ctx) => {
      const parsed = parseThresholds(raw, variable);
      for (const message of parsed.problems) ctx.addIssue({ code: 'custom', message });
      return parsed.thresholds.length === 0 ? undefined : parsed.thresholds;
    });

type Defaults = EnvironmentDefaults;

/** The variables of one environment, validated, turned into its configuration; docs/configuration.md lists them. */
export function environmentSchema(name: string, defaults: Defaults) {
  const prefix = name.toUpperCase();
  const v = (suffix: string) => `${prefix}_${suffix}`;
  const retry = retryPolicy(defaults.retry);
  return z
    .object({
      BASE_URL: baseUrl(v('BASE_URL')),
      API_TOKEN: z.string().trim().optional(),
      ALLOW_WRITES: bool().optional(),
      TIMEOUT_MS: milliseconds(defaults.timeoutMs).default(defaults.timeoutMs),
      RETRY_ATTEMPTS: attempts(retry.attempts).default(retry.attempts),
      RETRY_BASE_DELAY_MS: milliseconds(retry.baseDelayMs).default(retry.baseDelayMs),
      RETRY_MAX_DELAY_MS: milliseconds(retry.maxDelayMs).default(retry.maxDelayMs),
      RETRY_MAX_RETRY_AFTER_MS: milliseconds(retry.maxRetryAfterMs).default(retry.maxRetryAfterMs),
      RETRY_BUDGET_MS: milliseconds(retry.budgetMs).default(retry.budgetMs),
      RATE_LIMIT_RPS: requestsPerSecond(defaults.rateLimitRps).default(defaults.rateLimitRps),
      READ_LAG_MS: lagMilliseconds(defaults.readLagMs).default(defaults.readLagMs),
      POLL_TIMEOUT_MS: milliseconds(defaults.pollTimeoutMs).default(defaults.pollTimeoutMs),
      POLL_INTERVALS_MS: intervals().default(defaults.pollIntervalsMs),
      OPENAPI: z.string().trim().optional(),
      THRESHOLDS: thresholds(v('THRESHOLDS')),
    })
    .superRefine((d, ctx) => {
      if (d.RETRY_MAX_DELAY_MS < d.RETRY_BASE_DELAY_MS)
        ctx.addIssue({
          code: 'custom',
          message: `${v('RETRY_MAX_DELAY_MS')} (${d.RETRY_MAX_DELAY_MS}) is below ${v('RETRY_BASE_DELAY_MS')} (${d.RETRY_BASE_DELAY_MS}): raise it or lower the base delay`,
        });
    })
    .transform((d) => ({
      name,
      /** API root without a trailing slash; resources live under it (`<baseUrl>/users`). */
      baseUrl: d.BASE_URL,
      /**
       * The variable holding the API token (`QA_API_TOKEN`), when it is set; never the value, which is
       * read as each request leaves (lib/http/credentials.ts), so no option, report or trace holds it.
       */
      tokenVariable: d.API_TOKEN === undefined || d.API_TOKEN === '' ? undefined : v('API_TOKEN'),
      allowWrites: name === 'production' ? (d.ALLOW_WRITES ?? false) : true,
      /** Why the client refuses writes here, naming the setting that allows them; undefined: allowed. */
      writesRefused:
        name === 'production' && d.ALLOW_WRITES !== true
          ? `writes are disabled in this environment (set ${v('ALLOW_WRITES')}=true to allow them)`
          : undefined,
      timeoutMs: d.TIMEOUT_MS,
      /** The retry policy in force: its defaults, this kind of environment's and the variables set. */
      retry: retryPolicy({
        ...defaults.retry,
        attempts: d.RETRY_ATTEMPTS,
        baseDelayMs: d.RETRY_BASE_DELAY_MS,
        maxDelayMs: d.RETRY_MAX_DELAY_MS,
        maxRetryAfterMs: d.RETRY_MAX_RETRY_AFTER_MS,
        budgetMs: d.RETRY_BUDGET_MS,
      }),
      /** Requests per second the whole run may send (every worker of every shard together); 0 = unpaced. */
      rateLimitRps: d.RATE_LIMIT_RPS,
      consistency: {
        timeoutMs: d.POLL_TIMEOUT_MS,
        intervalsMs: d.POLL_INTERVALS_MS,
        /** Longest time a committed write may stay invisible to reads; lookups before that prove nothing. */
        readLagMs: d.READ_LAG_MS,
      },
      /** The team's OpenAPI document (a path or an http(s) URL); unset = the one generated from the resources. */
      openapi: d.OPENAPI,
      /** Service-level gates judged on the run's own measurements, from `GET /users/:id p95<800; * errors<1%`; undefined when none are set. */
      thresholds: d.THRESHOLDS,
    }));
}

/** Everything the framework needs to talk to one environment. Plain data: it travels through Playwright's `use`. */
export type EnvironmentConfig = z.output<ReturnType<typeof environmentSchema>>;

/**
 * The environment's variables keyed without their prefix (`QA_BASE_URL` → `BASE_URL`), keeping only
 * those set to something, so empty lines in .env count as unset.
 */
function setVariables(env: NodeJS.ProcessEnv, prefix: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (key.startsWith(`${prefix}_`) && value !== undefined && value.trim() !== '')
      out[key.slice(prefix.length + 1)] = value;
  }
  return out;
}

/**
 * Reads and validates one environment's variables (`<NAME>_BASE_URL`, `<NAME>_API_TOKEN`, tuning).
 * Throws a ConfigError naming every bad variable and where to fix it.
 */
export function loadEnvironment(
  name: EnvironmentName,
  env: NodeJS.ProcessEnv = environmentVariables(),
  overrides: { baseUrl?: string; readLagMs?: number } = {},
): EnvironmentConfig {
  const defaults = name === 'local' ? LOCAL_DEFAULTS : REMOTE_DEFAULTS;
  const values = setVariables(env, name.toUpperCase());
  if (overrides.baseUrl !== undefined) values.BASE_URL = overrides.baseUrl;
  if (overrides.readLagMs !== undefined) values.READ_LAG_MS = String(overrides.readLagMs);
  const parsed = environmentSchema(name, defaults).safeParse(values);
  if (!parsed.success) {
    const problems = [
      ...new Set(
        parsed.error.issues.map((issue) => {
          const key = issue.path[0];
          const raw = typeof key === 'string' ? values[key] : undefined;
          if (!issue.message.startsWith(EXPECTED) || raw === undefined) return issue.message;
          return badSetting(
            `${name.toUpperCase()}_${String(key)}`,
            raw,
            issue.message.slice(EXPECTED.length),
          );
        }),
      ),
    ];
    // Without a base URL the environment is not set up at all; with one, a setting is wrong.
    throw new ConfigError(
      values.BASE_URL === undefined
        ? `Environment "${name}" is not configured: ${problems.join('. ')}. ` +
            `Set it in the shell or copy .env.example to .env and fill it in.`
        : `Environment "${name}" has ${problems.length === 1 ? 'a bad setting' : 'bad settings'}: ${problems.join('. ')}. ` +
            `Fix it in the shell or in .env (.env.example documents each setting).`,
    );
  }
  return parsed.data;
}

/** Whether an environment's base URL is set at all (without validating it). */
export function isConfigured(name: EnvironmentName, env: NodeJS.ProcessEnv = process.env): boolean {
  return (env[`${name.toUpperCase()}_BASE_URL`] ?? '').trim() !== '';
}

/** The name of one setting every environment reads, as `<ENV>_<setting>` (`BASE_URL`, `TIMEOUT_MS`, …). */
export type EnvironmentSetting = keyof z.input<ReturnType<typeof environmentSchema>>;
