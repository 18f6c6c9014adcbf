import { serverState } from './api-helpers';
import { expect, test, usersPath } from './server-fixture';

test.describe('without --token', () => {
  test('an Authorization header is accepted and ignored, as on mockapi.io', async ({ api }) => {
    const response = await api.get(usersPath, {
      headers: { authorization: 'Bearer whatever' },
    });
    expect(response.status()).toBe(200);
  });
});

test.describe('with --token', () => {
  test.use({ serverOptions: { token: 's3cret-token' } });

  test('a request without Authorization answers 401 with an error message', async ({ api }) => {
    const response = await api.get(usersPath);
    expect(response.status()).toBe(401);
    expect(response.headers()['www-authenticate']).toBe('Bearer');
    const body = (await response.json()) as { error: string };
    expect(body.error).toContain('Bearer');
    expect(body.error).not.toContain('s3cret-token');
  });

  test('a wrong token or scheme answers 401', async ({ api }) => {
    for (const authorization of ['Bearer wrong', 'Basic s3cret-token', 's3cret-token', 'Bearer ']) {
      const response = await api.get(usersPath, { headers: { authorization } });
      expect(response.status(), authorization).toBe(401);
    }
  });

  test('the right bearer token is let through', async ({ api }) => {
    const headers = { authorization: 'Bearer s3cret-token' };
    expect((await api.get(usersPath, { headers })).status()).toBe(200);
    const created = await api.post(usersPath, { headers, data: { name: 'Ann' } });
    expect(created.status()).toBe(201);
  });

  test('a rejected write stores nothing', async ({ api }) => {
    const response = await api.post(usersPath, { data: { name: 'Ann' } });
    expect(response.status()).toBe(401);
    expect((await serverState(api)).users).toBe(0);
  });

  test('unknown API paths are behind the token too', async ({ api }) => {
    expect((await api.get('/api/v1/other')).status()).toBe(401);
  });

  test('the control API needs no token', async ({ api }) => {
    expect((await api.get('/__control/health')).status()).toBe(200);
  });
});
