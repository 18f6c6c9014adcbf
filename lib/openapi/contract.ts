import { readFile } from 'node:fs/promises';
import path from 'node:path';

import { Validator } from '@seriousme/openapi-schema-validator';
import type { ErrorObject, ValidateFunction } from 'ajv';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

import { ConfigError } from '../config/environment';
import type { ApiResult, ResponseContract } from '../http/api-client';
import { ApiResponseError, excerpt } from '../http/api-errors';
import type { Resource } from '../resources/resource';
import { openApiDocument } from './document';
import { type DocumentedOperation, matchOperation, operationsOf } from './operations';
import { fragmentOf, isObject, type OpenApiInput, pointer, pointerTo, refPointer } from './refs';

/** A response that breaks the API's OpenAPI document: an undocumented call or status, or a body. */
export class ApiContractError extends ApiResponseError {}

/** Most issues listed for one body; the rest are counted. */
const MAX_ISSUES = 5;

/** Where Ajv finds the document, so that `$ref`s inside its schemas resolve against it. */
const DOCUMENT_ID = 'https://openapi.contract.invalid/document.json';

/**
 * Whether a status is never checked: 5xx and 429 come from the infrastructure (an outage, a proxy,
 * a rate limit) rather than the API's contract, and a client retries them.
 */
export function isInfrastructureStatus(status: number): boolean {
  return status >= 500 || status === 429;
}

/** Checked only where the document lists them: a gateway in front of an API answers them unasked. */
const GATEWAY_STATUSES: ReadonlySet<number> = new Set([401, 403]);

/**
 * An OpenAPI 3.x document, ready to check final responses against: each call must be one of its
 * operations, each status one it lists for it, each JSON body valid against its schema.
 */
export class Contract implements ResponseContract {
  /** Every operation of the document, as coverage compares calls with them. */
  readonly operations: readonly DocumentedOperation[];
  /** Response body validators by `METHOD template status-key`; absent where no JSON body is documented. */
  private readonly validators = new Map<string, ValidateFunction>();

  /**
   * Compiles every JSON response schema of `doc` (which must already be a valid OpenAPI 3.x
   * document); `source` says where it came from in messages. Throws when a schema does not compile.
   */
  constructor(
    readonly document: OpenApiInput,
    readonly source: string,
  ) {
    this.operations = operationsOf(document);
    const ajv = new Ajv2020({ allErrors: true, strict: false, logger: false });
    addFormats(ajv);
    ajv.addSchema(asJsonSchema2020(document), DOCUMENT_ID, undefined, false);
    for (const operation of this.operations) {
      const at = pointerTo(pointerTo('/paths', operation.template), operation.method.toLowerCase());
      for (const key of operation.statuses) {
        const schemaAt = jsonSchemaPointer(document, pointerTo(`${at}/responses`, key));
        if (schemaAt === undefined) continue;
        this.validators.set(
          `${operation.method} ${operation.template} ${key}`,
          ajv.compile({ $ref: `${DOCUMENT_ID}${fragmentOf(schemaAt)}` }),
        );
      }
    }
  }

  /**
   * Checks a final response: `target` is the path and query relative to the API root
   * (`users/7?page=2`). Throws an {@link ApiContractError} naming the call, the operation, the status
   * and what was expected; statuses of the infrastructure are left alone.
   */
  check(method: string, target: string, result: Pick<ApiResult, 'status' | 'text'>): void {
    const call = `${method} /${target}`;
    const { status } = result;
    if (isInfrastructureStatus(status)) return;
    const operation = matchOperation(this.operations, method, target);
    if (operation === undefined) {
      const paths = [...new Set(this.operations.map((o) => o.template))];
      const here = this.operations
        .filter((o) => matchOperation([o], o.method, target) !== undefined)
        .map((o) => o.method);
      const methods =
        here.length === 0 ? '' : ` (that path documents ${[...new Set(here)].join(', ')})`;
      throw new ApiContractError(
        `${call} is not in the OpenAPI document: no ${method} operation matches /${stripQuery(target)}${methods}. Documented paths: ${paths.join(', ') || '(none)'}.\n${this.source}`,
        call,
      );
    }
    const name = `${operation.method} ${operation.template}`;
    const key = responseKey(operation.statuses, status);
    if (key === undefined) {
      if (GATEWAY_STATUSES.has(status)) return;
      throw new ApiContractError(
        `${call} answered ${status}, which the OpenAPI document does not list for ${name} (documented: ${operation.statuses.join(', ') || 'none'}). Body: ${excerpt(result.text) || '(empty)'}\n${this.source}`,
        call,
      );
    }
    const validate = this.validators.get(`${name} ${key}`);
    if (validate === undefined) return;
    const expectation = `(${name} → ${key})`;
    let body: unknown;
    try {
      body = JSON.parse(result.text) as unknown;
    } catch {
      throw new ApiContractError(
        `${call} answered ${status} with a body that is not JSON, where the OpenAPI document ${expectation} says application/json. Body: ${excerpt(result.text) || '(empty)'}\n${this.source}`,
        call,
      );
    }
    if (validate(body)) return;
    const issues = describeIssues(validate.errors ?? []);
    throw new ApiContractError(
      [
        `${call} answered ${status}, which does not match the OpenAPI document ${expectation}:`,
        ...issues.slice(0, MAX_ISSUES).map((issue) => `  ${issue}`),
        ...(issues.length > MAX_ISSUES ? [`  … and ${issues.length - MAX_ISSUES} more`] : []),
        `Body: ${excerpt(result.text) || '(empty)'}`,
        this.source,
      ].join('\n'),
      call,
    );
  }
}

/**
 * The response key that documents `status`: the exact code, else its range (`4XX`), else `default`.
 */
export function responseKey(documented: readonly string[], status: number): string | undefined {
  const exact = documented.find((key) => key === String(status));
  if (exact !== undefined) return exact;
  const range = documented.find((key) => key.toUpperCase() === `${Math.floor(status / 100)}XX`);
  return range ?? documented.find((key) => key === 'default');
}

/** The document generated from the resources, as a contract: what the suite checks by default. */
export function generatedContract(resources: readonly Resource[]): Contract {
  const names = resources.map((resource) => resource.path).join(', ');
  return new Contract(
    openApiDocument(resources),
    `Document: generated from the declared resources (${names}); set <ENV>_OPENAPI to check against your own.`,
  );
}

/**
 * Loads the team's OpenAPI 3.x document from a file (JSON or YAML) or an http(s) URL, validates it
 * against the OpenAPI schema and compiles it. Every problem is one ConfigError naming `variable`.
 */
export async function loadContract(location: string, variable: string): Promise<Contract> {
  const shown = `${variable}=${displayed(location)}`;
  const fail = (problem: string): never => {
    throw new ConfigError(`${shown}: ${problem}`);
  };
  const text = await readDocument(location).catch((error: unknown) =>
    fail(error instanceof Error ? error.message : String(error)),
  );
  const doc = await parseDocument(text).catch((error: unknown) =>
    fail(error instanceof Error ? error.message : String(error)),
  );
  if (typeof doc.swagger === 'string')
    fail(
      `Swagger ${doc.swagger} is not supported: convert it to OpenAPI 3 (e.g. with swagger2openapi)`,
    );
  if (typeof doc.openapi !== 'string' || !doc.openapi.startsWith('3.'))
    fail(`not an OpenAPI 3 document: expected a top-level "openapi": "3.1.0" (or 3.0.x)`);
  const result = await new Validator().validate(doc);
  if (!result.valid)
    fail(`not a valid OpenAPI ${String(doc.openapi)} document: ${problems(result.errors)}`);
  const external = externalRef(doc);
  if (external !== undefined)
    fail(
      `refers to ${external}: references to other documents are not supported, bundle it into one file`,
    );
  try {
    return new Contract(doc, `Document: ${shown}`);
  } catch (error) {
    return fail(
      `a response schema does not compile: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

/** The contract of an environment: the team's document when `<ENV>_OPENAPI` is set, else the generated one. */
export async function environmentContract(
  environment: { name: string; openapi?: string | undefined },
  resources: readonly Resource[],
): Promise<Contract> {
  return environment.openapi === undefined
    ? generatedContract(resources)
    : loadContract(environment.openapi, `${environment.name.toUpperCase()}_OPENAPI`);
}

async function readDocument(location: string): Promise<string> {
  if (/^https?:\/\//i.test(location)) {
    let response: Response;
    try {
      response = await fetch(location, { signal: AbortSignal.timeout(15_000) });
    } catch (error) {
      const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
      throw new Error(
        `could not fetch the document (${cause instanceof Error ? cause.message : String(cause)})`,
        { cause: error },
      );
    }
    if (!response.ok) throw new Error(`fetching the document answered ${response.status}`);
    return response.text();
  }
  const file = path.resolve(location);
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(
      code === 'ENOENT'
        ? `no such file (${file}): write one with \`npm run openapi -- --out ${location}\`, or unset the variable to use the generated document`
        : `could not read ${file} (${code ?? String(error)})`,
      { cause: error },
    );
  }
}

/** JSON, or YAML (which the OpenAPI validator reads); one object either way. */
async function parseDocument(text: string): Promise<Record<string, unknown>> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text) as unknown;
  } catch (jsonError) {
    const validator = new Validator();
    // The validator reads YAML from a string with a line break (without one it takes a file name).
    const result = text.includes('\n') ? await validator.validate(`${text}\n`) : undefined;
    if (result === undefined || result.errors === 'Failed to parse input as YAML/JSON')
      throw new Error(
        `neither JSON nor YAML (${jsonError instanceof Error ? jsonError.message : String(jsonError)})`,
        { cause: jsonError },
      );
    parsed = validator.specification;
  }
  if (!isObject(parsed))
    throw new Error('not an OpenAPI document: expected a JSON (or YAML) object at the top');
  return parsed;
}

/** The pointer of a response's JSON body schema, following `$ref`s to the response; undefined without one. */
function jsonSchemaPointer(doc: OpenApiInput, at: string): string | undefined {
  let here = at;
  for (let hops = 0; hops < 10; hops += 1) {
    const value = pointer(doc, here);
    if (!isObject(value)) return undefined;
    if (typeof value.$ref === 'string' && value.$ref.startsWith('#/')) {
      here = refPointer(value.$ref);
      continue;
    }
    if (!isObject(value.content)) return undefined;
    const type = Object.keys(value.content).find((t) =>
      /^application\/([\w.-]+\+)?json\b/i.test(t),
    );
    if (type === undefined) return undefined;
    const media = value.content[type];
    if (!isObject(media) || media.schema === undefined) return undefined;
    return pointerTo(pointerTo(pointerTo(here, 'content'), type), 'schema');
  }
  return undefined;
}

/**
 * The document as Ajv 2020 reads it: OpenAPI 3.0's schema dialect differs from JSON Schema 2020-12
 * in `nullable` and boolean `exclusiveMinimum`/`exclusiveMaximum`, which are rewritten.
 */
function asJsonSchema2020(doc: OpenApiInput): Record<string, unknown> {
  if (typeof doc.openapi !== 'string' || !doc.openapi.startsWith('3.0')) return doc;
  const rewrite = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(rewrite);
    if (!isObject(value)) return value;
    const out = new Map(Object.entries(value).map(([key, child]) => [key, rewrite(child)]));
    const type = out.get('type');
    if (out.get('nullable') === true && typeof type === 'string') out.set('type', [type, 'null']);
    for (const [flag, bound] of [
      ['exclusiveMinimum', 'minimum'],
      ['exclusiveMaximum', 'maximum'],
    ] as const) {
      const limit = out.get(bound);
      if (out.get(flag) === true && typeof limit === 'number') {
        out.set(flag, limit);
        out.delete(bound);
      } else if (typeof out.get(flag) === 'boolean') out.delete(flag);
    }
    return Object.fromEntries(out);
  };
  return rewrite(doc) as Record<string, unknown>;
}

/** Ajv's errors as `at $.email: must be string`, a format failure hiding the pattern beside it. */
function describeIssues(errors: readonly ErrorObject[]): string[] {
  const formatAt = new Set(errors.filter((e) => e.keyword === 'format').map((e) => e.instancePath));
  return errors
    .filter((e) => !(e.keyword === 'pattern' && formatAt.has(e.instancePath)))
    .filter((e) => e.keyword !== 'if')
    .map((e) => {
      const params = e.params as Record<string, unknown>;
      const detail =
        e.keyword === 'enum' && Array.isArray(params.allowedValues)
          ? `: ${params.allowedValues.map((v) => JSON.stringify(v)).join(', ')}`
          : e.keyword === 'const'
            ? `: ${JSON.stringify(params.allowedValue)}`
            : e.keyword === 'additionalProperties'
              ? ` (${String(params.additionalProperty)})`
              : '';
      const message = (e.message ?? e.keyword).replace(/pattern "(.{60}).+"$/, 'pattern "$1…"');
      return `at ${jsonPath(e.instancePath)}: ${message}${detail}`;
    })
    .filter((issue, index, all) => all.indexOf(issue) === index);
}

/** A JSON pointer as `$[0].email`. */
function jsonPath(instancePath: string): string {
  return instancePath
    .split('/')
    .slice(1)
    .map((raw) => raw.replaceAll('~1', '/').replaceAll('~0', '~'))
    .map((key) => (/^\d+$/.test(key) ? `[${key}]` : `.${key}`))
    .reduce((a, b) => a + b, '$');
}

/** The validator's errors, the first few, as text. */
function problems(errors: readonly ErrorObject[] | string | undefined): string {
  if (errors === undefined) return 'no reason given';
  if (typeof errors === 'string') return errors;
  const merged = mergeAnyOfRequired(errors);
  const lines = merged
    .slice(0, 3)
    .map((e) => `at ${e.instancePath || '/'}: ${e.message ?? e.keyword}`);
  return lines.join('; ') + (merged.length > 3 ? ` (and ${merged.length - 3} more)` : '');
}

/**
 * Ajv reports an `anyOf` of `required`s (OpenAPI 3.1: paths, components or webhooks) as each
 * property being required, then "must match a schema in anyOf": one of them is enough, so say so.
 */
function mergeAnyOfRequired(errors: readonly ErrorObject[]): ErrorObject[] {
  let out: ErrorObject[] = [];
  for (const error of errors) {
    const branches = out.filter(
      (e) =>
        e.keyword === 'required' &&
        e.instancePath === error.instancePath &&
        e.schemaPath.startsWith(`${error.schemaPath}/`),
    );
    if (error.keyword !== 'anyOf' || branches.length < 2) {
      out.push(error);
      continue;
    }
    const names = branches.map((e) =>
      String((e.params as { missingProperty?: unknown }).missingProperty),
    );
    const message = `must have at least one of ${names.slice(0, -1).join(', ')} or ${names.at(-1) ?? ''}`;
    const at = out.indexOf(branches[0] as ErrorObject);
    out = out.filter((e) => !branches.includes(e));
    out.splice(at, 0, { ...error, message });
  }
  return out;
}

/** The first `$ref` to another document, if any. */
function externalRef(value: unknown): string | undefined {
  if (Array.isArray(value)) {
    for (const item of value) {
      const found = externalRef(item);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (!isObject(value)) return undefined;
  if (typeof value.$ref === 'string' && !value.$ref.startsWith('#')) return value.$ref;
  for (const child of Object.values(value)) {
    const found = externalRef(child);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** A location for messages: a URL without credentials or query (they may hold a token). */
function displayed(location: string): string {
  if (!/^https?:\/\//i.test(location)) return location;
  try {
    const url = new URL(location);
    return `${url.origin}${url.pathname}${url.search === '' ? '' : '?…'}`;
  } catch {
    return location;
  }
}

function stripQuery(target: string): string {
  return target.split('?')[0] ?? target;
}
