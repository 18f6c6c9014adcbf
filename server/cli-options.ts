import { parseArgs } from 'node:util';
import { z } from 'zod';
import { type CliMeta, serverOptionsSchema, type ServerOptions } from './options';

type OptionKey = keyof ServerOptions;

/** A command-line flag, everything about it read from its field of the options schema. */
interface CliOption {
  key: OptionKey;
  flag: string;
  /** Placeholder shown in --help. */
  value: string;
  description: string;
  /** The accepted values, quoted in help and in error messages. */
  allowed: string;
  /** The value used when neither the flag nor its variable is set. */
  fallback: string;
  /** Whether the flag takes a comma-separated list and may be repeated. */
  list: boolean;
  /** How a raw string becomes the value the schema checks; NaN and the like fail there. */
  convert: (raw: string) => unknown;
}

const asNumber = (raw: string): unknown => (raw.trim() === '' ? Number.NaN : Number(raw));
const asText = (raw: string): unknown => raw;
const asList = (raw: string): string[] =>
  raw
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');

/** Every command-line flag, in schema order; each is also read from MOCK_<FLAG_IN_UPPER_SNAKE_CASE>. */
export const cliOptions: readonly CliOption[] = Object.entries(serverOptionsSchema.shape).map(
  ([key, field]) => cliOption(key as OptionKey, field),
);

function cliOption(key: OptionKey, field: z.ZodType): CliOption {
  const meta = field.meta() as Partial<CliMeta> | undefined;
  if (meta?.value === undefined || meta.description === undefined) {
    throw new Error(`server option ${key} has no command-line description: add .meta(cli({...}))`);
  }
  const { base, fallback } = unwrap(field);
  return {
    key,
    flag: meta.flag ?? kebabCase(key),
    value: meta.value,
    description: meta.description,
    allowed: meta.allowed ?? allowedValues(key, base),
    fallback: describeDefault(fallback, meta.value),
    list: base instanceof z.ZodArray,
    convert: base instanceof z.ZodNumber ? asNumber : base instanceof z.ZodArray ? asList : asText,
  };
}

/** `fault503Rate` → `fault-503-rate`. */
function kebabCase(key: string): string {
  return key.replace(/([a-z])(?=[A-Z0-9])|([0-9])(?=[A-Za-z])/g, '$1$2-').toLowerCase();
}

/** The type a field checks, below its default, optionality and transforms, and its default. */
function unwrap(field: z.ZodType): { base: z.ZodType; fallback: unknown } {
  let base: z.ZodType = field;
  let fallback: unknown;
  for (;;) {
    if (base instanceof z.ZodDefault || base instanceof z.ZodPrefault) {
      fallback = (base.def as { defaultValue: unknown }).defaultValue;
      base = base.def.innerType as z.ZodType;
    } else if (base instanceof z.ZodOptional) {
      base = base.def.innerType as z.ZodType;
    } else if (base instanceof z.ZodPipe) {
      base = base.def.in as z.ZodType;
    } else {
      return { base, fallback };
    }
  }
}

function allowedValues(key: string, base: z.ZodType): string {
  if (base instanceof z.ZodNumber) {
    const kind = base.format?.includes('int') === true ? 'an integer' : 'a number';
    return `${kind} from ${String(base.minValue)} to ${String(base.maxValue)}`;
  }
  if (base instanceof z.ZodEnum) return oneOf(base.options.map(String));
  if (base instanceof z.ZodString)
    return (base.minLength ?? 0) > 0 ? 'a non-empty string' : 'a string';
  if (base instanceof z.ZodArray && base.element instanceof z.ZodEnum) {
    return `comma-separated names from: ${base.element.options.map(String).join(', ')}`;
  }
  throw new Error(`server option ${key}: say its allowed values in .meta({ allowed })`);
}

function oneOf(values: readonly string[]): string {
  return values.length < 2
    ? (values[0] ?? '')
    : `${values.slice(0, -1).join(', ')} or ${values.at(-1) ?? ''}`;
}

function describeDefault(value: unknown, placeholder: string): string {
  if (value === undefined) return 'off';
  if (Array.isArray(value)) return value.length === 0 ? 'none' : value.map(asWord).join(',');
  if (typeof value === 'number' && placeholder === 'MS' && value >= 3_600_000) {
    return `${value} (${value / 3_600_000} h)`;
  }
  return asWord(value);
}

function asWord(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number'
    ? String(value)
    : JSON.stringify(value);
}

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
  if (issue === undefined || option === undefined || source === undefined) {
    return { kind: 'error', message: `invalid options: ${issue?.message ?? 'unknown problem'}` };
  }
  // For a list, name the one bad item rather than the whole value.
  const item = issue.path[1];
  const bad = option.list && typeof item === 'number' ? asList(source.raw)[item] : source.raw;
  // A check across values (a parent not declared) says more than the list of allowed values.
  const problem = issue.code === 'custom' ? issue.message : `expected ${option.allowed}`;
  return {
    kind: 'error',
    message: `invalid value "${bad ?? source.raw}" for ${source.name}: ${problem}`,
  };
}

function parseFlags(argv: readonly string[]) {
  const flags: Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }> =
    {
      help: { type: 'boolean', short: 'h' },
    };
  for (const option of cliOptions) {
    flags[option.flag] = option.list ? { type: 'string', multiple: true } : { type: 'string' };
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
    'Embedded mockapi.io-compatible API. Every mode beyond mockapi.io is off by default.',
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
