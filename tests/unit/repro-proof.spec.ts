import { expect, test } from '@playwright/test';

import type { ReproDocument } from '../../lib/repro/repro-bundle';
import { judgeAnswer } from '../../lib/repro/replay';
import { type CurlAnswer, curlAnswers } from '../../scripts/support/curl-answers';
import { curlShowsDefect } from '../../scripts/support/repro-proof';

const JSON_TYPE = 'application/json; charset=utf-8';

test('curl -i output splits into one answer per call, interim 100 Continue left out', () => {
  const output = [
    'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\ncontent-type: application/json; charset=utf-8\r\n\r\n{"id":"1","name":"a\\nb"}',
    'HTTP/1.1 404 Not Found\r\ncontent-type: text/plain\r\ncontent-length: 9\r\n\r\nNot found',
    'HTTP/1.1 204 No Content\r\n\r\n',
    '',
  ].join('\n');
  expect(curlAnswers(output)).toEqual([
    { status: 201, contentType: JSON_TYPE, body: '{"id":"1","name":"a\\nb"}' },
    { status: 404, contentType: 'text/plain', body: 'Not found' },
    { status: 204, contentType: undefined, body: '' },
  ]);
});

/** A create, then a read the check wanted to answer 404 (a deleted user): what a repro holds. */
const repro: ReproDocument = {
  version: 1,
  title: 't',
  baseUrl: 'http://127.0.0.1:9/api/v1',
  calls: [
    {
      method: 'POST',
      path: 'users',
      headers: {},
      body: '{"name":"Ann"}',
      recorded: { status: 201, body: '{"id":"7","name":"Ann"}' },
    },
    {
      method: 'GET',
      path: 'users/7',
      headers: {},
      recorded: { status: 200, body: '{"id":"7","name":"Ann"}' },
      refused: { statuses: [404], reason: 'status' },
    },
  ],
};
const created: CurlAnswer = {
  status: 201,
  contentType: JSON_TYPE,
  body: '{"id":"1","name":"Ann"}',
};
const stillThere: CurlAnswer = {
  status: 200,
  contentType: JSON_TYPE,
  body: '{"id":"1","name":"Ann"}',
};
const gone: CurlAnswer = { status: 404, contentType: JSON_TYPE, body: '"Not found"' };

test('curl shows a defect where the refused call answers as the test saw it, and a faithful server otherwise', () => {
  expect(curlShowsDefect(repro, [created, stillThere], [created, gone])).toEqual({
    shown: true,
    detail: 'curl call 2 (GET /users/7) answers 200, the faithful server 404',
  });
});

test('curl shows no defect when the faithful server answers alike, or the defect answers otherwise', () => {
  expect(curlShowsDefect(repro, [created, stillThere], [created, stillThere]).shown).toBe(false);
  expect(curlShowsDefect(repro, [created, gone], [created, gone]).shown).toBe(false);
  // Another record than the test saw is not the test's failure, whatever the faithful server says.
  const other = { ...stillThere, body: '{"id":"1","name":"Bob"}' };
  expect(curlShowsDefect(repro, [created, other], [created, gone]).shown).toBe(false);
  expect(curlShowsDefect(repro, [created], [created, gone])).toEqual({
    shown: false,
    detail: 'curl printed 1 answers for 2 calls (defective)',
  });
});

test('a wrong content type alone is a defect curl shows', () => {
  const html = { ...stillThere, contentType: 'text/html; charset=utf-8' };
  const refusedBody: ReproDocument = {
    ...repro,
    calls: [
      repro.calls[0] as ReproDocument['calls'][number],
      {
        ...(repro.calls[1] as ReproDocument['calls'][number]),
        refused: { statuses: [200], reason: 'body' },
      },
    ],
  };
  expect(curlShowsDefect(refusedBody, [created, html], [created, stillThere])).toMatchObject({
    shown: true,
    detail: expect.stringContaining(
      'text/html; charset=utf-8, the faithful server application/json',
    ),
  });
});

test('replay judges a body refusal fixed once the same body comes under a JSON content type', () => {
  const call = {
    method: 'POST' as const,
    path: 'users',
    headers: {},
    recorded: { status: 201, body: '{"id":"7","name":"Ann"}', contentType: 'text/html' },
    refused: { statuses: [201], reason: 'body' as const },
  };
  const options = { last: true, anyRefused: true };
  const body = '{"id":"9","name":"Ann"}';
  expect(judgeAnswer(call, { status: 201, body, contentType: 'text/html' }, options).verdict).toBe(
    'failing',
  );
  expect(
    judgeAnswer(call, { status: 201, body, contentType: 'application/json' }, options).verdict,
  ).toBe('fixed');
  expect(judgeAnswer(call, { status: 201, body, contractError: 'not JSON' }, options).verdict).toBe(
    'failing',
  );
});
