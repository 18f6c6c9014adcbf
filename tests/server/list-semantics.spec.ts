import { createUsers, idsOf } from './api-helpers';
import type { HttpClient } from './inject-client';
import { expect, test, usersPath } from './server-fixture';

const people = Array.from({ length: 12 }, (_, i) => ({
  name: i % 2 === 0 ? 'same' : `Name ${String.fromCharCode(97 + i)}`,
  email: `p${i + 1}@example.com`,
  ...(i === 0 ? {} : { rank: i }),
}));

/** `--list-semantics lenient`: the other side at each point the contract leaves open. */
test.describe('lenient list semantics', () => {
  test.use({ serverOptions: { listSemantics: 'lenient' } });
  test.beforeEach(async ({ api }) => {
    await createUsers(api, people);
  });

  const ids = async (api: HttpClient, params: Record<string, string | number>) =>
    idsOf(await (await api.get(usersPath, { params })).json());

  test('a bare limit is ignored; a page alone counts pages of 10', async ({ api }) => {
    expect(await ids(api, { limit: 3 })).toHaveLength(12);
    expect(await ids(api, { page: 2 })).toHaveLength(2);
    expect(await ids(api, { page: 2, limit: 5 })).toHaveLength(5);
  });

  test('ties come newest first, records without the field first, no sort newest first', async ({
    api,
  }) => {
    const byName = await ids(api, { sortBy: 'name' });
    expect(byName.slice(-6)).toEqual(['11', '9', '7', '5', '3', '1']);
    expect((await ids(api, { sortBy: 'rank' }))[0]).toBe('1');
    expect((await ids(api, {})).slice(0, 2)).toEqual(['12', '11']);
  });

  test('createdAt has whole seconds and an offset', async ({ api }) => {
    const record = (await (await api.get(`${usersPath}/1`)).json()) as { createdAt: string };
    expect(record.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/);
  });
});
