import path from 'node:path';

import { expect, test } from '@playwright/test';

import { ApiStatusError } from '../../lib/http/api-errors';
import type { CallRecord } from '../../lib/http/api-observer';
import { testInfoObserver } from '../../lib/reporting/api-steps';
import { STEP_RESULT_ANNOTATION, stepTitle, waitResult } from '../../lib/reporting/call-documents';
import { callerOf } from '../../lib/reporting/caller';
import StepTitleReporter from '../../lib/reporting/step-title-reporter';
import { UsersApi } from '../../lib/users/users-api';
import { apiUser, fakeClient, inOrder } from './support/fake-request';

const ROOT = path.resolve(__dirname, '../..');
const at = (file: string, line: number) => `${path.join(ROOT, file)}:${line}:7`;

const record = (fields: Partial<CallRecord> = {}): CallRecord => ({
  method: 'POST',
  path: 'users',
  route: 'users',
  status: 201,
  startedAt: 0,
  durationMs: 5,
  attempts: 1,
  retries: [],
  reconciled: false,
  request: { url: 'http://127.0.0.1:9/api/v1/users', headers: {}, body: undefined },
  response: { headers: {}, body: '{}' },
  error: undefined,
  ...fields,
});

test.describe('report step titles', () => {
  test('a call: method, path, status and time, with attempts when it was retried', () => {
    expect(stepTitle(record())).toBe('POST /users → 201 (5 ms)');
    expect(stepTitle(record({ path: 'users?', status: undefined, attempts: 3 }))).toBe(
      'POST /users → no response (5 ms, 3 attempts)',
    );
  });

  test('a wait: its reads and the statuses they saw, in order', () => {
    const reads = [404, 404, 200].map((status) => ({ status }));
    expect(waitResult(reads, 64, false)).toBe('3 reads: 404 ×2, 200 (64 ms)');
    expect(waitResult([{ status: 200 }], 3, false)).toBe('1 read: 200 (3 ms)');
    expect(waitResult([{ status: 200 }, { status: 503 }], 9, true)).toBe(
      'failed after 2 reads: 200, 503 (9 ms)',
    );
  });

  test('a wait: attempts its reads retried count too, where they came', () => {
    const status = (code: number) => ({ outcome: { kind: 'response' as const, status: code } });
    const reads = [
      { status: 404 },
      { status: 404 },
      { status: 200, retries: [status(503), status(503), status(503)] },
    ];
    expect(waitResult(reads, 120, false)).toBe(
      '3 reads (6 attempts): 404 ×2, 503 ×3 retried, 200 (120 ms)',
    );
    const mixed = [
      { status: 404, retries: [{ outcome: { kind: 'timeout' as const } }] },
      { status: 404, retries: [{ outcome: { kind: 'network' as const, code: 'ECONNRESET' } }] },
    ];
    expect(waitResult(mixed, 9, true)).toBe(
      'failed after 2 reads (4 attempts): timeout retried, 404, ECONNRESET retried, 404 (9 ms)',
    );
  });

  test('the step-title reporter appends the outcome the step carries when it ends', () => {
    const reporter = new StepTitleReporter();
    const step = {
      title: 'POST /users',
      annotations: [{ type: STEP_RESULT_ANNOTATION, description: '201 (5 ms)' }],
    };
    // The reporter reads only the step: the test and result are not needed.
    const args = [undefined, undefined, step] as unknown as Parameters<
      StepTitleReporter['onStepEnd']
    >;
    reporter.onStepEnd(...args);
    reporter.onStepEnd(...args);
    expect(step.title, 'completed once').toBe('POST /users → 201 (5 ms)');
  });
});

test.describe('the caller of a call', () => {
  test('is the first frame outside the framework and node_modules', () => {
    const stack = [
      'Error',
      `    at callStep (${at('lib/reporting/api-steps.ts', 1)})`,
      `    at ApiClient.send (${at('lib/http/api-client.ts', 2)})`,
      `    at async UsersApi.create (${at('lib/resources/resource-api.ts', 3)})`,
      `    at ${at('tests/api/crud.spec.ts', 12)}`,
      `    at ${at('node_modules/playwright/lib/worker/workerProcessEntry.js', 5)}`,
    ].join('\n');
    expect(callerOf(stack)).toEqual({
      location: { file: path.join(ROOT, 'tests/api/crud.spec.ts'), line: 12, column: 7 },
      inExpectPoll: false,
    });
  });

  test('is unknown when every frame is the framework or Playwright, and a poll is noticed', () => {
    const stack = [
      'Error',
      `    at ResourceApi.find (${at('lib/resources/resource-api.ts', 3)})`,
      `    at ${at('node_modules/playwright/lib/matchers/expect.js', 9)}`,
      '    at node:internal/process/task_queues:95:5',
    ].join('\n');
    expect(callerOf(stack)).toEqual({ location: undefined, inExpectPoll: true });
  });

  test('of a call made here is this spec', () => {
    expect(callerOf().location?.file).toBe(__filename);
  });
});

test.describe('the report observer', () => {
  test('a wait attaches its last response and its first when different, not every read', async () => {
    const { client } = fakeClient(
      inOrder(
        { status: 404, body: '"Not found"' },
        { status: 404, body: '"Not found"' },
        { status: 200, body: apiUser('5') },
      ),
    );
    const observer = testInfoObserver(test.info());
    client.observe(observer);
    const users = new UsersApi({
      client,
      consistency: { timeoutMs: 5_000, intervalsMs: [1], readLagMs: 0 },
    });
    await users.waitUntilVisible('5');
    await users.get('5');
    expect(test.info().attachments.map((a) => a.name)).toEqual([
      'GET /users/5 · first response',
      'GET /users/5 · last response',
      'GET /users/5 · request',
      'GET /users/5 · response',
    ]);
    expect(
      observer.calls.map((c) => c.status),
      'every read is still recorded',
    ).toEqual([404, 404, 200, 200]);
  });

  test('a status the call did not expect fails the call itself, at the line of the test', async () => {
    const { client } = fakeClient(inOrder({ status: 409, body: { error: 'conflict' } }));
    client.observe(testInfoObserver(test.info()));
    const users = new UsersApi({
      client,
      consistency: { timeoutMs: 5_000, intervalsMs: [1], readLagMs: 0 },
    });
    const error = await users.get('5').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiStatusError);
    // Thrown inside the call's step: Playwright shows the code of the stack's first frame, which is
    // this test's line rather than the framework's check.
    const [, firstFrame] = (error as Error).stack?.split('\n') ?? [];
    expect(firstFrame).toContain(`${__filename}:`);
    expect(test.info().attachments.map((a) => a.name)).toEqual([
      'GET /users/5 · request',
      'GET /users/5 · response',
    ]);
  });

  test('each read of an expect.poll attaches only when it answered differently', async () => {
    const { client } = fakeClient(
      inOrder(
        { status: 200, body: apiUser('5', { name: 'Old' }) },
        { status: 200, body: apiUser('5', { name: 'Old' }) },
        { status: 200, body: apiUser('5', { name: 'New' }) },
      ),
    );
    client.observe(testInfoObserver(test.info()));
    const users = new UsersApi({
      client,
      consistency: { timeoutMs: 5_000, intervalsMs: [1], readLagMs: 0 },
    });
    await expect.poll(async () => (await users.get('5')).name, { intervals: [1] }).toBe('New');
    const names = test.info().attachments.map((a) => a.name);
    expect(names).toEqual([
      'GET /users/5 · request',
      'GET /users/5 · response',
      'GET /users/5 · request',
      'GET /users/5 · response',
    ]);
  });
});
