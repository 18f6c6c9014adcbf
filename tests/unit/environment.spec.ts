import { inspect } from 'node:util';

import { expect, test } from '@playwright/test';

import {
  ConfigError,
  isConfigured,
  LOCAL_DEFAULTS,
  REMOTE_DEFAULTS,
  loadEnvironment,
} from '../../lib/config/environment';
import { badSetting } from '../../lib/config/setting-value';
import { DEFAULT_RETRY_POLICY } from '../../lib/http/retry-policy';

const ROOT = 'https://abc123.mockapi.io/api/v1';

/** The ConfigError message `loadEnvironment` throws for `env`. */
function problem(env: NodeJS.ProcessEnv, name: 'qa' | 'staging' | 'production' = 'qa'): string {
  try {
    loadEnvironment(name, env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message;
  }
  throw new Error(`loadEnvironment accepted ${JSON.stringify(env)}`);
}

test.describe('loadEnvironment messages', () => {
  test('a missing base URL names the variable and .env.example', () => {
    expect(problem({})).toBe(
      'Environment "qa" is not configured: QA_BASE_URL is not set. ' +
        'Set it in the shell or copy .env.example to .env and fill it in.',
    );
  });

  test('a blank base URL counts as missing', () => {
    expect(problem({ STAGING_BASE_URL: '   ' }, 'staging')).toContain(
      'STAGING_BASE_URL is not set',
    );
  });

  test("another environment's variables do not configure this one", () => {
    expect(problem({ STAGING_BASE_URL: ROOT })).toContain('QA_BASE_URL is not set');
  });

  test('a malformed URL is echoed, with an example of a good one', () => {
    for (const url of ['not-a-url', 'ftp://abc123.mockapi.io/api/v1', 'abc123.mockapi.io/api/v1']) {
      expect(problem({ QA_BASE_URL: url }), url).toBe(
        `Environment "qa" has a bad setting: QA_BASE_URL is "${url}"; expected an http(s) URL of the API root, e.g. https://<id>.mockapi.io/api/v1. ` +
          'Fix it in the shell or in .env (.env.example documents each setting).',
      );
    }
  });

  test('a bad duration is echoed and said to be milliseconds, with the default as example', () => {
    for (const value of ['10s', '0', '2.5', '-1'])
      expect(problem({ QA_BASE_URL: ROOT, QA_TIMEOUT_MS: value }), value).toContain(
        `QA_TIMEOUT_MS is "${value}"; expected a whole number of milliseconds greater than 0, e.g. 10000.`,
      );
    expect(problem({ QA_BASE_URL: ROOT, QA_RETRY_BUDGET_MS: 'x' })).toContain(
      'QA_RETRY_BUDGET_MS is "x"; expected a whole number of milliseconds greater than 0, e.g. 30000.',
    );
  });

  test('attempts are a count, the rate requests per second, the read lag milliseconds from 0', () => {
    for (const value of ['500', '-1', 'many', '1.5'])
      expect(problem({ QA_BASE_URL: ROOT, QA_RETRY_ATTEMPTS: value }), value).toContain(
        `QA_RETRY_ATTEMPTS is "${value}"; expected a count of attempts from 1 to 100, e.g. 30.`,
      );
    expect(problem({ QA_BASE_URL: ROOT, QA_RATE_LIMIT_RPS: 'fast' })).toContain(
      'QA_RATE_LIMIT_RPS is "fast"; expected requests per second, 0 or more (0 = unpaced), e.g. 8.',
    );
    expect(problem({ QA_BASE_URL: ROOT, QA_READ_LAG_MS: '-5' })).toContain(
      'QA_READ_LAG_MS is "-5"; expected a whole number of milliseconds, 0 or more, e.g. 2000.',
    );
    expect(problem({ QA_BASE_URL: ROOT, QA_ALLOW_WRITES: 'yes' })).toContain(
      'QA_ALLOW_WRITES is "yes"; expected true or false.',
    );
  });

  test('bad poll intervals are echoed with an example', () => {
    for (const value of ['100,,500', 'fast', '100,-5', '0']) {
      expect(problem({ QA_BASE_URL: ROOT, QA_POLL_INTERVALS_MS: value }), value).toContain(
        `QA_POLL_INTERVALS_MS is "${value}"; expected a comma-separated list of positive milliseconds, e.g. 100,250,500`,
      );
    }
  });

  test('a max delay below the base delay is rejected with both values', () => {
    expect(
      problem({ QA_BASE_URL: ROOT, QA_RETRY_BASE_DELAY_MS: '1000', QA_RETRY_MAX_DELAY_MS: '10' }),
    ).toBe(
      'Environment "qa" has a bad setting: QA_RETRY_MAX_DELAY_MS (10) is below QA_RETRY_BASE_DELAY_MS (1000): raise it or lower the base delay. ' +
        'Fix it in the shell or in .env (.env.example documents each setting).',
    );
  });

  test('every bad variable is reported at once, one sentence each, on one line', () => {
    const message = problem({ QA_TIMEOUT_MS: 'x', QA_POLL_INTERVALS_MS: 'y' });
    expect(message).toContain('QA_BASE_URL is not set. ');
    expect(message).toContain('QA_TIMEOUT_MS is "x"; expected');
    expect(message).toContain('QA_POLL_INTERVALS_MS is "y"; expected');
    expect(message).not.toContain('\n');
    expect(problem({ QA_BASE_URL: ROOT, QA_TIMEOUT_MS: 'x', QA_RETRY_ATTEMPTS: '0' })).toMatch(
      /^Environment "qa" has bad settings: /,
    );
  });

  test('a ConfigError prints as its message, without a stack trace or brackets', () => {
    const error = new ConfigError('QA_BASE_URL is not set');
    expect(error.stack).toBe('ConfigError: QA_BASE_URL is not set');
    expect(error.name).toBe('ConfigError');
    // Playwright prints a config's load error with console.error, that is util.inspect.
    expect(inspect(error)).toBe('QA_BASE_URL is not set');
  });

  test('a bad credential is never echoed, only its length', () => {
    expect(badSetting('QA_API_TOKEN', 's3cret-value', 'a token')).toBe(
      'QA_API_TOKEN is a 12-character value (masked); expected a token',
    );
    for (const variable of ['MOCK_TOKEN', 'DB_SECRET', 'ADMIN_PASSWORD', 'MAPS_API_KEY'])
      expect(badSetting(variable, 'hunter2', 'x')).not.toContain('hunter2');
    expect(badSetting('LOCAL_PORT', 'abc', 'a port number 1–65535')).toBe(
      'LOCAL_PORT is "abc"; expected a port number 1–65535',
    );
  });
});

test.describe('loadEnvironment values', () => {
  test('a remote environment gets SaaS defaults', () => {
    expect(loadEnvironment('qa', { QA_BASE_URL: ROOT })).toEqual({
      name: 'qa',
      baseUrl: ROOT,
      tokenVariable: undefined,
      allowWrites: true,
      writesRefused: undefined,
      timeoutMs: 10_000,
      retry: DEFAULT_RETRY_POLICY,
      rateLimitRps: 8,
      consistency: {
        timeoutMs: 15_000,
        intervalsMs: REMOTE_DEFAULTS.pollIntervalsMs,
        readLagMs: 2_000,
      },
    });
  });

  test('local gets tight defaults and takes its URL from the override', () => {
    const local = loadEnvironment('local', {}, { baseUrl: 'http://127.0.0.1:4010/api/v1' });
    expect(local).toMatchObject({
      baseUrl: 'http://127.0.0.1:4010/api/v1',
      timeoutMs: LOCAL_DEFAULTS.timeoutMs,
      retry: {
        attempts: LOCAL_DEFAULTS.retry.attempts,
        baseDelayMs: LOCAL_DEFAULTS.retry.baseDelayMs,
      },
      consistency: { intervalsMs: LOCAL_DEFAULTS.pollIntervalsMs },
    });
  });

  test('tuning variables override the defaults', () => {
    const qa = loadEnvironment('qa', {
      QA_BASE_URL: ROOT,
      QA_API_TOKEN: ' s3cret ',
      QA_TIMEOUT_MS: '2500',
      QA_RETRY_ATTEMPTS: '7',
      QA_RETRY_BASE_DELAY_MS: '50',
      QA_RETRY_MAX_DELAY_MS: '900',
      QA_RETRY_MAX_RETRY_AFTER_MS: '1234',
      QA_RETRY_BUDGET_MS: '9999',
      QA_POLL_TIMEOUT_MS: '3000',
      QA_POLL_INTERVALS_MS: '20, 40,80',
      QA_RATE_LIMIT_RPS: '2.5',
      QA_READ_LAG_MS: '0',
    });
    // The variable's name, never its value: `use` options are printed by reporters.
    expect(JSON.stringify(qa)).not.toContain('s3cret');
    expect(qa).toMatchObject({
      tokenVariable: 'QA_API_TOKEN',
      timeoutMs: 2_500,
      retry: {
        attempts: 7,
        baseDelayMs: 50,
        maxDelayMs: 900,
        maxRetryAfterMs: 1_234,
        budgetMs: 9_999,
      },
      rateLimitRps: 2.5,
      consistency: { timeoutMs: 3_000, intervalsMs: [20, 40, 80], readLagMs: 0 },
    });
  });

  test('a negative rate or read lag is rejected by name', () => {
    expect(problem({ QA_BASE_URL: ROOT, QA_RATE_LIMIT_RPS: '-1' })).toContain(
      'QA_RATE_LIMIT_RPS is "-1"; expected requests per second, 0 or more',
    );
    expect(problem({ QA_BASE_URL: ROOT, QA_READ_LAG_MS: 'soon' })).toContain(
      'QA_READ_LAG_MS is "soon"; expected a whole number of milliseconds, 0 or more',
    );
  });

  test('empty variables count as unset', () => {
    const qa = loadEnvironment('qa', { QA_BASE_URL: ROOT, QA_API_TOKEN: '', QA_TIMEOUT_MS: ' ' });
    expect(qa.tokenVariable).toBeUndefined();
    expect(qa.timeoutMs).toBe(10_000);
  });

  test('trailing slashes and whitespace are trimmed from the base URL', () => {
    expect(loadEnvironment('qa', { QA_BASE_URL: ` ${ROOT}// ` }).baseUrl).toBe(ROOT);
  });

  test('production is read-only unless PRODUCTION_ALLOW_WRITES=true', () => {
    const prod = (extra: NodeJS.ProcessEnv = {}) =>
      loadEnvironment('production', { PRODUCTION_BASE_URL: ROOT, ...extra }).allowWrites;
    expect(prod()).toBe(false);
    expect(prod({ PRODUCTION_ALLOW_WRITES: 'false' })).toBe(false);
    expect(prod({ PRODUCTION_ALLOW_WRITES: 'true' })).toBe(true);
    expect(prod({ PRODUCTION_ALLOW_WRITES: '1' })).toBe(true);
    expect(
      problem({ PRODUCTION_BASE_URL: ROOT, PRODUCTION_ALLOW_WRITES: 'yes' }, 'production'),
    ).toContain('PRODUCTION_ALLOW_WRITES is "yes"; expected true or false');
  });

  test('isConfigured only checks that the base URL is set', () => {
    expect(isConfigured('qa', { QA_BASE_URL: 'anything' })).toBe(true);
    expect(isConfigured('qa', { QA_BASE_URL: ' ' })).toBe(false);
    expect(isConfigured('qa', {})).toBe(false);
  });
});
