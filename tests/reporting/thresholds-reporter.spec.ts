import fs from 'node:fs';
import path from 'node:path';

import { expect, test } from '@playwright/test';
import type { FullConfig, TestCase, TestResult } from '@playwright/test/reporter';

import { type EnvironmentConfig, loadEnvironment } from '../../lib/config/environment';
import { environmentNameOf, type MeasuredCoverage } from '../../lib/reporting/api-coverage';
import ApiHealthReporter, {
  type ApiHealthReporterOptions,
} from '../../lib/reporting/merged-run-reporter';
import type { RecordedCall } from '../../lib/reporting/api-health';
import { API_CALLS_ATTACHMENT } from '../../lib/reporting/api-steps';

const environment = (thresholds: string): EnvironmentConfig =>
  loadEnvironment(
    'local',
    { LOCAL_THRESHOLDS: thresholds },
    { baseUrl: 'http://127.0.0.1:1/api/v1' },
  );

const call = (route: string, durationMs: number): RecordedCall => ({
  method: 'GET',
  path: route.replace(':id', '7'),
  route,
  status: 200,
  durationMs,
  attempts: 1,
  retries: [],
});

/** A finished test of `project` whose recorded calls took `durations` ms. */
function finished(
  project: { name: string; use: { environment?: EnvironmentConfig } },
  title: string,
  durations: number[],
): [TestCase, TestResult] {
  const test = {
    parent: { project: () => project },
    titlePath: () => ['', project.name, 'users.spec.ts', title],
  } as unknown as TestCase;
  const result = {
    status: 'passed',
    attachments: [
      {
        name: API_CALLS_ATTACHMENT,
        contentType: 'application/json',
        body: Buffer.from(JSON.stringify(durations.map((ms) => call('users/:id', ms)))),
      },
    ],
  } as unknown as TestResult;
  return [test, result];
}

/** Runs the reporter over the tests, as Playwright would, and returns what onEnd returned. */
async function report(
  dir: string,
  tests: [TestCase, TestResult][],
  shard: FullConfig['shard'] = null,
  options: ApiHealthReporterOptions = {},
) {
  const reporter = new ApiHealthReporter({
    outputFile: path.join(dir, 'reports/api-health.json'),
    thresholdsFile: path.join(dir, 'reports/api-thresholds.json'),
    allureResultsDir: path.join(dir, 'allure-results'),
    ...options,
  });
  reporter.onBegin({ shard } as FullConfig);
  for (const [t, r] of tests) reporter.onTestEnd(t, r);
  return reporter.onEnd();
}

/** A measured coverage with these percentages and nothing else. */
const measured = (percent: Record<'operations' | 'statuses' | 'parameters', number>) =>
  ({
    document: 'a test document',
    operations: { covered: 0, total: 0, percent: percent.operations },
    statuses: { covered: 0, total: 0, percent: percent.statuses },
    parameters: { covered: 0, total: 0, percent: percent.parameters },
    detail: [],
    undocumented: [],
    undocumentedStatuses: [],
  }) satisfies MeasuredCoverage;

const readJson = (file: string): unknown => JSON.parse(fs.readFileSync(file, 'utf8'));

test('each project is judged on its own calls against its own environment’s thresholds', async ({}, testInfo) => {
  const dir = testInfo.outputPath('run');
  const local = { name: 'local', use: { environment: environment('* p95<100') } };
  const faults = { name: 'local-faults', use: { environment: environment('* p95<1000') } };
  const status = await report(dir, [
    finished(local, 'fast', [10, 20, 30]),
    finished(faults, 'slow', [500, 600]),
  ]);
  expect(status, 'both within their own limits').toBeUndefined();

  const verdicts = readJson(path.join(dir, 'reports/api-thresholds.json'));
  expect(verdicts).toMatchObject({
    projects: [
      { project: 'local', results: [{ clause: '* p95<100', observed: 30, passed: true }] },
      { project: 'local-faults', results: [{ clause: '* p95<1000', observed: 600, passed: true }] },
    ],
  });
  const health = readJson(path.join(dir, 'reports/api-health.json'));
  expect(health, 'the whole run at the top, as before, and each project').toMatchObject({
    calls: 5,
    projects: [
      { project: 'local', calls: 3 },
      { project: 'local-faults', calls: 2 },
    ],
  });

  const swapped = await report(testInfo.outputPath('swapped'), [
    finished({ ...local, use: faults.use }, 'fast', [10, 20, 30]),
    finished({ ...faults, use: local.use }, 'slow', [500, 600]),
  ]);
  expect(swapped, 'the slow project against the tight limit fails the run').toEqual({
    status: 'failed',
  });
});

test('the run’s figures become Allure performance metrics, one key per project, endpoint and metric', async ({}, testInfo) => {
  const dir = testInfo.outputPath('run');
  const local = { name: 'local', use: { environment: environment('coverage operations>=80%') } };
  const status = await report(dir, [finished(local, 'reads', [10, 30])], null, {
    coverage: ({ project, calls }) =>
      project === 'local'
        ? measured({ operations: 90, statuses: 50, parameters: calls.length })
        : undefined,
  });
  expect(status, 'the coverage seam feeds the coverage threshold').toBeUndefined();

  const files = fs
    .readdirSync(path.join(dir, 'allure-results'))
    .filter((f) => f.endsWith('-perf.json'));
  expect(files).toHaveLength(1);
  const samples = readJson(path.join(dir, 'allure-results', files[0] ?? '')) as {
    id: string;
    key: string;
    value: number;
    start: number;
    stop: number;
    unit: string;
  }[];
  const byKey = Object.fromEntries(samples.map((s) => [s.key, s]));
  expect(byKey['api.local.all.p95']).toMatchObject({ id: 'local *', value: 30, unit: 'ms' });
  expect(byKey['api.local.GET /users/:id.max']).toMatchObject({
    id: 'local GET /users/:id',
    value: 30,
  });
  expect(byKey['api.local.all.requests']).toMatchObject({ value: 2, unit: 'calls' });
  expect(byKey['api.local.all.errors']).toMatchObject({ value: 0, unit: '%' });
  expect(byKey['api.local.coverage.parameters']).toMatchObject({ value: 2, unit: '%' });
  for (const sample of samples) expect(sample.stop).toBeGreaterThanOrEqual(sample.start);

  await report(dir, [finished(local, 'reads', [10, 30])]);
  expect(
    fs.readdirSync(path.join(dir, 'allure-results')).filter((f) => f.endsWith('-perf.json')),
    'a rerun replaces its metrics instead of adding to them',
  ).toHaveLength(1);
});

test('a shard judges nothing and writes no metrics: thresholds are judged on the merged report', async ({}, testInfo) => {
  const dir = testInfo.outputPath('shard');
  const local = { name: 'local', use: { environment: environment('* p95<1') } };
  const status = await report(dir, [finished(local, 'slow', [500])], { current: 1, total: 2 });
  expect(status).toBeUndefined();
  expect(fs.existsSync(path.join(dir, 'reports/api-thresholds.json'))).toBe(false);
  expect(fs.existsSync(path.join(dir, 'allure-results'))).toBe(false);
  expect(fs.existsSync(path.join(dir, 'reports/api-health.json')), 'the health summary stays').toBe(
    true,
  );
});

test('without `use` (merge-reports) a project reads its environment’s <ENV>_THRESHOLDS', async ({}, testInfo) => {
  expect(environmentNameOf('local-faults')).toBe('local');
  expect(environmentNameOf('qa')).toBe('qa');
  expect(environmentNameOf('unit')).toBeUndefined();
  const saved = process.env.LOCAL_THRESHOLDS;
  try {
    process.env.LOCAL_THRESHOLDS = '* p95<100';
    const merged = { name: 'local-faults', use: {} };
    expect(await report(testInfo.outputPath('a'), [finished(merged, 'slow', [500])])).toEqual({
      status: 'failed',
    });
    process.env.LOCAL_THRESHOLDS = '* p95<lots';
    expect(await report(testInfo.outputPath('b'), [finished(merged, 'slow', [5])])).toEqual({
      status: 'failed',
    });
  } finally {
    if (saved === undefined) delete process.env.LOCAL_THRESHOLDS;
    else process.env.LOCAL_THRESHOLDS = saved;
  }
});
