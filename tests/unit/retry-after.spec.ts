import { expect, test } from '@playwright/test';

import { parseRetryAfter } from '../../lib/http/retry-after';

// A whole second, so HTTP dates (second precision) land exactly.
const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
const httpDate = (ms: number) => new Date(ms).toUTCString();

test.describe('parseRetryAfter', () => {
  test('delay-seconds become milliseconds', () => {
    expect(parseRetryAfter('120', NOW)).toBe(120_000);
    expect(parseRetryAfter('0', NOW)).toBe(0);
    expect(parseRetryAfter(' 5 ', NOW)).toBe(5_000);
  });

  test('a future HTTP date is the time left until then', () => {
    expect(parseRetryAfter(httpDate(NOW + 7_000), NOW)).toBe(7_000);
  });

  test('a past HTTP date means no wait', () => {
    expect(parseRetryAfter(httpDate(NOW - 60_000), NOW)).toBe(0);
  });

  test('the obsolete HTTP date forms are accepted too', () => {
    const at = Date.UTC(1994, 10, 6, 8, 49, 37);
    expect(parseRetryAfter('Sunday, 06-Nov-94 08:49:37 GMT', at - 3_000)).toBe(3_000);
    expect(parseRetryAfter('Sun, 06 Nov 1994 08:49:37 GMT', at - 3_000)).toBe(3_000);
  });

  test('garbage, negative and fractional values are unusable', () => {
    for (const value of ['soon', '-5', '1.5', '5s', '2026-01-15T12:00:10Z', 'Sun, banana']) {
      expect(parseRetryAfter(value, NOW), value).toBeUndefined();
    }
  });

  test('an empty or missing header is unusable', () => {
    expect(parseRetryAfter('', NOW)).toBeUndefined();
    expect(parseRetryAfter('   ', NOW)).toBeUndefined();
    expect(parseRetryAfter(undefined, NOW)).toBeUndefined();
  });
});
