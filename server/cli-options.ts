import { parseArgs } from 'node:util';
import { defectNames } from './defects';
import { serverOptionsSchema, type ServerOptions } from './options';

type OptionKey = Exclude<keyof ServerOptions, never>;

interface CliOption {
  key: OptionKey;
  flag: string;
  /** How a raw string becomes the value the schema checks; NaN and the like fail there. */
  convert: (raw: string) => unknown;
  /** Placeholder shown in --help. */
  value: string;
  description: string;
  /** The accepted values, quoted in help and in error messages. */
  allowed: string;
  /** The value used when neither the flag nor its variable is set. */
  fallback: string;
}

const asNumber = (raw: string): unknown => (raw.trim() === '' ? Number.NaN : Number(raw));
const asText = (raw: string): unknown => raw;
const asList = (raw: string): unknown =>
  raw
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');

/** Every command-line flag; each is also read from MOCK_<FLAG_IN_UPPER_SNAKE_CASE>. */
export const cliOptions: readonly CliOption[] = [
  {
    key: 'port',
    flag: 'port',
    convert: asNumber,
    value: 'N',
    description: 'port to listen on (0 picks a free one)',
    allowed: 'an integer from 0 to 65535',
    fallback: '4010',
  },
  {
    key: 'host',
    flag: 'host',
    convert: asText,
    value: 'HOST',
    description: 'address to bind',
    allowed: 'a host name or IP',
    fallback: '127.0.0.1',
  },
  {
    key: 'prefix',
    flag: 'prefix',
    convert: asText,
    value: 'PATH',
    description: 'path the users resource lives under',
    allowed: 'a path starting with "/"',
    fallback: '/api/v1',
  },
  {
    key: 'logLevel',
    flag: 'log-level',
    convert: asText,
    value: 'LEVEL',
    description: 'pino log level',
    allowed: 'fatal, error, warn, info, debug, trace or silent',
    fallback: 'warn',
  },
  {
    key: 'token',
    flag: 'token',
    convert: asText,
    value: 'T',
    description: 'require Authorization: Bearer T on API requests (401 otherwise)',
    allowed: 'a non-empty string',
    fallback: 'off',
  },
  {
    key: 'seed',
    flag: 'seed',
    convert: asNumber,
    value: 'N',
    description: 'seed for every random fault, for reproducible runs',
    allowed: 'an integer from 0 to 4294967295',
    fallback: '1',
  },
  {
    key: 'fault503Rate',
    flag: 'fault-503-rate',
    convert: asNumber,
    value: 'R',
    description: 'share of API requests answered 503 before any processing',
    allowed: 'a number from 0 to 1',
    fallback: '0',
  },
  {
    key: 'faultCommit500Rate',
    flag: 'fault-commit-500-rate',
    convert: asNumber,
    value: 'R',
    description: 'share of successful writes that are committed but answered 500',
    allowed: 'a number from 0 to 1',
    fallback: '0',
  },
  {
    key: 'latencyMinMs',
    flag: 'latency-min-ms',
    convert: asNumber,
    value: 'MS',
    description: 'least random latency per API request, with --latency-max-ms',
    allowed: 'an integer from 0 to 3600000',
    fallback: '0',
  },
  {
    key: 'latencyMaxMs',
    flag: 'latency-max-ms',
    convert: asNumber,
    value: 'MS',
    description: 'random extra latency of up to MS per API request',
    allowed: 'an integer from 0 to 3600000',
    fallback: '0',
  },
  {
    key: 'hangRate',
    flag: 'hang-rate',
    convert: asNumber,
    value: 'R',
    description: 'share of API requests held unanswered for --hang-ms before processing',
    allowed: 'a number from 0 to 1',
    fallback: '0',
  },
  {
    key: 'hangMs',
    flag: 'hang-ms',
    convert: asNumber,
    value: 'MS',
    description: 'how long a hanging request is held',
    allowed: 'an integer from 0 to 3600000',
    fallback: '30000',
  },
  {
    key: 'rateLimitRps',
    flag: 'rate-limit-rps',
    convert: asNumber,
    value: 'N',
    description: 'requests per second before 429 with Retry-After (0 = no limit)',
    allowed: 'a number from 0 to 1000000',
    fallback: '0',
  },
  {
    key: 'readLagMs',
    flag: 'read-lag-ms',
    convert: asNumber,
    value: 'MS',
    description: 'reads see writes only MS later (eventual consistency)',
    allowed: 'an integer from 0 to 3600000',
    fallback: '0',
  },
  {
    key: 'idempotency',
    flag: 'idempotency',
    convert: asText,
    value: 'MODE',
    description:
      'Idempotency-Key on POST; ignore: every POST creates, as on mockapi.io; honour: a repeated key replays the first response (422 if the body differs, 409 while the first is in flight)',
    allowed: 'ignore or honour',
    fallback: 'ignore',
  },
  {
    key: 'idempotencyTtlMs',
    flag: 'idempotency-ttl-ms',
    convert: asNumber,
    value: 'MS',
    description: 'how long an Idempotency-Key is remembered with --idempotency honour',
    allowed: 'an integer from 1 to 2592000000',
    fallback: '86400000 (24 h)',
  },
  {
    key: 'bodyLimitBytes',
    flag: 'body-limit-bytes',
    convert: asNumber,
    value: 'N',
    description: 'largest accepted request body (413 beyond)',
    allowed: 'an integer from 1 to 104857600',
    fallback: '1048576',
  },
  {
    key: 'defects',
    flag: 'defect',
    convert: asList,
    value: 'NAME[,NAME]',
    description: 'deliberate defects, for checking that a test suite notices them',
    allowed: `comma-separated names from: ${defectNames.join(', ')}`,
    fallback: 'none',
  },
];

/** The environment variable that sets a flag, e.g. MOCK_FAULT_503_RATE. */
export function envName(flag: string): string {
  return `MOCK_${flag.toUpperCase().replaceAll('-', '_')}`;
}

/** What the command line asks for. */
export type CliRequest =
  | { kind: 'run'; options: ServerOptions }
  | { kind: 'help'; text: string }
  | { kind: 'error'; message: string };

/** Reads options from flags, then MOCK_* variables, then defaults; flags win. */
export function parseCommandLine(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): CliRequest {
  let parsed: ReturnType<typeof parseFlags>;
  try {
    parsed = parseFlags(argv);
  } catch (error) {
    return { kind: 'error', message: describeParseError(error) };
  }
  if (parsed.values['help'] === true) return { kind: 'help', text: helpText() };
  if (parsed.positionals.length > 0) {
    return {
      kind: 'error',
      message: `unexpected argument "${parsed.positionals.join(' ')}"; run with --help to list the options`,
    };
  }

  const input: Record<string, unknown> = {};
  const sources = new Map<OptionKey, { name: string; raw: string }>();
  for (const option of cliOptions) {
    const fromFlag = parsed.values[option.flag];
    const flagValue = Array.isArray(fromFlag) ? fromFlag.join(',') : fromFlag;
    const envValue = env[envName(option.flag)];
    if (typeof flagValue === 'string') {
      sources.set(option.key, { name: `--${option.flag}`, raw: flagValue });
    } else if (envValue !== undefined && envValue !== '') {
      // An empty variable counts as unset, as in MOCK_TOKEN= from a template.
      sources.set(option.key, { name: envName(option.flag), raw: envValue });
    }
    const source = sources.get(option.key);
    if (source !== undefined) input[option.key] = option.convert(source.raw);
  }

  const result = serverOptionsSchema.safeParse(input);
  if (result.success) return { kind: 'run', options: result.data };
  const issue = result.error.issues[0];
  const option = cliOptions.find((candidate) => candidate.key === issue?.path[0]);
  const source = option === undefined ? undefined : sources.get(option.key);
  if (option === undefined || source === undefined) {
    return { kind: 'error', message: `invalid options: ${issue?.message ?? 'unknown problem'}` };
  }
  // For a list, name the one bad item rather than the whole value.
  const item = issue?.path[1];
  const listed = typeof item === 'number' ? asList(source.raw) : undefined;
  const bad = Array.isArray(listed) && typeof item === 'number' ? String(listed[item]) : source.raw;
  return {
    kind: 'error',
    message: `invalid value "${bad}" for ${source.name}: expected ${option.allowed}`,
  };
}

function parseFlags(argv: readonly string[]) {
  const flags: Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }> =
    {
      help: { type: 'boolean', short: 'h' },
    };
  for (const option of cliOptions) {
    flags[option.flag] =
      option.key === 'defects' ? { type: 'string', multiple: true } : { type: 'string' };
  }
  return parseArgs({ args: [...argv], options: flags, strict: true, allowPositionals: true });
}

function describeParseError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const unknown = /Unknown option '([^']+)'/.exec(message);
  if (unknown !== null)
    return `unknown option ${unknown[1] ?? ''}; run with --help to list the options`;
  const missing = /Option '(--[\w-]+)/.exec(message);
  if (missing !== null)
    return `option ${missing[1] ?? ''} needs a value; run with --help for the allowed values`;
  return `${message.split('\n')[0] ?? message}; run with --help to list the options`;
}

/** The --help text: every flag, its variable, and its allowed values. */
export function helpText(): string {
  const lines = [
    'Usage: npm run mock-server -- [options]',
    '',
    'Embedded mockapi.io-compatible users API. Every mode beyond mockapi.io is off by default.',
    'Each option can also be set by its environment variable; the flag wins when both are given.',
    '',
  ];
  for (const option of cliOptions) {
    lines.push(`  --${option.flag} ${option.value}   (env ${envName(option.flag)})`);
    lines.push(`      ${option.description}; ${option.allowed}; default ${option.fallback}`);
  }
  lines.push('  --help, -h', '      print this help and exit');
  lines.push(
    '',
    'Control API (outside the prefix): /__control/health, /__control/state, /__control/scenarios/:id',
  );
  return lines.join('\n');
}
