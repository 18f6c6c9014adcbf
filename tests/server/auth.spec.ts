import { serverState } from './api-helpers';
import { expect, test, usersPath } from './server-fixture';

test.describe('without --token', () => {
  test('an Authorization header is accepted and ignored, as on mockapi.io', async ({ request }) => {
    const response = await request.get(usersPath, {
      headers: { authorization: 'Bearer whatever' },
    });
    expect(response.status()).toBe(200);
  });
});

test.describe('with --token', () => {
  test.use({ serverOptions: { token: 's3cret-token' } });

  test('a request without Authorization answers 401 with an error message', async ({ request }) => {
    const response = await request.get(usersPath);
    expect(response.status()).toBe(401);
    expect(response.headers()['www-authenticate']).toBe('Bearer');
    const body = (await response.json()) as { error: string };
    expect(body.error).toContain('Bearer');
    expect(body.error).not.toContain('s3cret-token');
  });

  test('a wrong token or scheme answers 401', async ({ request }) => {
    for (const authorization of ['Bearer wrong', 'Basic s3cret-token', 's3cret-token', 'Bearer ']) {
      const response = await request.get(usersPath, { headers: { authorization } });
      expect(response.status(), authorization).toBe(401);
    }
  });

  test('the right bearer token is let through', async ({ request }) => {
    const headers = { authorization: 'Bearer s3cret-token' };
    expect((await request.get(usersPath, { headers })).status()).toBe(200);
    const created = await request.post(usersPath, { headers, data: { name: 'Ann' } });
    expect(created.status()).toBe(201);
  });

  test('a rejected write stores nothing', async ({ request }) => {
    const response = await request.post(usersPath, { data: { name: 'Ann' } });
    expect(response.status()).toBe(401);
    expect((await serverState(request)).users).toBe(0);
  });

  test('unknown API paths are behind the token too', async ({ request }) => {
    expect((await request.get('/api/v1/other')).status()).toBe(401);
  });

  test('the control API needs no token', async ({ request }) => {
    expect((await request.get('/__control/health')).status()).toBe(200);
  });
});
