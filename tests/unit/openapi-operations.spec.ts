import { expect, test } from '@playwright/test';

import { openApiDocument } from '../../lib/openapi/document';
import { matchOperation, operationsOf } from '../../lib/openapi/operations';
import { SUITE_RESOURCES } from '../../lib/suite-resources';

/** A team's own document: 3.0, references, a literal path beside a templated one, ranges. */
const TEAM_DOCUMENT = {
  openapi: '3.0.3',
  info: { title: 'team', version: '1' },
  paths: {
    '/users/{id}': {
      parameters: [{ $ref: '#/components/parameters/Id' }],
      get: { responses: { '200': { description: 'ok' }, '4XX': { description: 'client' } } },
    },
    '/users/me': {
      get: {
        parameters: [{ name: 'fields', in: 'query', schema: { type: 'string' } }],
        responses: { default: { description: 'any' } },
      },
    },
    '/{tenant}/users': {
      get: { responses: { '200': { description: 'ok' } } },
    },
    '/files/{name}.json': { get: { responses: { '200': { description: 'ok' } } } },
    '/users': {
      $ref: '#/components/pathItems/Users',
    },
  },
  components: {
    parameters: {
      Id: { name: 'id', in: 'path', required: true, schema: { type: 'string' } },
      Page: { name: 'page', in: 'query', schema: { type: 'integer' } },
    },
    pathItems: {
      Users: {
        parameters: [{ $ref: '#/components/parameters/Page' }],
        get: {
          parameters: [
            { name: 'page', in: 'query' },
            { name: 'x-trace', in: 'header' },
          ],
          responses: { '200': { description: 'ok' } },
        },
      },
    },
  },
};

test.describe('operationsOf', () => {
  test('lists every operation of the generated document with its route, statuses and query', () => {
    const operations = operationsOf(openApiDocument(SUITE_RESOURCES));
    expect(operations.map((o) => `${o.method} ${o.template}`)).toEqual([
      'GET /users',
      'POST /users',
      'GET /users/{id}',
      'PUT /users/{id}',
      'DELETE /users/{id}',
      'PATCH /users/{id}',
      'GET /users/{userId}/posts',
      'POST /users/{userId}/posts',
      'GET /users/{userId}/posts/{id}',
      'PUT /users/{userId}/posts/{id}',
      'DELETE /users/{userId}/posts/{id}',
      'PATCH /users/{userId}/posts/{id}',
    ]);
    const postItem = operations.find((o) => o.template === '/users/{userId}/posts/{id}');
    expect(postItem).toMatchObject({
      route: 'users/:id/posts/:id',
      statuses: ['200', '400', '404', '429'],
      queryParameters: [],
    });
    expect(operations[0]?.queryParameters).toEqual([
      'page',
      'limit',
      'sortBy',
      'order',
      'search',
      'id',
      'createdAt',
      'name',
      'email',
      'avatar',
    ]);
  });

  test('reads a team document: references, ranges, default, query parameters of both levels', () => {
    const operations = operationsOf(TEAM_DOCUMENT);
    expect(operations).toEqual([
      {
        method: 'GET',
        template: '/users/{id}',
        route: 'users/:id',
        statuses: ['200', '4XX'],
        queryParameters: [],
      },
      {
        method: 'GET',
        template: '/users/me',
        route: 'users/:id',
        statuses: ['default'],
        queryParameters: ['fields'],
      },
      {
        method: 'GET',
        template: '/{tenant}/users',
        route: '{tenant}/:id',
        statuses: ['200'],
        queryParameters: [],
      },
      {
        method: 'GET',
        template: '/files/{name}.json',
        route: 'files/:id',
        statuses: ['200'],
        queryParameters: [],
      },
      {
        method: 'GET',
        template: '/users',
        route: 'users',
        statuses: ['200'],
        queryParameters: ['page'],
      },
    ]);
  });

  test('a document without paths has no operations', () => {
    expect(operationsOf({ openapi: '3.1.0', info: { title: 't', version: '1' } })).toEqual([]);
  });
});

test.describe('matchOperation', () => {
  const generated = operationsOf(openApiDocument(SUITE_RESOURCES));
  const team = operationsOf(TEAM_DOCUMENT);
  const match = (operations: typeof team, method: string, path: string) =>
    matchOperation(operations, method, path)?.template;

  test('matches collections, items and nested paths segment by segment', () => {
    expect(match(generated, 'GET', 'users')).toBe('/users');
    expect(match(generated, 'POST', 'users')).toBe('/users');
    expect(match(generated, 'DELETE', 'users/12')).toBe('/users/{id}');
    expect(match(generated, 'GET', 'users/7/posts')).toBe('/users/{userId}/posts');
    expect(match(generated, 'PATCH', 'users/7/posts/3')).toBe('/users/{userId}/posts/{id}');
  });

  test('ignores the query, a trailing slash and the case of the method', () => {
    expect(match(generated, 'GET', 'users?page=2&limit=5')).toBe('/users');
    expect(match(generated, 'get', 'users/12?x=/a/b')).toBe('/users/{id}');
    expect(match(generated, 'GET', 'users/12/')).toBe('/users/{id}');
  });

  test('matches nothing for another method, another depth or another collection', () => {
    expect(match(generated, 'POST', 'users/12')).toBeUndefined();
    expect(match(generated, 'GET', 'users/7/posts/3/comments')).toBeUndefined();
    expect(match(generated, 'GET', 'posts/3')).toBeUndefined();
    expect(match(generated, 'GET', '')).toBeUndefined();
    expect(match(generated, 'GET', 'users//posts')).toBeUndefined();
  });

  test('prefers a literal segment to a templated one, whichever comes first in the document', () => {
    expect(match(team, 'GET', 'users/me')).toBe('/users/me');
    expect(match([...team].reverse(), 'GET', 'users/me')).toBe('/users/me');
    expect(match(team, 'GET', 'users/mine')).toBe('/users/{id}');
    // The leftmost literal wins: /users/{id} beats /{tenant}/users for users/users.
    expect(match(team, 'GET', 'users/users')).toBe('/users/{id}');
    expect(match(team, 'GET', 'acme/users')).toBe('/{tenant}/users');
  });

  test('matches a segment that is partly templated, and an encoded segment against a literal', () => {
    expect(match(team, 'GET', 'files/report.json')).toBe('/files/{name}.json');
    expect(match(team, 'GET', 'files/report.xml')).toBeUndefined();
    expect(match(team, 'GET', 'users/m%65')).toBe('/users/me');
    expect(match(generated, 'GET', 'users/%2F..%2Fadmin')).toBe('/users/{id}');
  });
});
