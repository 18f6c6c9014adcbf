import { expect, test } from '@playwright/test';

import {
  type AttemptOutcome,
  backoffDelay,
  classifyRequestError,
  decideRetry,
  DEFAULT_RETRY_POLICY,
  describeOutcome,
  isAmbiguous,
  isRetryable,
  type RetryPolicy,
} from '../../lib/http/retry-policy';

const policy: RetryPolicy = {
  ...DEFAULT_RETRY_POLICY,
  attempts: 4,
  baseDelayMs: 100,
  maxDelayMs: 1_000,
  maxRetryAfterMs: 10_000,
  budgetMs: 30_000,
  jitter: false,
};
const status = (code: number, retryAfter?: string): AttemptOutcome => ({
  kind: 'response',
  status: code,
  retryAfter,
});
const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);

test.describe('which outcomes are retried', () => {
  test('the transient 5xx, 429, 425 and 408 are retried', () => {
    for (const code of [500, 502, 503, 504, 522, 429, 425, 408]) {
      const decision = decideRetry(status(code), 1, 0, policy);
      expect(decision, `status ${code}`).toMatchObject({ retry: true, reason: `status ${code}` });
    }
  });

  test('other 4xx and successes are never retried', () => {
    for (const code of [200, 201, 400, 401, 403, 404, 409, 422]) {
      expect(decideRetry(status(code), 1, 0, policy), `status ${code}`).toEqual({
        retry: false,
        reason: `status ${code}`,
      });
    }
  });

  test('timeouts and connection errors are retried', () => {
    const outcomes: AttemptOutcome[] = [
      { kind: 'timeout' },
      { kind: 'network', code: 'ECONNREFUSED' },
      { kind: 'network', code: 'ECONNRESET' },
    ];
    for (const outcome of outcomes) {
      expect(decideRetry(outcome, 1, 0, policy).retry, describeOutcome(outcome)).toBe(true);
    }
  });

  test('a fatal error is never retried', () => {
    const fatal: AttemptOutcome = { kind: 'fatal', message: 'host not found' };
    expect(isRetryable(fatal, policy)).toBe(false);
    expect(decideRetry(fatal, 1, 0, policy)).toEqual({ retry: false, reason: 'host not found' });
  });

  test('the policy decides which statuses count', () => {
    const only503: RetryPolicy = { ...policy, statusCodes: [503] };
    expect(decideRetry(status(503), 1, 0, only503).retry).toBe(true);
    expect(decideRetry(status(500), 1, 0, only503).retry).toBe(false);
  });

  test('the defaults retry the transient statuses and none of the client errors', () => {
    for (const code of [408, 425, 429, 500, 502, 503, 504, 522])
      expect(isRetryable(status(code), DEFAULT_RETRY_POLICY), String(code)).toBe(true);
    for (const code of [400, 401, 403, 404, 409, 422, 501])
      expect(isRetryable(status(code), DEFAULT_RETRY_POLICY), String(code)).toBe(false);
  });
});

test.describe('limits', () => {
  test('the last allowed attempt is not retried, and the reason says why', () => {
    expect(decideRetry(status(503), 3, 0, policy).retry).toBe(true);
    expect(decideRetry(status(503), 4, 0, policy)).toEqual({
      retry: false,
      reason: 'status 503; 4 attempts used',
    });
  });

  test('a wait that would overrun the time budget gives up', () => {
    // Attempt 2 waits 200 ms: it fits with 29,800 ms spent, not with 29,801.
    expect(decideRetry(status(503), 2, 29_800, policy)).toMatchObject({
      retry: true,
      delayMs: 200,
    });
    expect(decideRetry(status(503), 2, 29_801, policy)).toEqual({
      retry: false,
      reason: 'status 503; retry budget of 30000 ms spent',
    });
  });
});

test.describe('backoff schedule', () => {
  test('without jitter it doubles from the base delay up to the cap', () => {
    const schedule = [1, 2, 3, 4, 5, 6, 10].map((attempt) => backoffDelay(attempt, policy));
    expect(schedule).toEqual([100, 200, 400, 800, 1_000, 1_000, 1_000]);
  });

  test('full jitter picks uniformly between 0 and the capped exponential', () => {
    const jittered: RetryPolicy = { ...policy, jitter: true };
    expect(backoffDelay(3, jittered, () => 0)).toBe(0);
    expect(backoffDelay(3, jittered, () => 0.5)).toBe(200);
    expect(backoffDelay(3, jittered, () => 0.999_999)).toBe(400);
    expect(backoffDelay(9, jittered, () => 0.999_999)).toBe(1_000);
  });

  test('full jitter stays within its bounds over many draws', () => {
    const jittered: RetryPolicy = { ...policy, jitter: true };
    let seed = 1;
    // A small LCG: reproducible draws spread over [0, 1).
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let attempt = 1; attempt <= 8; attempt += 1) {
      const ceiling = Math.min(1_000, 100 * 2 ** (attempt - 1));
      const draws = Array.from({ length: 500 }, () => backoffDelay(attempt, jittered, random));
      expect(Math.min(...draws)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...draws)).toBeLessThanOrEqual(ceiling);
      // Not a constant: the draws use the range.
      expect(Math.max(...draws) - Math.min(...draws)).toBeGreaterThan(ceiling / 2);
    }
  });

  test('decideRetry passes its random source to the backoff', () => {
    const jittered: RetryPolicy = { ...policy, jitter: true };
    expect(decideRetry(status(503), 2, 0, jittered, { random: () => 0.25 })).toMatchObject({
      retry: true,
      delayMs: 50,
    });
  });
});

test.describe('Retry-After', () => {
  test('is honoured only on the statuses the policy names', () => {
    const on500: RetryPolicy = { ...policy, afterStatusCodes: [429] };
    expect(decideRetry(status(500, '5'), 1, 0, on500)).toMatchObject({ retry: true, delayMs: 100 });
    expect(decideRetry(status(429, '5'), 1, 0, on500)).toMatchObject({
      retry: true,
      delayMs: 5_000,
    });
  });

  test('a longer Retry-After than the backoff is honoured', () => {
    expect(decideRetry(status(503, '3'), 1, 0, policy)).toMatchObject({
      retry: true,
      delayMs: 3_000,
    });
    expect(decideRetry(status(429, '2'), 1, 0, policy)).toMatchObject({
      retry: true,
      delayMs: 2_000,
    });
  });

  test('a shorter Retry-After than the backoff keeps the backoff', () => {
    expect(decideRetry(status(503, '0'), 3, 0, policy)).toMatchObject({
      retry: true,
      delayMs: 400,
    });
  });

  test('an HTTP date is measured from the injected clock', () => {
    const in4s = new Date(NOW + 4_000).toUTCString();
    expect(decideRetry(status(503, in4s), 1, 0, policy, { now: NOW })).toMatchObject({
      retry: true,
      delayMs: 4_000,
    });
  });

  test('a Retry-After beyond the cap gives up and says so', () => {
    expect(decideRetry(status(503, '11'), 1, 0, policy)).toEqual({
      retry: false,
      reason: 'status 503; Retry-After 11000 ms exceeds the 10000 ms cap',
    });
    expect(decideRetry(status(503, '10'), 1, 0, policy).retry).toBe(true);
  });

  test('a Retry-After that overruns the budget gives up', () => {
    expect(decideRetry(status(429, '5'), 1, 26_000, policy)).toEqual({
      retry: false,
      reason: 'status 429; retry budget of 30000 ms spent',
    });
  });

  test('an unusable Retry-After falls back to the backoff', () => {
    expect(decideRetry(status(503, 'later'), 2, 0, policy)).toMatchObject({
      retry: true,
      delayMs: 200,
    });
  });
});

test.describe('isAmbiguous', () => {
  test('outcomes after which the server may have acted are ambiguous', () => {
    expect(isAmbiguous({ kind: 'timeout' })).toBe(true);
    expect(isAmbiguous(status(500))).toBe(true);
    expect(isAmbiguous(status(503))).toBe(true);
    expect(isAmbiguous({ kind: 'network', code: 'ECONNRESET' })).toBe(true);
  });

  test('outcomes that prove the request was not acted on are not', () => {
    expect(isAmbiguous({ kind: 'network', code: 'ECONNREFUSED' })).toBe(false);
    expect(isAmbiguous(status(429))).toBe(false);
    expect(isAmbiguous(status(404))).toBe(false);
    expect(isAmbiguous(status(201))).toBe(false);
    expect(isAmbiguous({ kind: 'fatal', message: 'boom' })).toBe(false);
  });
});

test.describe('classifyRequestError', () => {
  // Playwright appends a dimmed call log to every fetch error, as captured from 1.65.
  const callLog = (url: string) =>
    `\nCall log:\n\u001b[2m  - → GET ${url}\u001b[22m\n\u001b[2m    - accept: */*\u001b[22m\n`;
  const classify = (message: string) =>
    classifyRequestError(new Error(`${message}${callLog('http://127.0.0.1:9/api/v1/users')}`));

  test('Playwright timeouts are timeouts', () => {
    expect(classify('apiRequestContext.fetch: Timeout 500ms exceeded.')).toEqual({
      kind: 'timeout',
    });
    expect(classify('apiRequestContext.fetch: connect ETIMEDOUT 10.0.0.1:443')).toEqual({
      kind: 'timeout',
    });
  });

  test('refused and reset connections are network errors with their code', () => {
    expect(classify('apiRequestContext.fetch: connect ECONNREFUSED 127.0.0.1:9')).toEqual({
      kind: 'network',
      code: 'ECONNREFUSED',
    });
    expect(classify('apiRequestContext.fetch: read ECONNRESET')).toEqual({
      kind: 'network',
      code: 'ECONNRESET',
    });
  });

  test('a socket hang-up is a reset', () => {
    expect(classify('apiRequestContext.fetch: socket hang up')).toEqual({
      kind: 'network',
      code: 'ECONNRESET',
    });
    expect(classify('apiRequestContext.fetch: socket hang up (ECONNRESET)')).toEqual({
      kind: 'network',
      code: 'ECONNRESET',
    });
  });

  test('an unknown host is fatal and points at the base URL', () => {
    const outcome = classify('apiRequestContext.fetch: getaddrinfo ENOTFOUND nope.invalid');
    expect(outcome).toEqual({
      kind: 'fatal',
      message: 'host not found (ENOTFOUND): check the base URL',
    });
    expect(decideRetry(outcome, 1, 0, policy).retry).toBe(false);
  });

  test('anything else is fatal, described by its first line', () => {
    expect(classify('apiRequestContext.fetch: Request context disposed.')).toEqual({
      kind: 'fatal',
      message: 'apiRequestContext.fetch: Request context disposed.',
    });
    expect(classifyRequestError('not an Error')).toEqual({
      kind: 'fatal',
      message: 'not an Error',
    });
  });
});

test('describeOutcome names each kind of outcome', () => {
  expect(describeOutcome(status(503))).toBe('status 503');
  expect(describeOutcome({ kind: 'timeout' })).toBe('timed out');
  expect(describeOutcome({ kind: 'network', code: 'ECONNRESET' })).toBe('network error ECONNRESET');
  expect(describeOutcome({ kind: 'fatal', message: 'boom' })).toBe('boom');
});
