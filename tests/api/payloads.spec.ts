import { expect, test } from '../../lib/fixtures';
import { excerpt } from '../../lib/http/api-errors';
import { expectStatusIn } from '../support/expect-status';

/**
 * mockapi.io stores what it is sent without validation. A backend that validates is not wrong, but
 * it is not mockapi-compatible: these tests fail with a message that says which payload it refused.
 */
test.describe('payload edge cases', { tag: '@contract' }, () => {
  const accepted = (what: string, r: { status: number; text: string }) =>
    `${what} was answered ${r.status}: this backend validates where mockapi.io stores as sent. Body: ${excerpt(r.text)}`;

  test('unicode and emoji names are stored exactly', async ({ users, factory }) => {
    const name = 'Zoë Ångström-Łukasz 山田太郎 🧪🚀 مرحبا';
    const created = await users.create(factory.build({ name }));
    expect(created.name).toBe(name);
    await users.waitUntilVisible(created.id, { name });
  });

  test('very long strings are stored in full', async ({ users, factory }) => {
    const name = 'L'.repeat(10_000);
    const response = await users.createResponse(factory.build({ name }));
    expect(response.status, accepted('a 10,000-character name', response)).toBe(201);
    const { id } = JSON.parse(response.text) as { id: string };
    const stored = await users.waitUntilVisible(id);
    expect(stored.name?.length).toBe(10_000);
  });

  test('extra fields are stored as sent', async ({ users, factory }) => {
    const extra = {
      nickname: 'Tester',
      age: 42,
      tags: ['a', 'b'],
      address: { city: 'Haifa' },
      active: false,
    };
    const created = await users.create(factory.build(extra));
    expect(created).toMatchObject(extra);
    await users.waitUntilVisible(created.id, extra);
  });

  test('an invalid email is stored without validation', async ({ users, factory }) => {
    const payload = factory.build();
    const email = `not-an-email ${payload.email}`;
    const response = await users.createResponse({ ...payload, email });
    expect(response.status, accepted('an invalid email', response)).toBe(201);
    expect(JSON.parse(response.text)).toMatchObject({ email });
  });

  test('a user with fields missing is still created', async ({ users, factory }) => {
    const { email } = factory.build();
    const response = await users.createResponse({ email });
    expect(response.status, accepted('a body without name', response)).toBe(201);
    const body = JSON.parse(response.text) as { id: string; email: string };
    expect(body.email).toBe(email);
    await users.waitUntilVisible(body.id, { email });
  });

  for (const [label, raw] of [
    ['malformed JSON', '{"name": "broken",'],
    ['a JSON array', '[{"name":"in an array"}]'],
    ['a JSON string', '"just a string"'],
    ['plain text', 'name=plain'],
  ] as const) {
    // mockapi.io answers 400 to a body it cannot store; a validating backend may answer 422.
    test(`a body that is ${label} is refused with a 400 or 422`, async ({ users, cleanup }) => {
      // Safe to re-send: a compatible backend stores nothing for these bodies.
      const response = await users.raw({ method: 'POST', rawBody: raw, idempotent: true });
      const body = ((): { id?: unknown } => {
        try {
          return JSON.parse(response.text) as { id?: unknown };
        } catch {
          return {};
        }
      })();
      if (typeof body.id === 'string') cleanup.track(users, body.id);
      expectStatusIn(`POST /users with ${label}`, response, [400, 422]);
    });
  }
});
