import {
  environmentSchema,
  type EnvironmentSetting,
  LOCAL_DEFAULTS,
  REMOTE_DEFAULTS,
} from '../../lib/config/environment';

/**
 * What each `<ENV>_` setting does. Typed by the schema's own keys, so a setting added to
 * lib/config/environment.ts without a line here does not compile.
 */
const WHAT: Record<EnvironmentSetting, string> = {
  BASE_URL:
    'The API root, e.g. `https://<id>.mockapi.io/api/v1`; the users resource is `<root>/users`. Required for `staging`, `qa`, `production`; `local` builds it from `LOCAL_PORT`.',
  API_TOKEN:
    'Sent as `Authorization: Bearer …`, put in only as a request leaves for that origin: no trace, report or log holds it. mockapi.io ignores it.',
  ALLOW_WRITES:
    'Read for `production` only: `true` lets the client send POST, PUT, PATCH and DELETE there (otherwise only `@readonly` tests run).',
  TIMEOUT_MS: 'Per-request timeout, in ms.',
  RETRY_ATTEMPTS: 'Attempts per call, the first included; the budget usually ends a call first.',
  RETRY_BASE_DELAY_MS: 'Exponential backoff with full jitter: the first delay, in ms.',
  RETRY_MAX_DELAY_MS: 'The backoff cap, in ms; at least the base delay.',
  RETRY_MAX_RETRY_AFTER_MS: 'Longest `Retry-After` honoured, in ms; a longer one fails the call.',
  RETRY_BUDGET_MS:
    'Total time one call may spend retrying, in ms; time waiting for the pacer does not count.',
  RATE_LIMIT_RPS:
    'Requests per second the whole run starts at, every worker of every shard together; while requests queue it probes upward (to twice this), and a 429 cuts it by a fifth. `0`: no pacing.',
  READ_LAG_MS:
    'Longest time a write may stay invisible to reads, in ms: the ceiling and starting point of the bound the run learns (p95 of observed lags × 2 + 100 ms). After an ambiguous create, only a lookup begun after the bound decides "created or not".',
  POLL_TIMEOUT_MS: 'How long `waitUntilVisible` and `waitUntilDeleted` poll, in ms.',
  POLL_INTERVALS_MS: 'The intervals between those reads, in ms; the last one repeats.',
  OPENAPI:
    'Your OpenAPI 3.0 or 3.1 document (JSON or YAML file, or http(s) URL) that every response must match; unset: the one generated from the zod schemas.',
  THRESHOLDS:
    "Service-level gates judged on the run's own calls, e.g. `GET /users/:id p95<800; * errors<1%`; a breach fails the run.",
};

/** A setting's default, as the schema gives it for one set of defaults; `—` where there is none. */
function defaultOf(setting: EnvironmentSetting, defaults: typeof REMOTE_DEFAULTS): string {
  const parsed = environmentSchema('docs', defaults).in.shape[setting].safeParse(undefined);
  if (!parsed.success || parsed.data === undefined) return '—';
  const value: unknown = parsed.data;
  return `\`${Array.isArray(value) ? value.join(',') : String(value)}\``;
}

/** One row per `<ENV>_` setting the schema reads, in the schema's order. */
export function environmentRows(): string[][] {
  const settings = Object.keys(
    environmentSchema('docs', REMOTE_DEFAULTS).in.shape,
  ) as EnvironmentSetting[];
  return settings.map((setting) => [
    `\`<ENV>_${setting}\``,
    defaultOf(setting, REMOTE_DEFAULTS),
    defaultOf(setting, LOCAL_DEFAULTS),
    WHAT[setting],
  ]);
}

export const ENVIRONMENT_TABLE_HEADER = [
  'variable',
  'remote default',
  'local default',
  'what it does',
];

/** The table as Markdown (prettier aligns it). */
export function environmentTable(): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [
    line(ENVIRONMENT_TABLE_HEADER),
    line(ENVIRONMENT_TABLE_HEADER.map(() => '---')),
    ...environmentRows().map(line),
  ].join('\n');
}
