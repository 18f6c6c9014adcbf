import fs from 'node:fs';
import path from 'node:path';

import { expect, test } from '@playwright/test';
import { z } from 'zod';

import { buildAllureReport } from '../../scripts/report';
import { runChildSuite } from './support/child-suite';
import { htmlReportSteps, type ReportStep } from './support/html-report';

const ROOT = path.resolve('.tmp/reporting/contents');
const REPORT = path.join(ROOT, 'allure-report');
const CONSISTENCY = 'a name nobody set never becomes visible';
const DEFECT_FIXTURE = path.resolve('tests/reporting/fixtures/users-defect.fixture.ts');

test.describe.configure({ mode: 'serial' });

let secondBuildStarted = 0;

test.beforeAll(async () => {
  test.setTimeout(240_000);
  // Named like the project `npm test` runs under faults, on the `local` configuration it shares.
  await runChildSuite({
    root: ROOT,
    token: 'contents-test-token',
    env: { REPORTING_PROJECT: 'local-faults' },
  });
  await buildAllureReport(ROOT);
  secondBuildStarted = Date.now();
  await buildAllureReport(ROOT);
});

const named = z.object({ name: z.string() });
const allureStep: z.ZodType<AllureStep> = z.lazy(() =>
  z.object({
    name: z.string(),
    status: z.string().optional(),
    attachments: z.array(named),
    steps: z.array(allureStep),
  }),
);
interface AllureStep {
  name: string;
  status?: string | undefined;
  attachments: { name: string }[];
  steps: AllureStep[];
}

/** The create's step title; a loaded machine may make it retry (`201 (35 ms, 2 attempts)`). */
const CALL_201 = /^POST \/users → 201 \(\d+ ms(, [^)]+)?\)$/;
const readJson = (file: string): unknown => JSON.parse(fs.readFileSync(file, 'utf8'));
const jsonFiles = (dir: string, suffix: string) =>
  fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(suffix))
    .map((f) => readJson(path.join(dir, f)));

/** The line of the consistency fixture holding `code`, as reports locate it. */
function fixtureLine(code: string): string {
  const lines = fs.readFileSync(DEFECT_FIXTURE, 'utf8').split('\n');
  const from = lines.findIndex((l) => l.includes(CONSISTENCY));
  const index = lines.findIndex((l, i) => i > from && l.includes(code));
  return `users-defect.fixture.ts:${index + 1}`;
}

test('Allure files each failure under the category that says whose problem it is', () => {
  const results = jsonFiles(path.join(REPORT, 'data/test-results'), '.json').map((r) =>
    z.object({ name: z.string(), categories: z.array(named).optional() }).parse(r),
  );
  const categoryOf = Object.fromEntries(
    results.map((r) => [r.name, (r.categories ?? []).map((c) => c.name).join(', ')]),
  );
  expect(categoryOf).toEqual({
    [CONSISTENCY]: 'Product defect: not visible within the consistency window',
    'a listing answered 503 until the retries run out':
      'Infrastructure: API unavailable after retries',
    'a listing whose connection is reset every time':
      'Infrastructure: API unavailable after retries',
    'a user that was never created is read as if it existed': 'Product defect: wrong status',
    'a created user answers a status no server sends': 'Product defect: assertion failed',
    'a read passes after one 503 retry': 'Passed only after retries',
    // Its faults are planned (deliberateFaults): passing after them is no news.
    'a read passes after one scripted 503 retry': '',
    'a created user reads back and is deleted': '',
    'the listing answers an array': '',
    'a request without the token answers 401': '',
  });
});

test('every build leaves a fresh report at allure-report/index.html, and nothing else', () => {
  expect(fs.statSync(path.join(REPORT, 'index.html')).mtimeMs).toBeGreaterThanOrEqual(
    secondBuildStarted - 1_000,
  );
  // A build into a previous one used to go to allure-report/awesome/, beside a stale index.html.
  expect(fs.existsSync(path.join(REPORT, 'awesome'))).toBe(false);
});

test('the Allure environment names the project that ran', () => {
  const environment = z
    .array(z.object({ name: z.string(), values: z.array(z.string()) }))
    .parse(readJson(path.join(REPORT, 'widgets/allure_environment.json')));
  expect(environment.find((e) => e.name === 'Environments')?.values).toEqual(['local-faults']);
});

test('the HTML report shows each call as one step at the test line, holding its request and response', () => {
  const steps = htmlReportSteps(path.join(ROOT, 'playwright-report')).get(CONSISTENCY) ?? [];
  const ours = (list: readonly ReportStep[]) =>
    list.filter((s) => !['Before Hooks', 'Worker Cleanup'].includes(s.title));
  const [create, wait, afterHooks] = ours(steps);

  expect(create).toMatchObject({
    title: expect.stringMatching(CALL_201),
    location: fixtureLine('users.create('),
    attachments: ['POST /users · request', 'POST /users · response'],
  });
  // Playwright's own fetch step is inside ours, not beside it.
  expect(create?.steps.map((s) => s.title)).toEqual(['POST']);

  expect(wait).toMatchObject({
    title: expect.stringMatching(
      /^wait for user (\d+) to be visible with \{"name":"a name nobody set"\} → failed after (\d+) reads: 200 ×\2 \(\d+ ms\)$/,
    ),
    location: fixtureLine('impatient.waitUntilVisible'),
    failed: true,
  });
  expect(wait?.attachments, 'only the last response: every read answered the same').toEqual([
    expect.stringMatching(/^GET \/users\/\d+ · last response$/),
  ]);

  const cleanup = afterHooks?.steps.find((s) => s.title.startsWith('cleanup'));
  expect(cleanup?.title).toBe('cleanup: delete 1 record');
  expect(cleanup?.steps.map((s) => s.title)).toEqual([
    expect.stringMatching(/^DELETE \/users\/\d+ → 200 \(\d+ ms(, [^)]+)?\)$/),
    expect.stringMatching(/^wait for user \d+ to answer 404 after its deletion → 1 read: 404 \(/),
  ]);
});

test('Allure shows the same steps, names completed and attachments on their step', () => {
  const results = jsonFiles(path.join(ROOT, 'allure-results'), '-result.json').map((r) =>
    z.object({ name: z.string(), steps: z.array(allureStep) }).parse(r),
  );
  const steps = results.find((r) => r.name === CONSISTENCY)?.steps ?? [];
  const tree = (list: readonly AllureStep[]): unknown[] =>
    // Attachments of the test itself show as steps without a status.
    list
      .filter((s) => s.status !== undefined)
      .map((s) => ({
        name: s.name,
        attachments: s.attachments.map((a) => a.name),
        steps: tree(s.steps),
      }));
  expect(tree(steps)).toEqual([
    {
      name: expect.stringMatching(CALL_201),
      attachments: ['POST /users · request', 'POST /users · response'],
      steps: [],
    },
    {
      name: expect.stringMatching(
        /^wait for user \d+ to be visible with .* → failed after \d+ reads: 200 ×\d+/,
      ),
      attachments: [expect.stringMatching(/ · last response$/)],
      steps: [],
    },
    {
      name: 'After Hooks',
      attachments: [],
      steps: [
        {
          name: 'cleanup: delete 1 record',
          attachments: [],
          steps: [
            {
              name: expect.stringMatching(/^DELETE \/users\/\d+ → 200/),
              attachments: [
                expect.stringMatching(/ · request$/),
                expect.stringMatching(/ · response$/),
              ],
              steps: [],
            },
            {
              name: expect.stringMatching(/^wait for user \d+ to answer 404/),
              attachments: [expect.stringMatching(/ · last response$/)],
              steps: [],
            },
          ],
        },
      ],
    },
  ]);
});
