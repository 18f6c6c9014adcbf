import { z } from 'zod';

import type { Resource } from '../resources/resource';

/** A JSON object of the document: a schema, an operation, a response. */
type Json = Record<string, unknown>;

/**
 * An OpenAPI 3.1 document as this module writes it: the top level typed, the rest plain JSON (the
 * `openapi-types` 3.1 types do not accept their own 3.1 objects in several places).
 */
export type OpenApiDocument = {
  openapi: '3.1.0';
  info: { title: string; version: string; description: string };
  servers?: { url: string }[];
  paths: Record<string, Json>;
  components: Json;
};
type Schema = Json & { properties?: Record<string, unknown> };
type Operation = Json;
type Parameter = Json & { name: string; in: 'query' | 'path' };

export interface OpenApiDocumentOptions {
  /** `info.title`; defaults to a title naming the resources. */
  title?: string;
  /** `info.version`; defaults to `1.0.0`. */
  version?: string;
  /** The API root, e.g. `https://<id>.mockapi.io/api/v1`; without it the document has no `servers`. */
  serverUrl?: string;
}

/** The list query parameters mockapi.io understands, besides filtering by field. */
const LIST_PARAMETERS: Record<string, Parameter> = {
  page: {
    name: 'page',
    in: 'query',
    description: 'Page number, 1-based; a page past the end answers 404 "Not found".',
    schema: { type: 'integer', minimum: 1 },
  },
  limit: {
    name: 'limit',
    in: 'query',
    description: 'Records per page.',
    schema: { type: 'integer', minimum: 1 },
  },
  sortBy: {
    name: 'sortBy',
    in: 'query',
    description: 'Field to sort by, any field of the record.',
    schema: { type: 'string' },
  },
  order: {
    name: 'order',
    in: 'query',
    description: 'Sort order, with sortBy.',
    schema: { type: 'string', enum: ['asc', 'desc'] },
  },
  search: {
    name: 'search',
    in: 'query',
    description: 'Matches records having the term in any field.',
    schema: { type: 'string' },
  },
};

/** Types of the record fields documented as filters of a list (a query value is text either way). */
const SCALAR_TYPES = new Set(['string', 'number', 'integer', 'boolean']);

/**
 * The API contract of the declared resources as an OpenAPI 3.1.0 document, derived from their zod
 * schemas: mockapi.io's list, create, read, replace, update and delete of each, nested under their
 * parents, with the statuses it answers. Records are loose (unknown fields allowed) and request
 * bodies any JSON object, since mockapi.io stores whatever it is sent without validating.
 */
export function openApiDocument(
  resources: readonly Resource[],
  options: OpenApiDocumentOptions = {},
): OpenApiDocument {
  const schemas: Record<string, Schema> = {
    NotFound: {
      const: 'Not found',
      description:
        'mockapi.io\'s body for a missing record, parent or collection, and for a query that matched nothing: the JSON string "Not found".',
    },
    NewRecord: {
      type: 'object',
      description:
        'Any JSON object: mockapi.io stores the fields it is sent as they are, without validating them, fills in fields of its own schema that are left out, and ignores a sent id.',
      additionalProperties: true,
    },
  };
  const paths: Record<string, Json> = {};
  const operationIds = new Set<string>();
  const uniqueId = (id: string): string => {
    let unique = id;
    for (let n = 2; operationIds.has(unique); n += 1) unique = `${id}${n}`;
    operationIds.add(unique);
    return unique;
  };

  for (const resource of resources) {
    const component = componentName(resource.name);
    if (component in schemas)
      throw new Error(`two resources make the OpenAPI schema name ${component}: rename one`);
    const record = recordSchema(resource, component);
    schemas[component] = record;
    const ref: Schema = { $ref: `#/components/schemas/${component}` };
    const collection = `/${resource.path.replace(/:([A-Za-z_]\w*)/g, '{$1}')}`;
    const idName = resource.parentParams.includes('id') ? `${lowerFirst(component)}Id` : 'id';
    const collectionName = resource.path.split('/').at(-1) ?? resource.name;
    const noun = resource.name;
    const tags = [noun];
    const parents = resource.parentParams.map(pathParameter);

    const filters = Object.entries(record.properties ?? {})
      .filter(([field, schema]) => !(field in LIST_PARAMETERS) && isScalar(schema))
      .map(([field]): Parameter => ({
        name: field,
        in: 'query',
        description: `Matches records whose ${field} contains the value, case-insensitively.`,
        schema: { type: 'string' },
      }));
    paths[collection] = {
      ...(parents.length === 0 ? {} : { parameters: parents }),
      get: {
        operationId: uniqueId(`list${upperFirst(collectionName)}`),
        tags,
        summary: `List ${collectionName}`,
        description:
          'A plain JSON array, no envelope. Besides the listed parameters, any field of the record filters the same way: `?<field>=<value>` matches by case-insensitive substring. A query that matches nothing answers 404 "Not found", not `[]`.',
        parameters: [
          ...Object.keys(LIST_PARAMETERS).map((name) => ({
            $ref: `#/components/parameters/${name}`,
          })),
          ...filters,
        ],
        responses: {
          '200': json(`The ${collectionName}`, { type: 'array', items: ref }),
          ...errors,
        },
      },
      post: {
        operationId: uniqueId(`create${component}`),
        tags,
        summary: `Create a ${noun}`,
        description: 'The server assigns id and createdAt.',
        requestBody: { $ref: '#/components/requestBodies/NewRecord' },
        responses: { '201': json(`The created ${noun}`, ref), ...errors },
      },
    };
    const write = (verb: string, summary: string): Operation => ({
      operationId: uniqueId(`${verb}${component}`),
      tags,
      summary,
      requestBody: { $ref: '#/components/requestBodies/NewRecord' },
      responses: {
        '200': json(`The whole ${noun}, with the sent fields merged in`, ref),
        ...errors,
      },
    });
    paths[`${collection}/{${idName}}`] = {
      parameters: [...parents, pathParameter(idName)],
      get: {
        operationId: uniqueId(`get${component}`),
        tags,
        summary: `Read a ${noun}`,
        responses: { '200': json(`The ${noun}`, ref), ...errors },
      },
      put: write('replace', `Update a ${noun} (mockapi.io merges the sent fields)`),
      patch: write('update', `Update some fields of a ${noun}`),
      delete: {
        operationId: uniqueId(`delete${component}`),
        tags,
        summary: `Delete a ${noun}`,
        responses: { '200': json(`The deleted ${noun}`, ref), ...errors },
      },
    };
  }

  const names = resources.map((resource) => resource.path.split('/').at(-1)).join(', ');
  return {
    openapi: '3.1.0',
    info: {
      title: options.title ?? `mockapi.io-style API: ${names || 'no resources'}`,
      version: options.version ?? '1.0.0',
      description:
        'Generated from the zod schemas of the declared resources (lib/openapi/document.ts). Statuses 5xx and 429 are infrastructure: a client retries them.',
    },
    ...(options.serverUrl === undefined ? {} : { servers: [{ url: options.serverUrl }] }),
    paths,
    components: {
      schemas,
      parameters: LIST_PARAMETERS,
      requestBodies: {
        NewRecord: {
          required: true,
          content: { 'application/json': { schema: { $ref: '#/components/schemas/NewRecord' } } },
        },
      },
      responses: {
        BadRequest: {
          description:
            'The request could not be read: a body that is not a JSON object, or a malformed URL. The body says why; its shape is not part of the contract.',
        },
        NotFound: json('No such record, parent or collection; or a query that matched nothing', {
          $ref: '#/components/schemas/NotFound',
        }),
        TooManyRequests: {
          description: 'Too many requests: wait as Retry-After says, then send again.',
          headers: {
            'Retry-After': {
              description: 'Seconds to wait, or an HTTP date.',
              schema: { type: 'string' },
            },
          },
        },
      },
    },
  };
}

/** The responses every operation may give besides its success. */
const errors: Json = {
  '400': { $ref: '#/components/responses/BadRequest' },
  '404': { $ref: '#/components/responses/NotFound' },
  '429': { $ref: '#/components/responses/TooManyRequests' },
};

function json(description: string, schema: Schema): Json {
  return { description, content: { 'application/json': { schema } } };
}

function pathParameter(name: string): Parameter {
  return { name, in: 'path', required: true, schema: { type: 'string' } };
}

/**
 * A resource's record schema as JSON Schema 2020-12 (OpenAPI 3.1's dialect), for
 * `#/components/schemas/<component>`. A recursive schema is refused: zod puts its `$defs` at the
 * root, where the `#/$defs/...` references would resolve against the whole document instead.
 */
function recordSchema(resource: Resource, component: string): Schema {
  const converted = z.toJSONSchema(resource.schema, {
    target: 'draft-2020-12',
    io: 'output',
    unrepresentable: 'any',
  }) as Json;
  const { $schema: dialect, $defs: definitions, ...schema } = converted;
  if (isObject(definitions) && Object.keys(definitions).length > 0)
    throw new Error(
      `${resource.name}: its zod schema is recursive, which the OpenAPI document does not support yet`,
    );
  if (dialect !== undefined && dialect !== 'https://json-schema.org/draft/2020-12/schema')
    throw new Error(
      `${resource.name}: zod wrote the schema in ${JSON.stringify(dialect)}, not 2020-12`,
    );
  return {
    ...schema,
    description: `A ${resource.name} (${component}) as the API returns it.`,
  };
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isScalar(schema: unknown): boolean {
  if (schema === null || typeof schema !== 'object') return false;
  const type = (schema as { type?: unknown }).type;
  return typeof type === 'string' && SCALAR_TYPES.has(type);
}

/** `user` → `User`, `blog-post` → `BlogPost`. */
function componentName(name: string): string {
  return name
    .split(/[^A-Za-z0-9]+/)
    .filter((part) => part !== '')
    .map(upperFirst)
    .join('');
}

function upperFirst(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
