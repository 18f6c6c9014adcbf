import type { HttpClient } from './inject-client';
import { defectNames, type DefectName } from '../../server/defects';
import { createUsers, idsOf, serverState, type ApiUser } from './api-helpers';
import { expect, userPostsPath, test, usersPath } from './server-fixture';

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
  'strings-trimmed': {
    behaviour: 'string values go out trimmed, as stored otherwise',
    check: async (api) => {
      const user = await post(api, { name: '  Ann ', bio: '\tx\n', email: 'a@x.io' });
      expect(user).toMatchObject({ name: 'Ann', bio: 'x', email: 'a@x.io' });
      expect(await (await api.get(`${usersPath}/${user.id}`)).json()).toMatchObject({
        name: 'Ann',
      });
    },
  },
  'big-numbers-as-strings': {
    behaviour: 'integers beyond 2^53 go out as strings, others as numbers',
    check: async (api) => {
      const user = await post(api, { big: 2 ** 63, small: 42, fraction: 0.5 });
      expect(user).toMatchObject({ big: '9223372036854776000', small: 42, fraction: 0.5 });
    },
  },
  'floats-rounded': {
    behaviour: 'fractions go out rounded to two decimals',
    check: async (api) => {
      const user = await post(api, { pi: 3.14159, tiny: 1e-7, whole: 7 });
      expect(user).toMatchObject({ pi: 3.14, tiny: 0, whole: 7 });
    },
  },
  'nulls-dropped': {
    behaviour: 'fields holding null are left out',
    check: async (api) => {
      const user = await post(api, { name: 'Ann', nickname: null, tags: [null] });
      expect(user).not.toHaveProperty('nickname');
      expect(user).toMatchObject({ name: 'Ann', tags: [null] });
    },
  },
  'nested-dropped': {
    behaviour: 'objects and arrays inside an object field are left out',
    check: async (api) => {
      const user = await post(api, {
        address: { city: 'Haifa', geo: { lat: 32.8 }, lines: ['a'] },
        tags: [{ a: 1 }],
      });
      expect(user).toMatchObject({ address: { city: 'Haifa' }, tags: [{ a: 1 }] });
      expect(user['address']).toEqual({ city: 'Haifa' });
    },
  },
  'emails-lowercased': {
    behaviour: 'emails go out lower-cased',
    check: async (api) => {
      const user = await post(api, { name: 'Ann', email: 'Ann.Lee@Example.COM' });
      expect(user).toMatchObject({ name: 'Ann', email: 'ann.lee@example.com' });
    },
  },
  'search-skips-email': {
    behaviour: 'search finds a term in any field but email',
    check: async (api) => {
      await createUsers(api, fiveUsers);
      const byName = await api.get(usersPath, { params: { search: 'eve' } });
      expect(idsOf(await byName.json())).toEqual(['1']);
      expect((await api.get(usersPath, { params: { search: 'e@x' } })).status()).toBe(404);
      expect((await api.get(usersPath, { params: { email: 'e@x' } })).status()).toBe(200);
    },
  },
  'desc-ignored-by-name': {
    behaviour: 'order=desc is ignored with sortBy=name, honoured with other fields',
    check: async (api) => {
      await createUsers(api, fiveUsers);
      const byName = await api.get(usersPath, { params: { sortBy: 'name', order: 'desc' } });
      expect(idsOf(await byName.json())).toEqual(['5', '4', '3', '2', '1']);
      const byEmail = await api.get(usersPath, { params: { sortBy: 'email', order: 'desc' } });
      expect(idsOf(await byEmail.json())).toEqual(['1', '2', '3', '4', '5']);
    },
  },
  'last-page-short': {
    behaviour: 'a page that reaches the end of the list misses its last record',
    check: async (api) => {
      await createUsers(api, fiveUsers);
      const page = (n: number) => api.get(usersPath, { params: { page: n, limit: 2 } });
      expect(idsOf(await (await page(1)).json())).toEqual(['1', '2']);
      expect(idsOf(await (await page(2)).json())).toEqual(['3', '4']);
      expect((await page(3)).status()).toBe(404);
      expect(idsOf(await (await api.get(usersPath)).json())).toHaveLength(5);
    },
  },
  'filters-case-sensitive': {
    behaviour: 'field filters match case-sensitively, search still ignores case',
    check: async (api) => {
      await createUsers(api, fiveUsers);
      expect((await api.get(usersPath, { params: { name: 'eve' } })).status()).toBe(404);
      expect(idsOf(await (await api.get(usersPath, { params: { name: 'Eve' } })).json())).toEqual([
        '1',
      ]);
      expect(idsOf(await (await api.get(usersPath, { params: { search: 'eve' } })).json())).toEqual(
        ['1'],
      );
    },
  },
  'sort-wrong-over-5': {
    behaviour: 'a sort is right for up to five matches, and leaves the rest in id order',
    check: async (api) => {
      const names = ['Eve', 'Dan', 'Cid', 'Bea', 'Al', 'Ada', 'Abe'];
      await createUsers(
        api,
        names.map((name) => ({ name })),
      );
      const fiveOnly = await api.get(usersPath, { params: { sortBy: 'name', name: 'e' } });
      expect(idsOf(await fiveOnly.json())).toEqual(['7', '4', '1']);
      const all = await api.get(usersPath, { params: { sortBy: 'name' } });
      expect(idsOf(await all.json())).toEqual(['5', '4', '3', '2', '1', '6', '7']);
    },
  },
  'page-offset-by-one': {
    behaviour: 'every page after the first starts one record late',
    check: async (api) => {
      await createUsers(
        api,
        ['A', 'B', 'C', 'D', 'E'].map((name) => ({ name })),
      );
      const first = await api.get(usersPath, { params: { page: 1, limit: 2 } });
      expect(idsOf(await first.json())).toEqual(['1', '2']);
      const second = await api.get(usersPath, { params: { page: 2, limit: 2 } });
      expect(idsOf(await second.json())).toEqual(['4', '5']);
    },
  },
  'second-sort-field-ignored': {
    behaviour: 'sortBy works on name and id only; any other field leaves id order',
    check: async (api) => {
      await createUsers(api, [
        { name: 'B', avatar: 'a' },
        { name: 'A', avatar: 'b' },
      ]);
      const byName = await api.get(usersPath, { params: { sortBy: 'name' } });
      expect(idsOf(await byName.json())).toEqual(['2', '1']);
      const byAvatar = await api.get(usersPath, { params: { sortBy: 'avatar', order: 'desc' } });
      expect(idsOf(await byAvatar.json())).toEqual(['2', '1']);
    },
  },
  'search-drops-second-filter': {
    behaviour: 'with search, only the first field filter applies',
    check: async (api) => {
      await createUsers(api, [
        { name: 'Ann', email: 'x@team' },
        { name: 'Bob', email: 'y@team' },
      ]);
      const both = await api.get(usersPath, {
        params: { email: 'team', name: 'ann', search: 'team' },
      });
      expect(idsOf(await both.json())).toEqual(['1', '2']);
      const noSearch = await api.get(usersPath, { params: { email: 'team', name: 'ann' } });
      expect(idsOf(await noSearch.json())).toEqual(['1']);
    },
  },
  'unicode-normalised': {
    behaviour: 'strings are stored in NFC',
    check: async (api) => {
      const user = await post(api, { name: 'Zoe\u0308' });
      expect(user.name).toBe('Zo\u00EB');
    },
  },
  'long-strings-truncated': {
    behaviour: 'strings are cut to 255 characters',
    check: async (api) => {
      const user = await post(api, { name: 'x'.repeat(300) });
      expect(user.name).toBe('x'.repeat(255));
    },
  },
  'whitespace-only-emptied': {
    behaviour: 'a string of whitespace only is stored empty',
    check: async (api) => {
      const user = await post(api, { name: ' \t ', email: ' a ' });
      expect(user).toMatchObject({ name: '', email: ' a ' });
    },
  },
  'deleted-id-reused': {
    behaviour: 'a create takes the id of the last record deleted',
    check: async (api) => {
      await createUsers(api, [{ name: 'A' }, { name: 'B' }]);
      expect((await api.delete(`${usersPath}/1`)).status()).toBe(200);
      const next = await post(api, { name: 'C' });
      expect(next.id).toBe('1');
    },
  },
  'put-unknown-creates': {
    behaviour: 'PUT of an unknown id creates the record under that id; PATCH still answers 404',
    check: async (api) => {
      const put = await api.put(`${usersPath}/42`, { data: { name: 'Ghost' } });
      expect(put.status()).toBe(200);
      expect(await (await api.get(`${usersPath}/42`)).json()).toMatchObject({ name: 'Ghost' });
      expect((await api.patch(`${usersPath}/43`, { data: { name: 'X' } })).status()).toBe(404);
    },
  },
  'children-leak-across-parents': {
    behaviour: "a parent's list of children holds every parent's",
    check: async (api) => {
      await createUsers(api, [{ name: 'A' }, { name: 'B' }]);
      for (const userId of ['1', '2'])
        expect(
          (await api.post(userPostsPath(userId), { data: { title: `t${userId}` } })).status(),
        ).toBe(201);
      expect(idsOf(await (await api.get(userPostsPath('1'))).json())).toEqual(['1', '2']);
      expect((await api.get(`${userPostsPath('1')}/2`)).status()).toBe(404);
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
