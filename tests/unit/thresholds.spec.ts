import { expect, test } from '@playwright/test';

import { ConfigError, loadEnvironment } from '../../lib/config/environment';
import {
  normalizeEndpoint,
  parseThresholds,
  type Threshold,
} from '../../lib/config/threshold-grammar';
import type { ObservedCall } from '../../lib/reporting/api-health';
import {
  formatThresholdTable,
  judgeThresholds,
  measureCalls,
} from '../../lib/reporting/threshold-verdicts';

const VARIABLE = 'QA_THRESHOLDS';

/** The thresholds of a value that must parse. */
function parsed(raw: string): Threshold[] {
  const result = parseThresholds(raw, VARIABLE);
  expect(result.problems, `"${raw}" parses`).toEqual([]);
  return result.thresholds;
}

/** The one problem of a bad clause. */
function problem(raw: string): string {
  const { problems } = parseThresholds(raw, VARIABLE);
  expect(problems, `"${raw}" has one problem`).toHaveLength(1);
  return problems[0] ?? '';
}

/** A call as the `api-calls.json` attachment records it, made by test `test`. */
const observed = (
  method: string,
  route: string,
  durationMs: number,
  /** The final status; `none` when no response came. */
  status: number | 'none' = 200,
  attempts = 1,
  test = 'a test',
): ObservedCall => ({
  test,
  call: {
    method,
    path: route.replaceAll(':id', '7'),
    route,
    status: status === 'none' ? undefined : status,
    durationMs,
    attempts,
    retries: [],
  },
});

test.describe('threshold grammar', () => {
  test('clauses separated by ; parse into target, metric, comparison and limit', () => {
    expect(
      parsed('GET /users/:id p95<800; * errors<1%;  * retries <= 5% ; POST /users count>=2;'),
    ).toEqual([
      {
        clause: 'GET /users/:id p95<800',
        target: 'GET /users/:id',
        metric: 'p95',
        op: '<',
        limit: 800,
      },
      { clause: '* errors<1%', target: '*', metric: 'errors', op: '<', limit: 1 },
      { clause: '* retries <= 5%', target: '*', metric: 'retries', op: '<=', limit: 5 },
      {
        clause: 'POST /users count>=2',
        target: 'POST /users',
        metric: 'requests',
        op: '>=',
        limit: 2,
      },
    ]);
  });

  test('latency takes ms or s, and every latency metric is known', () => {
    expect(
      parsed('* p50<100ms; * p90<1.5s; * p99<=2s; * max<3000; * avg>.5').map((t) => t.limit),
    ).toEqual([100, 1500, 2000, 3000, 0.5]);
  });

  test('coverage takes operations, statuses and parameters as floors in percent', () => {
    expect(
      parsed('coverage operations>=80%; Coverage statuses>50%; coverage parameters>=0%'),
    ).toEqual([
      expect.objectContaining({ target: 'coverage', metric: 'operations', op: '>=', limit: 80 }),
      expect.objectContaining({ target: 'coverage', metric: 'statuses', op: '>', limit: 50 }),
      expect.objectContaining({ target: 'coverage', metric: 'parameters', op: '>=', limit: 0 }),
    ]);
  });

  test('an unset or empty variable sets no thresholds', () => {
    expect(parseThresholds(undefined, VARIABLE)).toEqual({ thresholds: [], problems: [] });
    expect(parseThresholds(' ; ', VARIABLE)).toEqual({ thresholds: [], problems: [] });
  });

  test('each kind of bad clause names the variable, the clause and the fix', () => {
    expect(problem('GET /users/:id p95<eight')).toBe(
      'QA_THRESHOLDS: "GET /users/:id p95<eight": the value must be a number of ms, e.g. p95<800 (or p95<1.5s)',
    );
    expect(problem('* p95<80%')).toContain('the value must be a number of ms');
    expect(problem('* errors<1')).toBe(
      'QA_THRESHOLDS: "* errors<1": the value must be a percentage written with %, e.g. errors<1%',
    );
    expect(problem('* retries<150%')).toContain('a percentage cannot be above 100%');
    expect(problem('* requests>=2.5')).toContain('a whole number of calls');
    expect(problem('* p96<800')).toContain(
      'unknown metric "p96": use p50, p90, p95, p99, max, avg',
    );
    expect(problem('* p95=800')).toContain('"=" is not a comparison: use <, <=, > or >=');
    expect(problem('p95<800')).toContain('the target is missing');
    expect(problem('FETCH /users p95<800')).toContain('"FETCH /users" is not a target');
    expect(problem('GET users p95<800')).toContain('"GET users" is not a target');
    expect(problem('GET /users/:id p95')).toContain('expected <target> <metric><op><value>');
    expect(problem('coverage p95<800')).toContain(
      'coverage takes operations, statuses, parameters',
    );
    expect(problem('coverage operations<80%')).toContain('coverage is a floor: use >= or >');
    expect(problem('* operations>=80%')).toContain('write it as coverage operations>=80%');
  });

  test('every bad clause is reported, the good ones still parse', () => {
    const { thresholds, problems } = parseThresholds('* p95<800; * p95<x; * errors<y', VARIABLE);
    expect(thresholds.map((t) => t.clause)).toEqual(['* p95<800']);
    expect(problems.map((p) => p.split(': ')[1])).toEqual(['"* p95<x"', '"* errors<y"']);
  });

  test('a malformed <ENV>_THRESHOLDS stops the configuration with the variable and the clause', () => {
    const load = () =>
      loadEnvironment('qa', {
        QA_BASE_URL: 'https://abc123.mockapi.io/api/v1',
        QA_THRESHOLDS: 'GET /users/:id p95<eight',
      });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(
      'QA_THRESHOLDS: "GET /users/:id p95<eight": the value must be a number of ms',
    );
    expect(
      loadEnvironment('qa', {
        QA_BASE_URL: 'https://abc123.mockapi.io/api/v1',
        QA_THRESHOLDS: '* p95<800',
      }).thresholds,
    ).toEqual([{ clause: '* p95<800', target: '*', metric: 'p95', op: '<', limit: 800 }]);
  });
});

test.describe('endpoint forms', () => {
  test('an endpoint matches however its method, ids and trailing slash are written', () => {
    for (const form of [
      'GET /users/:id',
      'get /users/{id}',
      'Get /users/{userId}/',
      'GET /users/7',
    ])
      expect(normalizeEndpoint(form), form).toBe('GET /users/:id');
    expect(normalizeEndpoint('GET /users/{userId}/posts/{postId}')).toBe(
      'GET /users/:id/posts/:id',
    );
    expect(normalizeEndpoint('post /users/:id/posts/')).toBe('POST /users/:id/posts');
    expect(normalizeEndpoint('GET users')).toBeUndefined();
  });

  test('a threshold written as /users/{id} judges the calls of GET /users/:id', () => {
    const [result] = judgeThresholds(parsed('get /users/{id}/ max<50'), {
      calls: [observed('GET', 'users/:id', 70), observed('GET', 'users', 900)],
    });
    expect(result).toMatchObject({ observed: 70, passed: false, margin: 20 });
  });
});

test.describe('judging thresholds', () => {
  const calls = [
    ...[10, 20, 30, 40, 50, 60, 70, 80, 90, 100].map((ms) => observed('GET', 'users/:id', ms)),
    observed('POST', 'users', 400, 201, 3, 'creates a user'),
    observed('POST', 'users', 900, 'none', 5, 'creates a user while the API is down'),
  ];

  test('latency is measured per endpoint and over every call, nearest rank', () => {
    expect(measureCalls(calls.slice(0, 10).map((o) => o.call))).toMatchObject({
      p50: 50,
      p90: 90,
      p95: 100,
      p99: 100,
      max: 100,
      avg: 55,
      requests: 10,
    });
    expect(measureCalls([])).toBeUndefined();
  });

  test('a threshold within its limit passes with its headroom', () => {
    expect(judgeThresholds(parsed('GET /users/:id p95<800'), { calls })).toEqual([
      expect.objectContaining({
        observed: 100,
        limit: 800,
        passed: true,
        margin: -700,
        culprits: [],
      }),
    ]);
  });

  test('a breach says by how much and which calls of which tests caused it', () => {
    const [result] = judgeThresholds(parsed('* p95<300'), { calls });
    expect(result).toMatchObject({ observed: 900, passed: false, margin: 600, unit: 'ms' });
    expect(result?.culprits.map((c) => [c.durationMs, c.test])).toEqual([
      [900, 'creates a user while the API is down'],
      [400, 'creates a user'],
    ]);
  });

  test('strict comparisons breach at the limit, inclusive ones do not', () => {
    const results = judgeThresholds(
      parsed('* max<900; * max<=900; * requests>12; * requests>=12'),
      {
        calls,
      },
    );
    expect(results.map((r) => [r.passed, r.margin])).toEqual([
      [false, 0],
      [true, 0],
      [false, 0],
      [true, 0],
    ]);
  });

  test('errors are the calls that ended in 5xx or no response; retries the share of sends', () => {
    const withErrors = [
      ...calls,
      observed('GET', 'users/:id', 5, 503),
      observed('GET', 'users/:id', 5, 404),
    ];
    // 2 of 14 calls failed (503, no response); the 404 is an answer, not an error.
    // 6 of 14 + 6 = 20 sends were retries.
    const results = judgeThresholds(parsed('* errors<1%; * retries<=30%; * errors<20%'), {
      calls: withErrors,
    });
    expect(results.map((r) => [r.observed, r.passed])).toEqual([
      [14.29, false],
      [30, true],
      [14.29, true],
    ]);
    expect(results[0]?.culprits.map((c) => c.status)).toEqual([undefined, 503]);
    expect(results[0]?.margin).toBe(13.29);
  });

  test('an endpoint that saw no calls is a breach, so a misspelt one cannot pass', () => {
    const [result] = judgeThresholds(parsed('GET /userz/:id p95<800'), { calls });
    expect(result).toMatchObject({
      passed: false,
      observed: undefined,
      reason: 'no calls measured',
    });
    expect(judgeThresholds(parsed('* p95<800'), { calls: [] })[0]?.reason).toBe(
      'no calls measured',
    );
  });

  test('coverage thresholds judge the measured coverage, and breach when none was measured', () => {
    const thresholds = parsed('coverage operations>=80%; coverage statuses>=60%');
    const coverage = { operations: 85, statuses: 40, parameters: 10 };
    expect(
      judgeThresholds(thresholds, { calls, coverage }).map((r) => [r.observed, r.passed, r.margin]),
    ).toEqual([
      [85, true, -5],
      [40, false, 20],
    ]);
    expect(judgeThresholds(thresholds, { calls }).map((r) => [r.passed, r.reason])).toEqual([
      [false, 'coverage was not measured'],
      [false, 'coverage was not measured'],
    ]);
  });

  test('the table names each breach, its observed value, limit and margin, and the tests behind it', () => {
    const table = formatThresholdTable([
      {
        project: 'qa',
        results: judgeThresholds(parsed('* errors<50%; * p95<300; GET /nope p50<1'), { calls }),
      },
    ]);
    expect(table).toContain('API thresholds (qa): 2 of 3 breached');
    expect(table).toMatch(/BREACHED\s+\* p95<300\s+900 ms\s+< 300 ms\s+over by 600 ms/);
    expect(table).toMatch(/BREACHED\s+GET \/nope p50<1\s+—\s+< 1 ms\s+no calls measured/);
    expect(table).toMatch(/ok\s+\* errors<50%\s+8\.33%\s+< 50%\s+headroom 41\.67%/);
    expect(table).toContain(
      '900 ms POST /users → no response (5 attempts) — creates a user while the API is down',
    );
  });
});
