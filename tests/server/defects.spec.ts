import type { HttpClient } from './inject-client';
import { defectNames, type DefectName } from '../../server/defects';
import { createUsers, idsOf, serverState, type ApiUser } from './api-helpers';
import { expect, test, usersPath } from './server-fixture';

type QueryParams = Record<string, string | number>;

interface DefectCase {
  /** What a client sees with the defect on; the test title. */
  behaviour: string;
  check: (api: HttpClient) => Promise<void>;
}

async function post(api: HttpClient, data: Record<string, unknown>): Promise<ApiUser> {
  const response = await api.post(usersPath, { data });
  expect(response.ok()).toBe(true);
  return (await response.json()) as ApiUser;
}

const fiveUsers = [
  { name: 'Eve', email: 'e@x.io' },
  { name: 'Dan', email: 'd@x.io' },
  { name: 'Cid', email: 'c@x.io' },
  { name: 'Bea', email: 'b@x.io' },
  { name: 'Al', email: 'a@x.io' },
];

/** One case per defect: each asserts the broken behaviour, so a defect that stops working fails. */
const cases: Record<DefectName, DefectCase> = {
  'create-status-200': {
    behaviour: 'POST answers 200 instead of 201',
    check: async (api) => {
      expect((await api.post(usersPath, { data: { name: 'Ann' } })).status()).toBe(200);
    },
  },
  'update-not-persisted': {
    behaviour: 'PUT and PATCH answer the merged record but do not store it',
    check: async (api) => {
      await post(api, { name: 'Ann' });
      for (const method of ['put', 'patch'] as const) {
        const response = await api[method](`${usersPath}/1`, { data: { name: 'Bo' } });
        expect(response.status()).toBe(200);
        expect(await response.json()).toMatchObject({ name: 'Bo' });
        expect(await (await api.get(`${usersPath}/1`)).json()).toMatchObject({ name: 'Ann' });
      }
    },
  },
  'delete-not-persisted': {
    behaviour: 'DELETE answers 200 but the user stays',
    check: async (api) => {
      await post(api, { name: 'Ann' });
      expect((await api.delete(`${usersPath}/1`)).status()).toBe(200);
      expect((await api.get(`${usersPath}/1`)).status()).toBe(200);
    },
  },
  'drop-field': {
    behaviour: 'responses omit the email field',
    check: async (api) => {
      const user = await post(api, { name: 'Ann', email: 'ann@example.com' });
      expect(user).not.toHaveProperty('email');
      expect(await (await api.get(usersPath)).json()).toEqual([user]);
    },
  },
  'rename-field': {
    behaviour: 'responses call name fullName',
    check: async (api) => {
      const user = await post(api, { name: 'Ann' });
      expect(user).toMatchObject({ fullName: 'Ann' });
      expect(user).not.toHaveProperty('name');
    },
  },
  'numeric-ids': {
    behaviour: 'ids are JSON numbers',
    check: async (api) => {
      const user = (await post(api, { name: 'Ann' })) as Record<string, unknown>;
      expect(user['id']).toBe(1);
    },
  },
  'pagination-ignores-limit': {
    behaviour: 'page and limit return every user',
    check: async (api) => {
      await createUsers(api, fiveUsers);
      const response = await api.get(usersPath, { params: { page: 1, limit: 2 } });
      expect(idsOf(await response.json())).toHaveLength(5);
    },
  },
  'sort-reversed': {
    behaviour: 'lists come back in reverse order',
    check: async (api) => {
      await createUsers(api, fiveUsers);
      const byName = await api.get(usersPath, { params: { sortBy: 'name' } });
      expect(idsOf(await byName.json())).toEqual(['1', '2', '3', '4', '5']);
      expect(idsOf(await (await api.get(usersPath)).json())).toEqual(['5', '4', '3', '2', '1']);
    },
  },
  'filters-ignored': {
    behaviour: 'field filters and search return every user',
    check: async (api) => {
      await createUsers(api, fiveUsers);
      for (const params of [{ name: 'Eve' }, { search: 'Eve' }] as QueryParams[]) {
        const response = await api.get(usersPath, { params });
        expect(idsOf(await response.json())).toHaveLength(5);
      }
    },
  },
  'list-duplicate': {
    behaviour: 'lists repeat their first item',
    check: async (api) => {
      await createUsers(api, fiveUsers.slice(0, 2));
      expect(idsOf(await (await api.get(usersPath)).json())).toEqual(['1', '1', '2']);
    },
  },
  'missing-id-200': {
    behaviour: 'a missing id answers 200 {}',
    check: async (api) => {
      const response = await api.get(`${usersPath}/404`);
      expect(response.status()).toBe(200);
      expect(await response.json()).toEqual({});
    },
  },
  'missing-id-500': {
    behaviour: 'a missing id answers 500',
    check: async (api) => {
      expect((await api.get(`${usersPath}/404`)).status()).toBe(500);
    },
  },
  'delete-never-visible': {
    behaviour: 'a deleted user stays readable but is gone from the primary',
    check: async (api) => {
      await post(api, { name: 'Ann' });
      expect((await api.delete(`${usersPath}/1`)).status()).toBe(200);
      expect((await serverState(api)).users).toBe(0);
      expect((await api.get(`${usersPath}/1`)).status()).toBe(200);
      expect(idsOf(await (await api.get(usersPath)).json())).toEqual(['1']);
      expect((await api.delete(`${usersPath}/1`)).status()).toBe(404);
    },
  },
  'always-down': {
    behaviour: 'every API request answers 503',
    check: async (api) => {
      expect((await api.get(usersPath)).status()).toBe(503);
      expect((await api.post(usersPath, { data: { n: 1 } })).status()).toBe(503);
      expect((await api.get('/__control/health')).status()).toBe(200);
    },
  },
  'created-at-missing': {
    behaviour: 'records have no createdAt',
    check: async (api) => {
      const user = await post(api, { name: 'Ann' });
      expect(user).not.toHaveProperty('createdAt');
      expect(await (await api.get(`${usersPath}/1`)).json()).not.toHaveProperty('createdAt');
    },
  },
  'empty-query-200': {
    behaviour: 'a query matching nothing answers 200 [] instead of 404',
    check: async (api) => {
      const response = await api.get(usersPath, { params: { name: 'nobody' } });
      expect(response.status()).toBe(200);
      expect(await response.json()).toEqual([]);
    },
  },
  'auth-ignored': {
    behaviour: 'a request without the token is let through',
    check: async (api) => {
      expect((await api.get(usersPath)).status()).toBe(200);
    },
  },
  'wrong-content-type': {
    behaviour: 'API responses say text/html, their JSON bodies unchanged',
    check: async (api) => {
      const html = 'text/html; charset=utf-8';
      const created = await api.post(usersPath, { data: { name: 'Ann' } });
      expect(created.status()).toBe(201);
      expect(created.headers()['content-type']).toBe(html);
      const user = (await created.json()) as ApiUser;
      expect(user).toMatchObject({ id: '1', name: 'Ann' });

      const responses = {
        one: await api.get(`${usersPath}/1`),
        list: await api.get(usersPath),
        missing: await api.get(`${usersPath}/404`),
        error: await api.post(usersPath, {
          data: '[]',
          headers: { 'content-type': 'application/json' },
        }),
      };
      for (const [label, response] of Object.entries(responses)) {
        expect(response.headers()['content-type'], label).toBe(html);
      }
      expect(await responses.one.json()).toEqual(user);
      expect(await responses.list.json()).toEqual([user]);
      expect(responses.missing.status()).toBe(404);
      expect(await responses.missing.json()).toBe('Not found');
      expect(responses.error.status()).toBe(400);
      expect(await responses.error.json()).toEqual({ error: expect.any(String) as unknown });

      const control = await api.get('/__control/state');
      expect(control.headers()['content-type']).toBe('application/json; charset=utf-8');
    },
  },
  'get-wrong-record': {
    behaviour: 'GET by id answers another existing user once there are several',
    check: async (api) => {
      const first = await post(api, { name: 'Ann' });
      expect(await (await api.get(`${usersPath}/1`)).json()).toEqual(first);

      const users = [first, await post(api, { name: 'Bo' }), await post(api, { name: 'Cy' })];
      for (const user of users) {
        const response = await api.get(`${usersPath}/${user.id}`);
        expect(response.status()).toBe(200);
        const shown = (await response.json()) as ApiUser;
        expect(shown.id).not.toBe(user.id);
        expect(users).toContainEqual(shown);
      }
      expect(await (await api.get(usersPath)).json()).toEqual(users);
      expect((await api.get(`${usersPath}/404`)).status()).toBe(404);
    },
  },
};

for (const name of defectNames) {
  test.describe(`defect ${name}`, () => {
    // auth-ignored only shows when a token is configured.
    test.use({
      serverOptions: { defects: [name], token: name === 'auth-ignored' ? 't' : undefined },
    });
    test(cases[name].behaviour, async ({ api }) => {
      await cases[name].check(api);
    });
  });
}

test.describe('several defects at once', () => {
  test.use({ serverOptions: { defects: ['drop-field', 'create-status-200'] } });

  test('each one applies', async ({ api }) => {
    const response = await api.post(usersPath, { data: { name: 'Ann', email: 'a@x.io' } });
    expect(response.status()).toBe(200);
    expect(await response.json()).not.toHaveProperty('email');
  });
});
