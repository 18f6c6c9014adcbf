import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { idsOf, serverState, type ApiUser } from './api-helpers';
import { expect, postsPath, test, userPostsPath, usersPath } from './server-fixture';

/** A small seeded PRNG, so a failing fuzz run can be replayed with the same seed. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

interface RawResponse {
  status: number;
  contentType: string;
  body: string;
}

/** Sends exactly what it is given, which Playwright's client would normalise away. */
function rawRequest(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string>,
  body: string | undefined,
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      { host: '127.0.0.1', port, method, path, headers, agent: false },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          resolve({
            status: response.statusCode ?? 0,
            contentType: response.headers['content-type'] ?? '',
            body: Buffer.concat(chunks).toString('utf8'),
          });
        });
      },
    );
    request.on('error', reject);
    // Node's client sends a DELETE body without framing unless told its length.
    if (body !== undefined) request.setHeader('content-length', Buffer.byteLength(body));
    request.end(body);
  });
}

// FUZZ_SEED replays or varies a run; the default keeps CI deterministic.
const seed = Number(process.env['FUZZ_SEED'] ?? 20_240_601);
const pick = <T>(random: () => number, items: readonly T[]): T =>
  items[Math.floor(random() * items.length)] as T;

function randomText(random: () => number, maxLength: number): string {
  // ASCII only, so splitting into characters is safe.
  const alphabet = 'abcXYZ019 -_.~%/?&=#+:;,!$\'()*@[]{}"\\<>^`|'.split('');
  let text = '';
  const length = Math.floor(random() * maxLength);
  for (let index = 0; index < length; index += 1) text += pick(random, alphabet);
  return text;
}

function randomJson(random: () => number, depth: number): unknown {
  const kind = Math.floor(random() * (depth > 3 ? 5 : 7));
  switch (kind) {
    case 0:
      return null;
    case 1:
      return random() < 0.5;
    case 2:
      return pick(random, [0, -1, 1e308, 3.14, Number.MAX_SAFE_INTEGER]);
    case 3:
    case 4:
      return randomText(random, 20);
    case 5:
      return Array.from({ length: Math.floor(random() * 4) }, () => randomJson(random, depth + 1));
    default:
      return Object.fromEntries(
        Array.from({ length: Math.floor(random() * 5) }, () => [
          pick(random, [
            'name',
            'email',
            'id',
            'createdAt',
            'constructor',
            'toString',
            randomText(random, 8),
          ]),
          randomJson(random, depth + 1),
        ]),
      );
  }
}

function randomPath(random: () => number): string {
  const tails = [
    '',
    '/',
    '/1',
    `/${Math.floor(random() * 30)}`,
    '/-1',
    '/abc',
    '/%00',
    '/%E0%A4%A',
    '/%2e%2e/%2e%2e',
    '/1/tasks',
    '/constructor',
    '/__proto__',
    `/${'9'.repeat(400)}`,
    `/${encodeURIComponent(randomText(random, 12))}`,
  ];
  const base = pick(random, [
    usersPath,
    usersPath,
    usersPath,
    '/api/v1',
    '/api',
    '/',
    '/__control/state',
    '//api//v1//users',
    postsPath,
    userPostsPath('1'),
    userPostsPath('2'),
  ]);
  const query = random() < 0.6 ? `?${randomQuery(random)}` : '';
  return `${base}${pick(random, tails)}${query}`;
}

function randomQuery(random: () => number): string {
  const keys = [
    'page',
    'limit',
    'sortBy',
    'order',
    'search',
    'name',
    'email',
    'id',
    '__proto__',
    'constructor',
    'a[b]',
    '',
  ];
  const values = [
    '1',
    '0',
    '-5',
    '2.5',
    '999999999999',
    'abc',
    'desc',
    'name',
    'id',
    '',
    '%',
    '%ZZ',
    '__proto__',
  ];
  return Array.from(
    { length: 1 + Math.floor(random() * 4) },
    () =>
      `${encodeURIComponent(pick(random, keys))}=${random() < 0.8 ? encodeURIComponent(pick(random, values)) : randomText(random, 6).replace(/[#\s]/g, '')}`,
  ).join('&');
}

function randomBody(random: () => number): {
  body: string | undefined;
  contentType: string | undefined;
} {
  const contentType = pick(random, [
    'application/json',
    'application/json',
    'application/json; charset=utf-8',
    'text/plain',
    'application/xml',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'application/octet-stream',
    undefined,
  ]);
  const body = pick(random, [
    () => JSON.stringify(randomJson(random, 0)),
    () => JSON.stringify({ name: randomText(random, 10), email: 'x@y.z' }),
    () => randomText(random, 40),
    () => '{"__proto__":{"polluted":true}}',
    () => '{"constructor":{"prototype":{"polluted":true}}}',
    () => '{"a":' + '['.repeat(2000) + ']'.repeat(2000) + '}',
    () => '',
    () => undefined,
  ])();
  return { body, contentType };
}

test.describe('fuzzing', () => {
  test('hundreds of random requests never get a 5xx and the store stays consistent', async ({
    request,
    server,
  }) => {
    test.setTimeout(60_000);
    const random = seededRandom(seed);
    test.info().annotations.push({ type: 'fuzz seed', description: String(seed) });

    await test.step('random methods, paths, queries, headers and bodies', async () => {
      for (let index = 0; index < 400; index += 1) {
        const method = pick(random, [
          'GET',
          'GET',
          'POST',
          'POST',
          'PUT',
          'PATCH',
          'DELETE',
          'HEAD',
          'OPTIONS',
        ]);
        const path = randomPath(random);
        const { body, contentType } = randomBody(random);
        const headers: Record<string, string> = {};
        if (contentType !== undefined) headers['content-type'] = contentType;
        if (random() < 0.2)
          headers['idempotency-key'] = randomText(random, 10).replace(/[^\x21-\x7e]/g, 'k');
        if (random() < 0.2) headers['x-mock-scenario'] = 'none';
        if (random() < 0.2)
          headers['authorization'] =
            `Bearer ${randomText(random, 10).replace(/[^\x21-\x7e]/g, 't')}`;
        const sendsBody = method !== 'GET' && method !== 'HEAD' && body !== undefined;
        const context = `#${index} ${method} ${path} ${contentType ?? ''} ${sendsBody ? body.slice(0, 80) : ''}`;

        const response = await rawRequest(
          server.port,
          method,
          path,
          headers,
          sendsBody ? body : undefined,
        ).catch((error: unknown) => {
          throw new Error(`${context}: ${String(error)}`);
        });
        expect(response.status, context).toBeGreaterThanOrEqual(200);
        expect(response.status, context).toBeLessThan(500);
        if (method !== 'HEAD' && response.contentType.includes('application/json')) {
          expect(() => JSON.parse(response.body) as unknown, context).not.toThrow();
        }
      }
    });

    await test.step('garbage that is not HTTP is refused without harm', async () => {
      for (const garbage of [
        'GARBAGE\r\n\r\n',
        'GET / HTTP/9.9\r\n\r\n',
        '\u0000\u0001\u0002\r\n\r\n',
        'POST /api/v1/users HTTP/1.1\r\nContent-Length: -1\r\n\r\n',
      ]) {
        await new Promise<void>((resolve) => {
          const socket = connect(server.port, '127.0.0.1', () => socket.end(garbage));
          socket.on('data', () => undefined);
          socket.on('close', () => {
            resolve();
          });
          socket.on('error', () => {
            resolve();
          });
        });
      }
    });

    await test.step('the server still answers and its state is consistent', async () => {
      expect((await request.get('/__control/health')).status()).toBe(200);
      const state = await serverState(request);
      const listResponse = await request.get(usersPath);
      expect(listResponse.status()).toBe(200);
      const users = (await listResponse.json()) as ApiUser[];
      expect(users).toHaveLength(state.users);
      const ids = idsOf(users).map(Number);
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
      expect(new Set(ids).size).toBe(ids.length);
      if (ids.length > 0) expect(Math.max(...ids)).toBeLessThanOrEqual(Number(state.lastId));
      for (const user of users) {
        const read = await request.get(`${usersPath}/${user.id}`);
        expect(await read.json()).toEqual(user);
        expect(typeof user.createdAt).toBe('string');
        expect(Object.getPrototypeOf(user)).toBe(Object.prototype);
      }
      const posts = (await (await request.get(postsPath)).json()) as ApiUser[];
      expect(posts).toHaveLength(state.resources['posts']?.records ?? -1);
      for (const post of posts) {
        const userId = post['userId'];
        // Posts created at the top level may carry any userId; only a user's id can resolve.
        if (typeof userId !== 'string' || !/^\d+$/.test(userId)) continue;
        // A post is under its user exactly when that user exists.
        const underUser = await request.get(`${userPostsPath(userId)}/${post.id}`);
        const userExists = users.some((user) => user.id === userId);
        expect(underUser.status(), `post ${post.id} of user ${userId}`).toBe(
          userExists ? 200 : 404,
        );
      }
      expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
      const created = await request.post(usersPath, { data: { name: 'after fuzz' } });
      expect(created.status()).toBe(201);
      expect(((await created.json()) as ApiUser).id).toBe(String(Number(state.lastId ?? '0') + 1));
    });
  });
});
