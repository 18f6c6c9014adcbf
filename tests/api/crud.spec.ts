import { expect, test } from '../../lib/fixtures';
import { excerpt } from '../../lib/http/api-errors';
import type { User } from '../../lib/users/user-schema';

/**
 * DELETE answers the deleted record. The client returns undefined only when that answer was lost
 * (a 5xx or timeout after the server acted) and the retry found the user gone: then the call must
 * show in the test's retries, or the missing record is a defect.
 */
function expectDeletedRecord(deleted: User | undefined, expected: Partial<User>): void {
  if (deleted === undefined) {
    const retried = test
      .info()
      .annotations.some((a) => a.type === 'api-retry' && a.description?.startsWith('DELETE'));
    expect(retried, 'DELETE returned no record without an ambiguous failure to explain it').toBe(
      true,
    );
    return;
  }
  expect(deleted).toMatchObject(expected);
}

test.describe('users CRUD', { tag: '@crud' }, () => {
  test('a user goes through its whole lifecycle', { tag: '@smoke' }, async ({ users, factory }) => {
    const payload = factory.build();

    const created =
      await test.step('create answers the record with a server id and createdAt', async () => {
        const user = await users.create(payload);
        expect(user).toMatchObject(payload);
        expect(user.id, 'server-assigned id').toMatch(/\S/);
        expect(Date.parse(user.createdAt), 'createdAt is a timestamp').not.toBeNaN();
        return user;
      });

    await test.step('the user reads back as created', async () => {
      expect(await users.waitUntilVisible(created.id)).toEqual(created);
    });

    const renamed =
      await test.step('PUT replaces the sent fields and keeps the others', async () => {
        const user = await users.update(created.id, { name: 'Renamed By Put' });
        expect(user).toEqual({ ...created, name: 'Renamed By Put' });
        await users.waitUntilVisible(created.id, { name: 'Renamed By Put' });
        return user;
      });

    await test.step('PATCH merges the sent fields and keeps the others', async () => {
      const user = await users.patch(created.id, { avatar: 'https://example.com/patched.png' });
      expect(user).toEqual({ ...renamed, avatar: 'https://example.com/patched.png' });
      await users.waitUntilVisible(created.id, {
        name: 'Renamed By Put',
        avatar: 'https://example.com/patched.png',
      });
    });

    await test.step('delete answers the deleted record, then the user answers 404', async () => {
      const deleted = await users.delete(created.id);
      expectDeletedRecord(deleted, { id: created.id, email: payload.email });
      await users.waitUntilDeleted(created.id);
    });
  });

  test('creating a user answers 201 with every sent field echoed', async ({ users, factory }) => {
    const payload = factory.build();
    const response = await users.createResponse(payload);
    expect(response.status, `status of POST /users. Body: ${excerpt(response.text)}`).toBe(201);
    expect(JSON.parse(response.text)).toMatchObject(payload);
  });

  test('the server assigns the id and ignores one sent by the client', async ({
    users,
    factory,
  }) => {
    const first = await users.create(factory.build());
    const second = await users.create({ ...factory.build(), id: first.id });
    expect(second.id).not.toBe(first.id);
    expect(await users.waitUntilVisible(first.id)).toMatchObject({ email: first.email });
  });

  test('ids of users created one after another are distinct and increasing', async ({
    users,
    factory,
  }) => {
    const ids: string[] = [];
    for (const payload of factory.buildMany(3)) ids.push((await users.create(payload)).id);
    expect(new Set(ids).size).toBe(3);
    const numeric = ids.map(Number);
    expect(numeric.every(Number.isInteger), `ids ${ids.join(', ')} are numeric strings`).toBe(true);
    expect(numeric).toEqual([...numeric].sort((a, b) => a - b));
  });

  test('PUT answers the whole record with the update merged in', async ({ users, factory }) => {
    const created = await users.create(factory.build());
    const updated = await users.update(created.id, { name: 'Put Name', title: 'extra field' });
    expect(updated).toEqual({ ...created, name: 'Put Name', title: 'extra field' });
    await expect.poll(() => users.find(created.id), users.pollOptions()).toEqual(updated);
  });

  test('PATCH changes only the sent field', async ({ users, factory }) => {
    const created = await users.create(factory.build());
    const patched = await users.patch(created.id, { name: 'Patched Name' });
    expect(patched).toEqual({ ...created, name: 'Patched Name' });
    await expect.poll(() => users.find(created.id), users.pollOptions()).toEqual(patched);
  });

  test('an update is persisted, not just echoed', async ({ users, factory }) => {
    const created = await users.create(factory.build());
    await users.patch(created.id, { name: 'Persisted Name' });
    await expect
      .poll(async () => (await users.find(created.id))?.name, {
        message: 'the stored name',
        ...users.pollOptions(),
      })
      .toBe('Persisted Name');
  });

  test('a deleted user answers 404 and is gone from the list', async ({ users, factory }) => {
    const created = await users.create(factory.build());
    await users.waitUntilVisible(created.id);
    expectDeletedRecord(await users.delete(created.id), { id: created.id });
    await users.waitUntilDeleted(created.id);
    await expect
      .poll(async () => (await users.findByEmail(created.email ?? '')).length, users.pollOptions())
      .toBe(0);
  });

  test('deleting a user twice answers 404 the second time', async ({ users, factory }) => {
    const created = await users.create(factory.build());
    await users.delete(created.id);
    await users.waitUntilDeleted(created.id);
    const again = await users.raw({ method: 'DELETE', path: created.id });
    expect(again.status, `second DELETE /users/${created.id}. Body: ${excerpt(again.text)}`).toBe(
      404,
    );
  });

  test('updating a deleted user answers 404', async ({ users, factory }) => {
    const created = await users.create(factory.build());
    await users.delete(created.id);
    await users.waitUntilDeleted(created.id);
    const put = await users.raw({ method: 'PUT', path: created.id, body: { name: 'ghost' } });
    expect(
      put.status,
      `PUT /users/${created.id} after its deletion. Body: ${excerpt(put.text)}`,
    ).toBe(404);
  });
});
