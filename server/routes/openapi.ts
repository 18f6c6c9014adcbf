import type { FastifyInstance } from 'fastify';
import type { ServerOptions } from '../options';
import { parentFieldOf, type ResourceDeclaration, resourceSpec } from '../resources';

/** Where the document is served, under the API prefix: `/api/v1/openapi.json`. */
export const openApiPath = '/openapi.json';

type Json = Record<string, unknown>;

/**
 * Serves the OpenAPI 3.1 document of what this server serves at `<prefix>/openapi.json`. Register it
 * in a plugin of its own: outside the API's hooks, no token, fault or rate limit touches it, as
 * with the control API. A resource name cannot hold a dot, so it never shadows a collection.
 */
export function registerOpenApiRoute(app: FastifyInstance, options: ServerOptions): void {
  const document = JSON.stringify(serverDocument(options));
  app.get(openApiPath, (_request, reply) =>
    reply.type('application/json; charset=utf-8').send(document),
  );
}

/**
 * The server's own account of its API, written from its resource declarations and modes, not from
 * the suite's schemas (the server shares no code with `lib/`): each resource at `/<name>` and a child
 * also under its parent, records with the fields the server guarantees (id, createdAt, the parent's
 * id) and any others, and the statuses this server answers in the modes it runs with.
 */
export function serverDocument(options: ServerOptions): Json {
  const schemas: Json = {
    NotFound: {
      const: 'Not found',
      description: 'mockapi.io\'s body for anything missing: "Not found".',
    },
    Error: {
      type: 'object',
      required: ['error'],
      properties: { error: { type: 'string' } },
      description: "The body of every error this server adds to mockapi.io's behaviour.",
    },
  };
  const paths: Json = {};
  const secured = options.token !== undefined;
  const honoursKeys = options.idempotency === 'honour';
  for (const resource of options.resources) {
    const component = componentOf(resource.name);
    schemas[component] = recordSchema(resource);
    const record = { $ref: `#/components/schemas/${component}` };
    const scopes: { collection: string; parameters: Json[] }[] = [
      { collection: `/${resource.name}`, parameters: [] },
    ];
    if (resource.parent !== undefined && resource.parentField !== undefined) {
      scopes.push({
        collection: `/${resource.parent}/{${resource.parentField}}/${resource.name}`,
        parameters: [pathParameter(resource.parentField)],
      });
    }
    for (const { collection, parameters } of scopes) {
      const operation = (summary: string, responses: Json, extra: Json = {}): Json => ({
        tags: [resourceSpec(resource)],
        summary,
        ...extra,
        responses: {
          ...responses,
          '400': error('A malformed URL, or a body that is not a JSON object'),
          ...(secured ? { '401': error('No bearer token, or the wrong one') } : {}),
          '404': notFound,
          '429': { $ref: '#/components/responses/TooManyRequests' },
        },
      });
      const body = { requestBody: { $ref: '#/components/requestBodies/AnyObject' } };
      const tooLarge = { '413': error(`A body over ${options.bodyLimitBytes} bytes`) };
      paths[collection] = {
        ...(parameters.length === 0 ? {} : { parameters }),
        get: operation(
          `List ${resource.name}`,
          { '200': json(`The ${resource.name}`, { type: 'array', items: record }) },
          {
            description:
              'Any query key other than page, limit, sortBy, order and search filters by that field (case-insensitive substring). A query matching nothing answers 404.',
            parameters: ['page', 'limit', 'sortBy', 'order', 'search'].map((name) => ({
              $ref: `#/components/parameters/${name}`,
            })),
          },
        ),
        post: operation(
          `Create a record in ${resource.name}`,
          {
            '201': json('The created record', record),
            ...tooLarge,
            ...(honoursKeys
              ? {
                  '409': error('A request with this Idempotency-Key is still being processed'),
                  '422': error('This Idempotency-Key was used with another body'),
                }
              : {}),
          },
          {
            ...body,
            ...(honoursKeys
              ? { parameters: [{ $ref: '#/components/parameters/IdempotencyKey' }] }
              : {}),
          },
        ),
      };
      const write = (summary: string) =>
        operation(summary, { '200': json('The whole record', record), ...tooLarge }, body);
      paths[`${collection}/{id}`] = {
        parameters: [...parameters, pathParameter('id')],
        get: operation('Read a record', { '200': json('The record', record) }),
        put: write('Merge the sent fields into a record'),
        patch: write('Merge the sent fields into a record'),
        delete: operation('Delete a record', { '200': json('The deleted record', record) }),
      };
    }
  }

  return {
    openapi: '3.1.0',
    info: {
      title: 'Embedded mockapi.io-compatible server',
      version: '1.0.0',
      description: `Serves ${options.resources.map(resourceSpec).join(', ')}. Random and scripted faults answer 5xx; the rate limit answers 429.`,
    },
    servers: [{ url: options.prefix === '' ? '/' : options.prefix }],
    ...(secured ? { security: [{ bearer: [] }] } : {}),
    paths,
    components: {
      schemas,
      parameters: {
        page: query('page', '1-based page, with limit', { type: 'integer', minimum: 1 }),
        limit: query('limit', 'Records per page', { type: 'integer', minimum: 1 }),
        sortBy: query('sortBy', 'Field to sort by', { type: 'string' }),
        order: query('order', 'Sort order', { type: 'string', enum: ['asc', 'desc'] }),
        search: query('search', 'Matches the term in any field', { type: 'string' }),
        IdempotencyKey: {
          name: 'Idempotency-Key',
          in: 'header',
          description: 'A repeated create with the same key and body answers the first result.',
          schema: { type: 'string' },
        },
      },
      requestBodies: {
        AnyObject: {
          required: true,
          content: { 'application/json': { schema: { type: 'object' } } },
        },
      },
      responses: {
        TooManyRequests: {
          description: 'The rate limit was exceeded.',
          headers: {
            'Retry-After': { description: 'Seconds to wait', schema: { type: 'string' } },
          },
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
        },
      },
      ...(secured ? { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } } : {}),
    },
  };
}

const notFound = json('No such record, parent or route; or a query that matched nothing', {
  $ref: '#/components/schemas/NotFound',
});

/** What the server guarantees of a record: a string id, an ISO createdAt and, in a child, its parent's id. */
function recordSchema(resource: ResourceDeclaration): Json {
  const fields = [
    'id',
    'createdAt',
    ...(resource.parentField === undefined ? [] : [resource.parentField]),
  ];
  return {
    type: 'object',
    required: fields,
    properties: Object.fromEntries(
      fields.map((field) => [
        field,
        field === 'createdAt'
          ? { type: 'string', format: 'date-time' }
          : { type: 'string', minLength: 1 },
      ]),
    ),
    additionalProperties: true,
  };
}

/** `users` → `User`, the way the server names a child's parent field (`userId`). */
function componentOf(name: string): string {
  const singular = parentFieldOf(name).slice(0, -'Id'.length);
  return singular
    .split(/[^A-Za-z0-9]+/)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

function json(description: string, schema: Json): Json {
  return { description, content: { 'application/json': { schema } } };
}

function error(description: string): Json {
  return json(description, { $ref: '#/components/schemas/Error' });
}

function pathParameter(name: string): Json {
  return { name, in: 'path', required: true, schema: { type: 'string' } };
}

function query(name: string, description: string, schema: Json): Json {
  return { name, in: 'query', description, schema };
}
