import type { ErrorObject, ValidateFunction } from 'ajv';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

import type { ApiResult, ResponseContract } from '../http/api-call';
import { ApiResponseError, excerpt } from '../http/api-errors';
import type { Refusal } from '../http/api-observer';
import { type DocumentedOperation, matchOperation, operationsOf } from './operations';
import { fragmentOf, isObject, type OpenApiInput, pointer, pointerTo, refPointer } from './refs';

/** A response that breaks the API's OpenAPI document: an undocumented call or status, or a body. */
export class ApiContractError extends ApiResponseError {
  /** What the contract wanted instead, where the answer broke it: a reproduction judges by it. */
  refusal?: Refusal;
}

/** `error` carrying what the contract wanted instead. */
const refusing = (error: ApiContractError, refusal: Refusal) => Object.assign(error, { refusal });

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
  /** Where each response's JSON body schema sits, by `METHOD template status-key`. */
  private readonly schemas = new Map<string, string>();
  /** The schemas compiled so far, by the same keys: each on first use (see {@link compileAll}). */
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly ajv: Ajv2020;

  /**
   * Reads every JSON response schema of `doc` (which must already be a valid OpenAPI 3.x document);
   * `source` says where it came from in messages. A schema is compiled when a response first needs
   * it: a worker pays for the operations its tests call, not for every one of the document.
   */
  constructor(
    readonly document: OpenApiInput,
    readonly source: string,
  ) {
    this.operations = operationsOf(document);
    this.ajv = new Ajv2020({ allErrors: true, strict: false, logger: false });
    addFormats(this.ajv);
    this.ajv.addSchema(asJsonSchema2020(document), DOCUMENT_ID, undefined, false);
    for (const operation of this.operations) {
      const at = pointerTo(pointerTo('/paths', operation.template), operation.method.toLowerCase());
      for (const key of operation.statuses) {
        const schemaAt = jsonSchemaPointer(document, pointerTo(`${at}/responses`, key));
        if (schemaAt !== undefined)
          this.schemas.set(
            `${operation.method} ${operation.template} ${key}`,
            `${DOCUMENT_ID}${fragmentOf(schemaAt)}`,
          );
      }
    }
  }

  /**
   * Compiles every response schema now, so that one that does not compile throws here, where a
   * document is loaded, rather than at the first response it would check.
   */
  compileAll(): this {
    for (const key of this.schemas.keys()) this.validator(key);
    return this;
  }

  /** The compiled validator of a response's body; undefined where no JSON body is documented. */
  private validator(key: string): ValidateFunction | undefined {
    const compiled = this.validators.get(key);
    if (compiled !== undefined) return compiled;
    const ref = this.schemas.get(key);
    if (ref === undefined) return undefined;
    const validate = this.ajv.compile({ $ref: ref });
    this.validators.set(key, validate);
    return validate;
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
      // A reproduction wants a documented success, or any documented status when none is.
      const numeric = operation.statuses.filter((s) => /^\d{3}$/.test(s)).map(Number);
      const successes = numeric.filter((s) => s < 300);
      throw refusing(
        new ApiContractError(
          `${call} answered ${status}, which the OpenAPI document does not list for ${name} (documented: ${operation.statuses.join(', ') || 'none'}). Body: ${excerpt(result.text) || '(empty)'}\n${this.source}`,
          call,
        ),
        { statuses: successes.length > 0 ? successes : numeric, reason: 'status' },
      );
    }
    const validate = this.validator(`${name} ${key}`);
    if (validate === undefined) return;
    const expectation = `(${name} → ${key})`;
    let body: unknown;
    try {
      body = JSON.parse(result.text) as unknown;
    } catch {
      throw refusing(
        new ApiContractError(
          `${call} answered ${status} with a body that is not JSON, where the OpenAPI document ${expectation} says application/json. Body: ${excerpt(result.text) || '(empty)'}\n${this.source}`,
          call,
        ),
        { statuses: [status], reason: 'body' },
      );
    }
    if (validate(body)) return;
    const issues = describeIssues(validate.errors ?? []);
    throw refusing(
      new ApiContractError(
        [
          `${call} answered ${status}, which does not match the OpenAPI document ${expectation}:`,
          ...issues.slice(0, MAX_ISSUES).map((issue) => `  ${issue}`),
          ...(issues.length > MAX_ISSUES ? [`  … and ${issues.length - MAX_ISSUES} more`] : []),
          `Body: ${excerpt(result.text) || '(empty)'}`,
          this.source,
        ].join('\n'),
        call,
      ),
      { statuses: [status], reason: 'body' },
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

function stripQuery(target: string): string {
  return target.split('?')[0] ?? target;
}
