import { randomBytes } from 'node:crypto';

import { expect, test } from '@playwright/test';

import { startServerProcess } from './server-process';

/**
 * A client written the way the original Python client talks to mockapi.io: BASE_URL is the full
 * collection URL, a bearer token mockapi.io ignores, plain fetch, `{ name: "user_<hex>", email }`.
 * It runs the seed scenario unchanged against the server started from its command line, as
 * `npm run mock-server` starts it, only the base URL swapped.
 */
class SeedClient {
  constructor(
    private readonly baseUrl: string,
    private readonly token = 'seed-token-ignored',
  ) {}

  private async call(
    method: string,
    url: string,
    body?: unknown,
  ): Promise<{ status: number; body: unknown }> {
    const response = await fetch(url, {
      method,
      headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    return { status: response.status, body: await response.json() };
  }

  create(user: { name: string; email: string }) {
    return this.call('POST', this.baseUrl, user);
  }
  get(id: string) {
    return this.call('GET', `${this.baseUrl}/${id}`);
  }
  update(id: string, fields: Record<string, unknown>) {
    return this.call('PUT', `${this.baseUrl}/${id}`, fields);
  }
  remove(id: string) {
    return this.call('DELETE', `${this.baseUrl}/${id}`);
  }
}

test('the seed scenario of a plain mockapi.io client works unchanged against the mock server', async () => {
  const server = await startServerProcess(['--port', '0']);
  try {
    const client = new SeedClient(`http://127.0.0.1:${server.port}/api/v1/users`);
    const ids: string[] = [];
    await test.step('create 5 users', async () => {
      for (let i = 0; i < 5; i += 1) {
        const name = `user_${randomBytes(4).toString('hex')}`;
        const { status, body } = await client.create({ name, email: `${name}@example.com` });
        expect(status).toBe(201);
        expect(body).toMatchObject({
          name,
          email: `${name}@example.com`,
          id: expect.any(String),
        });
        ids.push((body as { id: string }).id);
      }
    });
    await test.step('read each back', async () => {
      for (const id of ids)
        expect(await client.get(id)).toMatchObject({ status: 200, body: { id } });
    });
    await test.step('rename one', async () => {
      const id = ids[0] ?? '';
      expect(await client.update(id, { name: 'renamed_user' })).toMatchObject({
        status: 200,
        body: { id, name: 'renamed_user' },
      });
      expect(await client.get(id)).toMatchObject({ body: { name: 'renamed_user' } });
    });
    await test.step('delete all and confirm 404', async () => {
      for (const id of ids) expect((await client.remove(id)).status).toBe(200);
      for (const id of ids)
        expect(await client.get(id)).toEqual({ status: 404, body: 'Not found' });
    });
  } finally {
    await server.stop();
  }
});
