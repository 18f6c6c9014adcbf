import { execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';

import { expect, test } from '@playwright/test';

import type { CallRecord } from '../../lib/http/api-observer';
import { harOf } from '../../lib/repro/har';
import { comparable, IdOrdinals } from '../../lib/repro/replay';
import { overlappingRuns, reproMarkdown, writeReproBundle } from '../../lib/repro/repro-bundle';

const TOKEN = 'repro-spec-token-3f9a';
const TRICKY = 'O\'Brien "quoted"\nline two, ünïcødé é (NFD: é), $HOME `date` \\ %s';

const call = (fields: Partial<CallRecord>): CallRecord => ({
  method: 'GET',
  path: 'users',
  route: 'users',
  status: 200,
  startedAt: Date.UTC(2026, 11, 4),
  durationMs: 12,
  attempts: 1,
  retries: [],
  reconciled: false,
  request: { url: 'http://127.0.0.1:9/api/v1/users', headers: {}, body: undefined },
  response: { headers: { 'content-type': 'application/json' }, body: '[]' },
  error: undefined,
  ...fields,
});

/** A create (assigned id 7 when recorded) and a read of it: what a failed CRUD test leaves. */
const recorded: CallRecord[] = [
  call({
    method: 'POST',
    status: 201,
    request: {
      url: 'http://127.0.0.1:9/api/v1/users',
      headers: { 'content-type': 'application/json', 'idempotency-key': 'k-1' },
      body: JSON.stringify({ name: TRICKY }),
    },
    response: { headers: {}, body: JSON.stringify({ id: '7', name: TRICKY }) },
    attempts: 2,
    retries: [
      {
        call: 'POST /users',
        attempt: 1,
        outcome: { kind: 'response', status: 503 },
        reason: '503',
        delayMs: 5,
      },
    ],
  }),
  call({
    path: 'users/7?probe=a%20b',
    route: 'users/:id',
    request: { url: 'http://127.0.0.1:9/api/v1/users/7?probe=a%20b', headers: {}, body: undefined },
  }),
];

interface Seen {
  method: string;
  url: string;
  authorization: string | undefined;
  contentType: string | undefined;
  body: string;
}

/** A server that creates user 42 and answers reads, keeping what it received. */
async function recordingServer(): Promise<{ root: string; seen: Seen[]; close: () => void }> {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      seen.push({
        method: req.method ?? '',
        url: req.url ?? '',
        authorization: req.headers.authorization,
        contentType: req.headers['content-type'],
        body,
      });
      res.setHeader('content-type', 'application/json');
      res.statusCode = req.method === 'POST' ? 201 : 200;
      res.end(JSON.stringify({ id: '42', createdAt: 'x' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    root: `http://127.0.0.1:${port}/api/v1`,
    seen,
    close: () => server.close(),
  };
}

test('requests.sh re-sends every call as sent, in bash, ids and token taken from the run', async ({}, testInfo) => {
  const dir = testInfo.outputPath('repro');
  const files = writeReproBundle(dir, {
    title: 'users › a tricky name round-trips',
    errors: ['Error: expected "x"'],
    calls: recorded,
    baseUrl: 'http://127.0.0.1:9/api/v1',
    tokenVariable: 'QA_API_TOKEN',
  });
  const server = await recordingServer();
  try {
    const { stdout, stderr } = await promisify(execFile)('bash', [files.script], {
      env: { PATH: process.env.PATH, API_ROOT: server.root, QA_API_TOKEN: TOKEN },
    });
    expect(server.seen).toEqual([
      {
        method: 'POST',
        url: '/api/v1/users',
        authorization: `Bearer ${TOKEN}`,
        contentType: 'application/json',
        body: JSON.stringify({ name: TRICKY }),
      },
      // The id this server gave (42) replaces the recorded one (7); the query stays encoded.
      {
        method: 'GET',
        url: '/api/v1/users/42?probe=a%20b',
        authorization: `Bearer ${TOKEN}`,
        contentType: undefined,
        body: '',
      },
    ]);
    expect(stdout, 'each answer is shown with its status line').toContain('HTTP/1.1 200 OK');
    // A Node child process's stdout and stderr are sockets, which /dev/stderr cannot open.
    expect(stderr, 'nothing goes wrong on the way').toBe('');
    expect(stdout.match(/^HTTP\/1\.1 \d{3}/gm), 'the create is shown too').toHaveLength(2);
  } finally {
    server.close();
  }
  for (const file of Object.values(files))
    expect(fs.readFileSync(file, 'utf8'), `${file} names the variable only`).not.toContain(TOKEN);
  expect(fs.readFileSync(files.script, 'utf8')).toContain('Bearer ${QA_API_TOKEN}');
});

test('requests.sh stops at once, naming the variable, when the token is not set', async ({}, testInfo) => {
  const files = writeReproBundle(testInfo.outputPath('repro'), {
    title: 't',
    errors: [],
    calls: recorded,
    baseUrl: 'http://127.0.0.1:9/api/v1',
    tokenVariable: 'QA_API_TOKEN',
  });
  const run = promisify(execFile)('bash', [files.script], { env: { PATH: process.env.PATH } });
  await expect(run).rejects.toMatchObject({
    stderr: expect.stringContaining('set QA_API_TOKEN to the API token'),
  });
});

test('the HAR is 1.2, one entry per send, retried attempts first, the token as its variable', () => {
  const har = harOf(recorded, {
    tokenVariable: 'QA_API_TOKEN',
    creator: { name: 'test', version: '1' },
  }) as {
    log: {
      version: string;
      entries: {
        request: { method: string; headers: { name: string; value: string }[] };
        response: { status: number; content: { text: string } };
        comment?: string;
      }[];
    };
  };
  expect(har.log.version).toBe('1.2');
  expect(har.log.entries.map((e) => `${e.request.method} ${e.response.status}`)).toEqual([
    'POST 503',
    'POST 201',
    'GET 200',
  ]);
  expect(har.log.entries[0]?.comment).toContain('attempt 1');
  expect(har.log.entries[1]?.request.headers).toContainEqual({
    name: 'authorization',
    value: 'Bearer ${QA_API_TOKEN}',
  });
  expect(JSON.parse(har.log.entries[1]?.response.content.text ?? '')).toEqual({
    id: '7',
    name: TRICKY,
  });
});

test('answers compare without the values the server assigns, but with their types', () => {
  const created = (id: unknown, extra: Record<string, unknown> = {}) =>
    JSON.stringify({ id, name: 'Ada', createdAt: '2026-12-07T10:00:00.000Z', ...extra });
  // Another run, another id and time: the same answer.
  expect(comparable(created('7'))).toBe(
    comparable(JSON.stringify({ name: 'Ada', createdAt: '2027-01-01T00:00:00.000Z', id: '12' })),
  );
  // An id that became a number, a createdAt gone, or a field changed: another answer.
  expect(comparable(created(7))).not.toBe(comparable(created('7')));
  expect(comparable(JSON.stringify({ id: '7', name: 'Ada' }))).not.toBe(comparable(created('7')));
  expect(comparable(created('7', { name: 'ADA' }))).not.toBe(comparable(created('7')));
  // Lists too, and a body that is not JSON as it is.
  expect(comparable(`[${created('1')}]`)).toBe(comparable(`[${created('2')}]`));
  expect(comparable('<html>')).toBe('<html>');
});

test('ids compare by which records come back again, per collection, not by value', () => {
  /** The shapes of one run's answers, ids numbered in the order that run gave them. */
  const run = (answers: [path: string, body: unknown][]) => {
    const ordinals = new IdOrdinals();
    return answers.map(([path, body]) => comparable(JSON.stringify(body), { ordinals, path }));
  };
  const user = (id: string) => ({ id, name: 'Ada' });
  // Create, delete, create: a faithful server gives the second record a new id, whatever its value.
  const faithful = run([
    ['users', user('1')],
    ['users/1', user('1')],
    ['users', user('2')],
  ]);
  expect(
    run([
      ['users', user('8')],
      ['users/8', user('8')],
      ['users', user('9')],
    ]),
  ).toEqual(faithful);
  // A server that hands the deleted id out again answers otherwise on the last call only.
  const reused = run([
    ['users', user('8')],
    ['users/8', user('8')],
    ['users', user('8')],
  ]);
  expect(reused.slice(0, 2)).toEqual(faithful.slice(0, 2));
  expect(reused[2]).not.toBe(faithful[2]);
  // A post and a user with the same id value are different records: posts count on their own.
  expect(
    run([
      ['users', user('1')],
      ['users/1/posts', { id: '1', userId: '1', title: 'x' }],
    ]),
  ).toEqual(
    run([
      ['users', user('5')],
      ['users/5/posts', { id: '1', userId: '5', title: 'x' }],
    ]),
  );
});

test('repro.md names the calls that were in flight together, which requests.sh sends in turn', () => {
  const at = (startedAt: number, durationMs: number) => call({ startedAt, durationMs });
  // Three creates sent at once, a read after them, then two reads that overlap each other.
  const calls = [at(0, 30), at(1, 40), at(2, 10), at(50, 5), at(60, 20), at(70, 5), at(100, 1)];
  expect(overlappingRuns(calls)).toEqual([
    [1, 3],
    [5, 6],
  ]);
  expect(overlappingRuns(calls.slice(3, 4))).toEqual([]);
  expect(overlappingRuns([])).toEqual([]);
  const markdown = (c: CallRecord[]) =>
    reproMarkdown({ title: 't', errors: [], calls: c, baseUrl: 'http://x', tokenVariable: 'T' });
  expect(markdown(calls)).toContain('Calls 1–3 were in flight together');
  expect(markdown(calls)).toContain('Calls 5–6 were in flight together');
  expect(markdown([at(0, 5), at(10, 5)])).not.toContain('in flight together');
});
