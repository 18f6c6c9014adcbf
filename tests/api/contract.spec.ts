import { randomBytes } from 'node:crypto';

import { expect, test } from '../../lib/fixtures';
import { excerpt } from '../../lib/http/api-errors';
import { type User, UserSchema } from '../../lib/users/user-schema';
import { expectStatusIn } from '../support/expect-status';

test.describe('contract', { tag: '@contract' }, () => {
  test('a created user matches the User schema and carries an ISO createdAt', async ({
    users,
    factory,
  }) => {
    const response = await users.createResponse(factory.build());
    expectStatusIn('POST /users', response, [201]);
    const parsed = UserSchema.safeParse(JSON.parse(response.text));
    expect(parsed.success, parsed.success ? '' : parsed.error.message).toBe(true);
    if (!parsed.success) return;
    expect(typeof parsed.data.id, 'ids are strings').toBe('string');
    expect(new Date(parsed.data.createdAt).toISOString().slice(0, 10)).toBe(
      parsed.data.createdAt.slice(0, 10),
    );
  });

  test('createdAt is set by the server at creation', async ({ users, factory }) => {
    const before = Date.now();
    const user = await users.create(factory.build());
    const createdAt = Date.parse(user.createdAt);
    // Generous bounds: the server's clock may differ from ours, but not by days.
    expect(Math.abs(createdAt - before), 'createdAt is close to now').toBeLessThan(
      24 * 3600 * 1000,
    );
  });

  test('a missing user answers 404 "Not found"', { tag: '@readonly' }, async ({ users }) => {
    const id = `missing-${randomBytes(6).toString('hex')}`;
    const response = await users.raw({ method: 'GET', path: id });
    expect(response.status, `GET /users/${id}. Body: ${excerpt(response.text)}`).toBe(404);
    expect(JSON.parse(response.text)).toBe('Not found');
    expect(await users.find(id)).toBeUndefined();
  });

  test(
    'a user read by id equals the same user in the list',
    { tag: '@readonly' },
    async ({ users, factory, environment }) => {
      let listed: User | undefined;
      if (environment.allowWrites) {
        // Compare a user of our own: others' records may change or vanish while we read them.
        const created = await users.create(factory.build());
        await expect
          .poll(
            async () => (await users.findByEmail(created.email ?? '')).length,
            users.pollOptions(),
          )
          .toBe(1);
        [listed] = await users.findByEmail(created.email ?? '');
      } else {
        [listed] = await users.list({ page: 1, limit: 1 });
        test.skip(
          listed === undefined,
          'the collection is empty and writes are disabled: nothing to read',
        );
      }
      if (listed === undefined) throw new Error('no user to read');
      expect(await users.get(listed.id)).toEqual(listed);
    },
  );

  const UNUSUAL_IDS = [
    'abc',
    '-1',
    '0',
    '1.5',
    'x'.repeat(2000),
    '%2F..%2Fadmin',
    'ünïcødé',
    '🙂',
    "' OR 1=1 --",
    '<script>',
  ];
  /**
   * What a faithful backend may answer for an id it holds no record under: mockapi.io's `404 "Not
   * found"`, a 400 from one that refuses a malformed id, a 200 from one that maps the id to a record
   * (`1.5` read as `1`, say), and 414 for an id longer than a URL may be. Never a 5xx, 401 or 403.
   */
  const answersFor = (id: string) => (id.length > 1000 ? [200, 400, 404, 414] : [200, 400, 404]);
  for (const id of UNUSUAL_IDS) {
    test(
      `an unusual id (${id.length > 20 ? `${id.length} chars` : id}) is answered as missing or malformed, not with an error`,
      { tag: '@readonly' },
      async ({ users }) => {
        const response = await users.raw({ method: 'GET', path: id });
        expectStatusIn(`GET /users/${id.slice(0, 40)}`, response, answersFor(id));
        if (response.status === 404) expect(JSON.parse(response.text)).toBe('Not found');
        if (response.status === 200) {
          const parsed = UserSchema.safeParse(JSON.parse(response.text));
          expect(parsed.success, `a 200 answers a user. Body: ${excerpt(response.text)}`).toBe(
            true,
          );
        }
      },
    );
  }
});
