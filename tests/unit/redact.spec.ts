import { expect, test } from '@playwright/test';

import { redactHeaders, redactSecrets } from '../../lib/logging/redact';

const TOKEN = 'tok-4f9a1c-very-secret';

test.describe('redactSecrets', () => {
  test('masks every occurrence of every secret', () => {
    expect(redactSecrets(`a ${TOKEN} b ${TOKEN} c other-secret`, [TOKEN, 'other-secret'])).toBe(
      'a *** b *** c ***',
    );
  });

  test('ignores secrets shorter than four characters, which would mask ordinary text', () => {
    expect(redactSecrets('abc and a', ['abc', 'a', ''])).toBe('abc and a');
  });

  test('leaves text without secrets unchanged', () => {
    expect(redactSecrets('nothing here', [TOKEN])).toBe('nothing here');
  });

  test('masks a secret that contains another whole, whatever their order', () => {
    expect(redactSecrets(`x ${TOKEN} y`, ['very', TOKEN])).toBe('x *** y');
  });
});

test.describe('redactHeaders', () => {
  test('masks credential headers whatever their case, keeping the scheme', () => {
    expect(
      redactHeaders(
        {
          Authorization: `Bearer ${TOKEN}`,
          'proxy-authorization': 'Basic dXNlcjpwYXNz',
          cookie: 'session=abc',
          'X-API-Key': 'k-123456',
        },
        [],
      ),
    ).toEqual({
      Authorization: 'Bearer ***',
      'proxy-authorization': 'Basic ***',
      cookie: '***',
      'X-API-Key': '***',
    });
  });

  test('scrubs known secrets from other headers and keeps the rest', () => {
    expect(
      redactHeaders({ 'x-echo': `token=${TOKEN}`, 'content-type': 'application/json' }, [TOKEN]),
    ).toEqual({ 'x-echo': 'token=***', 'content-type': 'application/json' });
  });

  test('does not modify its input', () => {
    const headers = { authorization: `Bearer ${TOKEN}` };
    redactHeaders(headers, [TOKEN]);
    expect(headers.authorization).toBe(`Bearer ${TOKEN}`);
  });
});
