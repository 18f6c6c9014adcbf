import { readFile } from 'node:fs/promises';
import path from 'node:path';

import type { Validator as ValidatorType } from '@seriousme/openapi-schema-validator';
import type { ErrorObject } from 'ajv';

import { ConfigError } from '../config/environment';
import type { Resource } from '../resources/resource';
import { Contract } from './contract';
import { openApiDocument } from './document';
import { isObject } from './refs';

/*
 * Loading a contract: the generated document, or the team's from a file (JSON or YAML) or a URL,
 * validated as OpenAPI 3.x, with one ConfigError per problem. Checking responses against it is
 * contract.ts's job.
 */

/** The document generated from the resources, as a contract: what the suite checks by default. */
export function generatedContract(resources: readonly Resource[]): Contract {
  const names = resources.map((resource) => resource.path).join(', ');
  return new Contract(
    openApiDocument(resources),
    `Document: generated from the declared resources (${names}); set <ENV>_OPENAPI to check against your own.`,
  );
}

/**
 * The OpenAPI validator, loaded on first use: it brings a YAML parser and a second Ajv (some 90
 * modules, a fifth of a second of CPU) into every worker, and only a team's own document needs it.
 */
async function newValidator(): Promise<ValidatorType> {
  const { Validator } = await import('@seriousme/openapi-schema-validator');
  return new Validator();
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
  const result = await (await newValidator()).validate(doc);
  if (!result.valid)
    fail(`not a valid OpenAPI ${String(doc.openapi)} document: ${problems(result.errors)}`);
  const external = externalRef(doc);
  if (external !== undefined)
    fail(
      `refers to ${external}: references to other documents are not supported, bundle it into one file`,
    );
  try {
    return new Contract(doc, `Document: ${shown}`).compileAll();
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
    const validator = await newValidator();
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
