import { Validator } from '@seriousme/openapi-schema-validator';
import { expect, test } from '@playwright/test';
import { z } from 'zod';

import { openApiDocument } from '../../lib/openapi/document';
import { defineResource } from '../../lib/resources/resource';
import { SUITE_RESOURCES } from '../../lib/suite-resources';

/** A resource declared only here, so the document is seen to follow the schema it is given. */
const productsResource = defineResource({
  name: 'product',
  path: 'shops/:shopId/products',
  schema: z.looseObject({
    id: z.string(),
    sku: z.string(),
    price: z.number(),
    tags: z.array(z.string()).optional(),
  }),
  uniqueField: 'sku',
  build: ({ tag }) => ({ sku: tag, price: 1 }),
});

test.describe('the generated OpenAPI document', () => {
  test('of the suite resources is a valid OpenAPI 3.1 document', async () => {
    const validator = new Validator();
    const result = await validator.validate(openApiDocument(SUITE_RESOURCES));
    expect(result.errors, 'validation errors').toBeUndefined();
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  test('of a resource declared elsewhere is valid too, servers included', async () => {
    const doc = openApiDocument([productsResource], {
      title: 'Shop',
      version: '2.0.0',
      serverUrl: 'https://example.mockapi.io/api/v1',
    });
    const result = await new Validator().validate(doc);
    expect(result.errors, 'validation errors').toBeUndefined();
    expect(doc.info).toMatchObject({ title: 'Shop', version: '2.0.0' });
    expect(doc.servers).toEqual([{ url: 'https://example.mockapi.io/api/v1' }]);
  });

  test('records come from the zod schemas: their fields, types and looseness', () => {
    const doc = openApiDocument([...SUITE_RESOURCES, productsResource]);
    const schemas = doc.components.schemas as Record<string, Record<string, unknown>>;
    expect(Object.keys(schemas)).toEqual(
      expect.arrayContaining(['User', 'Post', 'Product', 'NotFound']),
    );
    expect(schemas.User).toMatchObject({
      type: 'object',
      required: ['id', 'createdAt'],
      properties: {
        id: { type: 'string', minLength: 1 },
        createdAt: { type: 'string', format: 'date-time' },
        email: { type: 'string' },
      },
      additionalProperties: {},
    });
    expect(schemas.Product).toMatchObject({
      required: ['id', 'sku', 'price'],
      properties: { price: { type: 'number' }, tags: { type: 'array' } },
    });
    expect(schemas.NotFound).toMatchObject({ const: 'Not found' });
  });

  test('documents collection and item operations, nested under the parent, as mockapi.io has them', () => {
    const doc = openApiDocument(SUITE_RESOURCES);
    const methods = Object.fromEntries(
      Object.entries(doc.paths).map(([path, item]) => [
        path,
        Object.keys(item).filter((key) => key !== 'parameters'),
      ]),
    );
    expect(methods).toEqual({
      '/users': ['get', 'post'],
      '/users/{id}': ['get', 'put', 'patch', 'delete'],
      '/users/{userId}/posts': ['get', 'post'],
      '/users/{userId}/posts/{id}': ['get', 'put', 'patch', 'delete'],
    });
    const post = doc.paths['/users/{userId}/posts/{id}'];
    expect(post?.parameters).toEqual([
      { name: 'userId', in: 'path', required: true, schema: { type: 'string' } },
      { name: 'id', in: 'path', required: true, schema: { type: 'string' } },
    ]);
  });

  test('a list takes the paging, sorting and search parameters and a filter per scalar field', () => {
    const doc = openApiDocument([productsResource]);
    const list = doc.paths['/shops/{shopId}/products']?.get as {
      parameters: ({ $ref: string } | { name: string; in: string })[];
      responses: Record<string, unknown>;
    };
    const names = list.parameters.map((p) =>
      '$ref' in p ? p.$ref.replace('#/components/parameters/', '') : p.name,
    );
    // tags is an array: not a filter anyone can type as one value.
    expect(names).toEqual(['page', 'limit', 'sortBy', 'order', 'search', 'id', 'sku', 'price']);
    const order = (doc.components.parameters as Record<string, { schema: unknown }>).order;
    expect(order?.schema).toEqual({ type: 'string', enum: ['asc', 'desc'] });
    expect(Object.keys(list.responses)).toEqual(['200', '400', '404', '429']);
  });

  test('request bodies accept any JSON object, as mockapi.io stores what it is sent', () => {
    const doc = openApiDocument(SUITE_RESOURCES);
    const create = doc.paths['/users']?.post as { requestBody: unknown; responses: object };
    expect(create.requestBody).toEqual({ $ref: '#/components/requestBodies/NewRecord' });
    expect((doc.components.schemas as Record<string, unknown>).NewRecord).toMatchObject({
      type: 'object',
      additionalProperties: true,
    });
    expect(Object.keys(create.responses)).toEqual(['201', '400', '404', '429']);
    const tooMany = (doc.components.responses as Record<string, { headers: object }>)
      .TooManyRequests;
    expect(Object.keys(tooMany?.headers ?? {})).toEqual(['Retry-After']);
  });
});
