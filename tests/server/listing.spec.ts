import { createUsers, idsOf, type ApiUser } from './api-helpers';
import { expect, test, usersPath } from './server-fixture';

type QueryParams = Record<string, string | number>;

const people = [
  { name: 'Carol', email: 'carol@example.com', city: 'Oslo', age: 41 },
  { name: 'alice', email: 'alice@example.com', city: 'Bergen', age: 29 },
  { name: 'Bob', email: 'bob@EXAMPLE.org', city: 'Oslo', age: 35 },
  { name: 'dave', email: 'dave@example.com', age: 52 },
  { name: 'Eve', email: 'eve@example.net', city: 'Tromsø', age: 35 },
];

test.describe('listing users', () => {
  test.beforeEach(async ({ api }) => {
    await createUsers(api, people);
  });

  test('the list is a plain JSON array in id order', async ({ api }) => {
    const response = await api.get(usersPath);
    expect(response.status()).toBe(200);
    const body: unknown = await response.json();
    expect(Array.isArray(body)).toBe(true);
    expect(idsOf(body)).toEqual(['1', '2', '3', '4', '5']);
  });

  test('page and limit return one 1-based page', async ({ api }) => {
    const response = await api.get(usersPath, { params: { page: 2, limit: 2 } });
    expect(response.status()).toBe(200);
    expect(idsOf(await response.json())).toEqual(['3', '4']);
  });

  test('the last page may be short', async ({ api }) => {
    const response = await api.get(usersPath, { params: { page: 3, limit: 2 } });
    expect(idsOf(await response.json())).toEqual(['5']);
  });

  test('limit without page returns the first page', async ({ api }) => {
    const response = await api.get(usersPath, { params: { limit: 3 } });
    expect(idsOf(await response.json())).toEqual(['1', '2', '3']);
  });

  test('page without limit returns everything', async ({ api }) => {
    const response = await api.get(usersPath, { params: { page: 2 } });
    expect(idsOf(await response.json())).toEqual(['1', '2', '3', '4', '5']);
  });

  test('a page past the end answers 404 "Not found"', async ({ api }) => {
    const response = await api.get(usersPath, { params: { page: 4, limit: 2 } });
    expect(response.status()).toBe(404);
    expect(await response.json()).toBe('Not found');
  });

  test('unusable page and limit values are ignored', async ({ api }) => {
    for (const params of [
      { page: 'abc', limit: 'x' },
      { page: '0', limit: '-1' },
    ]) {
      const response = await api.get(usersPath, { params });
      expect(response.status(), JSON.stringify(params)).toBe(200);
      expect(idsOf(await response.json())).toHaveLength(5);
    }
  });

  test('sortBy sorts ascending by default, strings by localeCompare', async ({ api }) => {
    const response = await api.get(usersPath, { params: { sortBy: 'name' } });
    const names = ((await response.json()) as ApiUser[]).map((user) => user['name']);
    expect(names).toEqual(['alice', 'Bob', 'Carol', 'dave', 'Eve']);
  });

  test('order=desc reverses the sort', async ({ api }) => {
    const response = await api.get(usersPath, { params: { sortBy: 'name', order: 'desc' } });
    const names = ((await response.json()) as ApiUser[]).map((user) => user['name']);
    expect(names).toEqual(['Eve', 'dave', 'Carol', 'Bob', 'alice']);
  });

  test('numbers sort numerically and ties keep id order', async ({ api }) => {
    const response = await api.get(usersPath, { params: { sortBy: 'age' } });
    expect(idsOf(await response.json())).toEqual(['2', '3', '5', '1', '4']);
  });

  test('users missing the sort field come last in either order', async ({ api }) => {
    for (const order of ['asc', 'desc']) {
      const response = await api.get(usersPath, { params: { sortBy: 'city', order } });
      expect(idsOf(await response.json()).at(-1), order).toBe('4');
    }
  });

  test('sorting combines with pagination', async ({ api }) => {
    const response = await api.get(usersPath, {
      params: { sortBy: 'name', order: 'desc', page: 2, limit: 2 },
    });
    expect(idsOf(await response.json())).toEqual(['1', '3']);
  });

  test('order=desc without sortBy lists by id descending', async ({ api }) => {
    const response = await api.get(usersPath, { params: { order: 'desc', limit: 2 } });
    expect(idsOf(await response.json())).toEqual(['5', '4']);
  });

  test('search matches a case-insensitive substring in any string field', async ({ api }) => {
    const byEmail = await api.get(usersPath, { params: { search: 'example.org' } });
    expect(idsOf(await byEmail.json())).toEqual(['3']);
    const byCity = await api.get(usersPath, { params: { search: 'OSLO' } });
    expect(idsOf(await byCity.json())).toEqual(['1', '3']);
  });

  test('search also matches the id', async ({ api }) => {
    // createdAt is a string field too, so other users may match on their timestamp.
    const response = await api.get(usersPath, { params: { search: '4' } });
    expect(idsOf(await response.json())).toContain('4');
  });

  test('a field filter matches a case-insensitive substring of that field', async ({ api }) => {
    const response = await api.get(usersPath, { params: { name: 'AL' } });
    expect(idsOf(await response.json())).toEqual(['2']);
    const email = await api.get(usersPath, { params: { email: 'example.com' } });
    expect(idsOf(await email.json())).toEqual(['1', '2', '4']);
  });

  test('a filter on a number field matches its text', async ({ api }) => {
    const response = await api.get(usersPath, { params: { age: '35' } });
    expect(idsOf(await response.json())).toEqual(['3', '5']);
  });

  test('several filters must all match', async ({ api }) => {
    const response = await api.get(usersPath, { params: { city: 'oslo', age: '4' } });
    expect(idsOf(await response.json())).toEqual(['1']);
  });

  test('filters combine with pagination and sorting', async ({ api }) => {
    const response = await api.get(usersPath, {
      params: { email: 'example', sortBy: 'name', page: 1, limit: 2 },
    });
    expect(idsOf(await response.json())).toEqual(['2', '3']);
  });

  test('a filter that matches nothing answers 404 "Not found", not []', async ({ api }) => {
    for (const params of [
      { name: 'zelda' },
      { search: 'nobody' },
      { nosuchfield: 'x' },
    ] as QueryParams[]) {
      const response = await api.get(usersPath, { params });
      expect(response.status(), JSON.stringify(params)).toBe(404);
      expect(await response.json()).toBe('Not found');
    }
  });

  test('inherited property names are not fields', async ({ api }) => {
    const filtered = await api.get(usersPath, { params: { constructor: 'Object' } });
    expect(filtered.status()).toBe(404);
    const sorted = await api.get(usersPath, { params: { sortBy: '__proto__' } });
    expect(idsOf(await sorted.json())).toEqual(['1', '2', '3', '4', '5']);
  });
});

test.describe('listing by id', () => {
  test('sorting by id is numeric, so "10" comes after "9"', async ({ api }) => {
    await createUsers(
      api,
      Array.from({ length: 12 }, (_, index) => ({ name: `user ${index + 1}` })),
    );
    const asc = await api.get(usersPath, { params: { sortBy: 'id' } });
    expect(idsOf(await asc.json())).toEqual(Array.from({ length: 12 }, (_, i) => String(i + 1)));
    const desc = await api.get(usersPath, {
      params: { sortBy: 'id', order: 'desc', limit: 4 },
    });
    expect(idsOf(await desc.json())).toEqual(['12', '11', '10', '9']);
  });

  test('any query on an empty collection answers 404, the bare list 200 []', async ({ api }) => {
    expect((await api.get(usersPath)).status()).toBe(200);
    for (const params of [
      { page: 1, limit: 10 },
      { search: 'a' },
      { name: 'a' },
    ] as QueryParams[]) {
      const response = await api.get(usersPath, { params });
      expect(response.status(), JSON.stringify(params)).toBe(404);
      expect(await response.json()).toBe('Not found');
    }
  });
});
