import { buildApp } from '../../server/app';
import type { ServerOptionsInput } from '../../server/options';
import { createUser, serverState } from './api-helpers';
import { InjectClient } from './inject-client';
import { expect, test, usersPath } from './server-fixture';

/** Statuses of `count` sequential GETs against a fresh server with these options. */
async function statusSequence(options: ServerOptionsInput, count: number): Promise<number[]> {
  const app = buildApp({ logLevel: 'silent', ...options });
  const api = new InjectClient(app);
  try {
    const statuses: number[] = [];
    for (let index = 0; index < count; index += 1) {
      statuses.push((await api.get(usersPath)).status());
    }
    return statuses;
  } finally {
    await app.close();
  }
}

test.describe('seeded random 503s', () => {
  test('the same seed gives the same sequence of failures', async () => {
    const options = { seed: 1234, fault503Rate: 0.3 };
    const first = await statusSequence(options, 100);
    const second = await statusSequence(options, 100);
    expect(second).toEqual(first);
    expect(first).toContain(503);
    expect(first).toContain(200);
  });

  test('a different seed gives a different sequence', async () => {
    const first = await statusSequence({ seed: 1, fault503Rate: 0.3 }, 100);
    const second = await statusSequence({ seed: 2, fault503Rate: 0.3 }, 100);
    expect(second).not.toEqual(first);
  });

  test('about the configured share of requests fails', async () => {
    const statuses = await statusSequence({ seed: 99, fault503Rate: 0.25 }, 400);
    const failures = statuses.filter((status) => status === 503).length;
    expect(failures).toBeGreaterThan(400 * 0.17);
    expect(failures).toBeLessThan(400 * 0.33);
    expect(statuses.every((status) => status === 200 || status === 503)).toBe(true);
  });
});

test.describe('503 before processing', () => {
  test.use({ serverOptions: { fault503Rate: 1 } });

  test('a failed POST answers 503 and creates nothing', async ({ api }) => {
    const response = await api.post(usersPath, { data: { name: 'Ann' } });
    expect(response.status()).toBe(503);
    expect(((await response.json()) as { error: string }).error).toContain('unavailable');
    expect((await serverState(api)).users).toBe(0);
  });
});

test.describe('writes committed but answered 500', () => {
  test.use({ serverOptions: { faultCommit500Rate: 1 } });

  test('a POST answered 500 has still created the user', async ({ api }) => {
    const response = await api.post(usersPath, { data: { name: 'Ann' } });
    expect(response.status()).toBe(500);
    expect(await serverState(api)).toMatchObject({ users: 1, lastId: '1' });
    const read = await api.get(`${usersPath}/1`);
    expect(read.status()).toBe(200);
    expect(await read.json()).toMatchObject({ id: '1', name: 'Ann' });
  });

  test('a PATCH and a DELETE answered 500 have still been applied', async ({ api }) => {
    await api.post(usersPath, { data: { name: 'Ann' } });
    expect((await api.patch(`${usersPath}/1`, { data: { name: 'Bo' } })).status()).toBe(500);
    expect(await (await api.get(`${usersPath}/1`)).json()).toMatchObject({ name: 'Bo' });
    expect((await api.delete(`${usersPath}/1`)).status()).toBe(500);
    expect((await api.get(`${usersPath}/1`)).status()).toBe(404);
  });

  test('reads and failed writes are not affected', async ({ api }) => {
    expect((await api.get(usersPath)).status()).toBe(200);
    expect((await api.delete(`${usersPath}/9`)).status()).toBe(404);
  });
});

test.describe('hanging requests', () => {
  test.use({ serverOptions: { hangRate: 1, hangMs: 5000 } });

  test('a request hangs past the client timeout and is never processed', async ({
    api,
    request,
  }) => {
    // The client gives up after 500 ms, long before the 5 s hang ends.
    await expect(request.post(usersPath, { data: { name: 'Ann' }, timeout: 500 })).rejects.toThrow(
      /timeout/i,
    );
    // Once the server has let go of the request, it must not have created the user.
    await expect.poll(async () => (await serverState(api)).inFlight, { timeout: 8000 }).toBe(0);
    expect((await serverState(api)).users).toBe(0);
  });
});

test.describe('a hang shorter than the client timeout', () => {
  test.use({ serverOptions: { hangRate: 1, hangMs: 300 } });

  test('is answered normally once the hang is over', async ({ request }) => {
    const started = Date.now();
    const response = await request.get(usersPath);
    expect(response.status()).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });
});

test.describe('random latency', () => {
  test.use({ serverOptions: { latencyMaxMs: 200, seed: 7 } });

  test('requests take longer but succeed', async ({ request }) => {
    const started = Date.now();
    for (let index = 0; index < 10; index += 1) {
      expect((await request.get(usersPath)).status()).toBe(200);
    }
    // Ten draws from 0..200 ms average about a second; 300 ms would need a run of near-zeros.
    expect(Date.now() - started).toBeGreaterThan(300);
  });
});

test.describe('random latency with a floor', () => {
  test.use({ serverOptions: { latencyMinMs: 80, latencyMaxMs: 100, seed: 7 } });

  test('no request is answered sooner than the floor', async ({ request }) => {
    for (let index = 0; index < 5; index += 1) {
      const started = Date.now();
      expect((await request.get(usersPath)).status()).toBe(200);
      // A lower bound only: a busy machine makes requests slower, never faster.
      expect(Date.now() - started).toBeGreaterThanOrEqual(79);
    }
  });
});

test.describe('rate limit', () => {
  test.use({ serverOptions: { rateLimitRps: 5 } });

  test('a burst over the limit gets 429 with Retry-After, then requests pass again', async ({
    api,
  }) => {
    // 30 at once against a bucket of 5 refilled at 5 per second: at least 5 are refused unless
    // the burst is spread over more than 4 seconds, which not even a busy machine does.
    const responses = await Promise.all(Array.from({ length: 30 }, () => api.get(usersPath)));
    const limited = responses.filter((response) => response.status() === 429);
    expect(limited.length).toBeGreaterThanOrEqual(5);
    expect((await serverState(api)).throttled).toBe(limited.length);
    expect(responses.filter((response) => response.status() === 200).length).toBeGreaterThan(0);
    const first = limited[0];
    expect(first?.headers()['retry-after']).toMatch(/^[1-9]\d*$/);
    expect(((await first?.json()) as { error: string }).error).toContain('rate limit');

    await expect.poll(async () => (await api.get(usersPath)).status()).toBe(200);
  });

  test('the control API is not rate limited', async ({ api }) => {
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => api.get('/__control/health')),
    );
    expect(responses.every((response) => response.status() === 200)).toBe(true);
  });

  test('requests spaced by the limit all pass', async ({ api }) => {
    await createUser(api, { name: 'Ann' });
    for (let index = 0; index < 3; index += 1) {
      expect((await api.get(usersPath)).status()).toBe(200);
    }
  });
});
