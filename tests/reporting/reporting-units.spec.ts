import fs from 'node:fs';
import path from 'node:path';

import AdmZip from 'adm-zip';
import { expect, test } from '@playwright/test';
import type { TestResult } from 'allure-js-commons';

import { routeOf } from '../../lib/http/api-observer';
import { configuredSecrets } from '../../lib/config/secrets';
import {
  allureEnvironmentInfo,
  API_RETRIES_LABEL,
  DELIBERATE_FAULTS_LABEL,
  enrichResult,
  layoutLabels,
} from '../../lib/reporting/allure';
import {
  percentile,
  recordedCallsOf,
  retriesOf,
  summarizeApiHealth,
} from '../../lib/reporting/api-health';
import { API_CALLS_ATTACHMENT } from '../../lib/reporting/api-steps';
import { scanForSecret, secretForms } from './support/secret-scan';

const call = (
  method: string,
  route: string,
  durationMs: number,
  status?: number,
  attempts = 1,
) => ({
  method,
  path: route.replace(':id', '7'),
  route,
  status,
  durationMs,
  attempts,
  retries: [],
});

test.describe('API health summary', () => {
  test('percentiles use the nearest rank', () => {
    const sorted = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100];
    expect(percentile(sorted, 50)).toBe(50);
    expect(percentile(sorted, 95)).toBe(100);
    expect(percentile([], 95)).toBe(0);
  });

  test('an endpoint keeps the collection names of a nested path and replaces only its ids', () => {
    expect(routeOf('users')).toBe('users');
    expect(routeOf('users/12?x=1')).toBe('users/:id');
    expect(routeOf('users/12/posts')).toBe('users/:id/posts');
    expect(routeOf('users/12/posts/3')).toBe('users/:id/posts/:id');
  });

  test('calls group per endpoint with statuses, retries and latency', () => {
    const summary = summarizeApiHealth([
      { test: 'a', call: call('GET', 'users/:id', 30, 200) },
      { test: 'a', call: call('GET', 'users/:id', 10, 404) },
      { test: 'b', call: call('GET', 'users/:id', 20, 200, 3) },
      { test: 'b', call: call('POST', 'users', 90, undefined, 6) },
    ]);
    expect(summary.endpoints[0]).toEqual({
      endpoint: 'GET /users/:id',
      requests: 3,
      statuses: { '200': 2, '404': 1 },
      retries: 2,
      p50Ms: 20,
      p95Ms: 30,
      maxMs: 30,
    });
    expect(summary).toMatchObject({ calls: 4, retries: 7, failedCalls: 1 });
    expect(summary.slowest[0]).toEqual({
      test: 'b',
      call: 'POST /users',
      status: undefined,
      durationMs: 90,
      attempts: 6,
    });
  });
});

test.describe('secret scrubbing', () => {
  test('configured secrets are the values of the credential variables, longest first', () => {
    expect(
      configuredSecrets({
        QA_API_TOKEN: 'qa-secret-1',
        MOCK_TOKEN: 'mock-secret',
        CI: 'true',
        X_TOKEN: 'abc',
      }),
    ).toEqual(['qa-secret-1', 'mock-secret', 'abc']);
  });

  test('the scan finds a secret in plain, base64 and zipped form', ({}, testInfo) => {
    const secret = 'scan-secret-value';
    const dir = testInfo.outputPath('artifacts');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'plain.txt'), `x ${secret} y`);
    fs.writeFileSync(path.join(dir, 'b64.txt'), Buffer.from(`ab${secret}cd`).toString('base64'));
    const zip = new AdmZip();
    zip.addFile('inner.txt', Buffer.from(secret));
    fs.writeFileSync(path.join(dir, 'a.zip'), zip.toBuffer());
    fs.writeFileSync(path.join(dir, 'clean.txt'), 'nothing here');

    const scan = scanForSecret([dir], secret);
    expect(scan.hits.map((h) => path.basename(h.location)).sort()).toEqual([
      'b64.txt',
      'inner.txt', // a.zip!/inner.txt
      'plain.txt',
    ]);
    expect(secretForms(secret).length).toBeGreaterThanOrEqual(4);
  });
});

test.describe('Allure labels', () => {
  test('epic, feature and story come from the spec layout', () => {
    expect(
      layoutLabels('tests/api/users/crud.spec.ts › users CRUD › a test', 'users CRUD'),
    ).toEqual([
      { name: 'epic', value: 'API' },
      { name: 'feature', value: 'users › crud' },
      { name: 'story', value: 'users CRUD' },
    ]);
    expect(layoutLabels('tests/server/faults.spec.ts › x', undefined)[0]?.value).toBe(
      'Embedded server',
    );
  });

  test('the API retries of a test are read from its api-calls.json attachment', () => {
    const attachments = [
      { name: 'other.json', body: Buffer.from('[1]') },
      {
        name: API_CALLS_ATTACHMENT,
        body: Buffer.from(
          JSON.stringify([call('GET', 'users/:id', 31, 200, 3), call('POST', 'users', 9, 201)]),
        ),
      },
      { name: API_CALLS_ATTACHMENT, body: Buffer.from('not ours') },
    ];
    expect(recordedCallsOf(attachments).map((c) => c.attempts)).toEqual([3, 1]);
    expect(retriesOf(recordedCallsOf(attachments))).toBe(2);
  });

  /** A passed Allure result of the resilience spec whose step title says `3 attempts`. */
  const passedResult = (labels: { name: string; value: string }[]) =>
    ({
      name: 'reads after a 503',
      fullName: 'tests/api/resilience.spec.ts › resilience › reads after a 503',
      status: 'passed',
      statusDetails: {},
      parameters: [],
      labels: [{ name: 'subSuite', value: 'resilience' }, ...labels],
      steps: [{ name: 'GET /users/7 → 200 (31 ms, 3 attempts)', steps: [] }],
    }) as unknown as TestResult;

  test('a test that passed after API retries is flaky, with severity from its tags', () => {
    const result = passedResult([
      { name: 'tag', value: 'smoke' },
      { name: API_RETRIES_LABEL, value: '2' },
    ]);
    enrichResult(result);
    expect(result.statusDetails).toMatchObject({
      flaky: true,
      message: 'passed after 2 API retries',
    });
    expect(result.labels).toEqual(
      expect.arrayContaining([
        { name: 'severity', value: 'critical' },
        { name: 'feature', value: 'resilience' },
      ]),
    );
  });

  test('retries under deliberate faults are noted, not flaky: flaky means retries nobody planned', () => {
    const result = passedResult([
      { name: API_RETRIES_LABEL, value: '3' },
      { name: DELIBERATE_FAULTS_LABEL, value: 'true' },
    ]);
    enrichResult(result);
    expect(result.statusDetails).toEqual({
      message: 'passed after 3 API retries under deliberate faults',
    });
  });

  test('the environment panel names the projects, not the configuration they share', () => {
    const info = allureEnvironmentInfo([
      { project: 'local-faults', name: 'local', baseUrl: 'http://127.0.0.1:4011/api/v1' },
    ]);
    expect(info).toMatchObject({
      Environments: 'local-faults',
      'API hosts': 'local-faults=127.0.0.1:4011',
    });
  });

  test('step titles are not read for retries: without the label a passed test is not flaky', () => {
    const result = passedResult([]);
    enrichResult(result);
    expect(result.statusDetails).toEqual({});
  });
});
