import { randomBytes } from 'node:crypto';

import type { UserFactory } from '../../lib/users/user-factory';
import type { User } from '../../lib/users/user-schema';
import type { UsersApi } from '../../lib/users/users-api';
import { expect, test } from '../../lib/fixtures';
import { excerpt } from '../../lib/http/api-errors';

/**
 * Every listing is scoped to users this test created: they share a tag no one else's data has, and
 * each query filters on it, so other people's records in a shared environment never matter.
 */
test.describe('listing users', { tag: '@crud' }, () => {
  const NAMES = ['Delta', 'alpha', 'Echo', 'bravo', 'Charlie'];

  async function createTagged(
    users: UsersApi,
    factory: UserFactory,
  ): Promise<{ tag: string; created: User[] }> {
    const tag = `lst${randomBytes(5).toString('hex')}`;
    // One after another, so the server numbers them in this order on every run, and the failing
    // test's repro sends them in the order the server saw them.
    const created: User[] = [];
    for (const name of NAMES)
      created.push(await users.create(factory.build({ name: `${tag} ${name}`, jobTitle: tag })));
    await expect
      .poll(async () => (await users.list({ filters: { name: tag } })).length, {
        message: 'all tagged users to be listed',
        ...users.pollOptions(),
      })
      .toBe(NAMES.length);
    return { tag, created };
  }

  test('a field filter returns exactly the matching users', async ({ users, factory }) => {
    const { tag, created } = await createTagged(users, factory);
    const listed = await users.list({ filters: { name: tag } });
    expect(listed.map((u) => u.id).sort()).toEqual(created.map((u) => u.id).sort());
    const one = created[2];
    if (one?.email === undefined) throw new Error('created user has no email');
    const byEmail = await users.list({ filters: { email: one.email } });
    expect(byEmail.map((u) => u.id)).toEqual([one.id]);
  });

  test('a filter matches case-insensitive substrings', async ({ users, factory }) => {
    const { tag, created } = await createTagged(users, factory);
    const upper = await users.list({ filters: { name: `${tag} ECH`.toUpperCase() } });
    expect(upper.map((u) => u.name)).toEqual([`${tag} Echo`]);
    expect(upper[0]?.id).toBe(created[2]?.id);
  });

  test('search matches across fields', async ({ users, factory }) => {
    const { tag, created } = await createTagged(users, factory);
    const found = await users.list({ search: tag });
    expect(found.map((u) => u.id).sort()).toEqual(created.map((u) => u.id).sort());
  });

  test('pages are disjoint and together hold every matching user', async ({ users, factory }) => {
    const { tag, created } = await createTagged(users, factory);
    const pages: User[][] = [];
    for (let page = 1; page <= 3; page += 1) {
      pages.push(await users.list({ filters: { name: tag }, page, limit: 2 }));
    }
    expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
    const ids = pages.flat().map((u) => u.id);
    expect(new Set(ids).size, 'no user on two pages').toBe(ids.length);
    expect([...ids].sort()).toEqual(created.map((u) => u.id).sort());
  });

  test('a page past the end is empty', async ({ users, factory }) => {
    const { tag } = await createTagged(users, factory);
    expect(await users.list({ filters: { name: tag }, page: 4, limit: 2 })).toEqual([]);
  });

  test('sorting by name ascending and descending', async ({ users, factory }) => {
    const { tag } = await createTagged(users, factory);
    const expected = NAMES.map((n) => `${tag} ${n}`).sort((a, b) =>
      a.localeCompare(b, 'en', { sensitivity: 'base' }),
    );
    const asc = await users.list({ filters: { name: tag }, sortBy: 'name', order: 'asc' });
    const desc = await users.list({ filters: { name: tag }, sortBy: 'name', order: 'desc' });
    const lower = (list: User[]) => list.map((u) => (u.name ?? '').toLowerCase());
    expect(lower(asc)).toEqual(expected.map((n) => n.toLowerCase()));
    expect(lower(desc)).toEqual([...expected].reverse().map((n) => n.toLowerCase()));
  });

  test('sorting by id follows creation order', async ({ users, factory }) => {
    const { tag, created } = await createTagged(users, factory);
    const asc = await users.list({ filters: { name: tag }, sortBy: 'id', order: 'asc' });
    const byId = [...created].sort((a, b) => Number(a.id) - Number(b.id)).map((u) => u.id);
    expect(asc.map((u) => u.id)).toEqual(byId);
  });

  test('a query that matches nothing answers 404 "Not found", which the client reads as an empty list', async ({
    users,
  }) => {
    const nothing = `none${randomBytes(8).toString('hex')}`;
    const raw = await users.raw({ method: 'GET', params: { name: nothing } });
    expect(
      raw.status,
      `mockapi.io answers an empty query with 404. Body: ${excerpt(raw.text)}`,
    ).toBe(404);
    expect(JSON.parse(raw.text)).toBe('Not found');
    expect(await users.list({ filters: { name: nothing } })).toEqual([]);
    expect(await users.list({ search: nothing })).toEqual([]);
  });

  test('every listed user matches the contract', { tag: '@readonly' }, async ({ users }) => {
    // list() validates each record against the User schema and fails with the offending path.
    const page = await users.list({ page: 1, limit: 20 });
    expect(page.length).toBeLessThanOrEqual(20);
    const ids = page.map((u) => u.id);
    expect(new Set(ids).size, 'no duplicate ids on a page').toBe(ids.length);
  });
});
