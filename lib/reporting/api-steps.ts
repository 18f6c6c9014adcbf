import { AsyncLocalStorage } from 'node:async_hooks';

import { type Location, test, type TestInfo, type TestStepInfo } from '@playwright/test';

import type { ApiObserver, CallRecord, Operation, RetryRecord } from '../http/api-observer';
import { callerOf, locate } from './caller';
import {
  callResult,
  displayPath,
  readDocument,
  requestDocument,
  responseDocument,
  STEP_RESULT_ANNOTATION,
  waitResult,
} from './call-documents';

export const API_CALLS_ATTACHMENT = 'api-calls.json';

/** The annotation a test gets when its faults are planned (`deliberateFaults`): its retries make it no flakier. */
export const DELIBERATE_FAULTS_ANNOTATION = 'api-faults';

/** What the observer knows about the operation a call runs in. */
type Scope =
  | { kind: 'call'; step: TestStepInfo; inExpectPoll: boolean; location: Location | undefined }
  | { kind: 'wait'; reads: CallRecord[] };

const json = (document: Record<string, unknown>) => ({
  body: JSON.stringify(document, null, 2),
  contentType: 'application/json',
});

/**
 * Shows the running test's API calls in its report: each call is one step, opened before it is sent
 * at the line of the test that made it, holding its request and response; what the call does itself
 * (every send, the lookups of a reconciled create) nests inside. A wait is one step too, holding its
 * last response (and its first, if different) rather than a step per read. Also annotates each retry
 * and keeps the call list for the end-of-run health summary; with `deliberateFaults`, each call in
 * it is marked `deliberate`.
 */
export function testInfoObserver(
  testInfo: TestInfo,
  options: { deliberateFaults?: boolean } = {},
): ApiObserver & {
  calls: (CallRecord & { deliberate?: true })[];
} {
  const calls: (CallRecord & { deliberate?: true })[] = [];
  // A test that scripts the server's faults marks its calls: their failures are not an alarm.
  const marks = options.deliberateFaults === true ? { deliberate: true as const } : {};
  // Calls with no caller outside the framework (the cleanup's) belong to the test as a whole.
  const testLocation: Location = {
    file: testInfo.file,
    line: testInfo.line,
    column: testInfo.column,
  };
  const scopes = new AsyncLocalStorage<Scope>();
  const located = new WeakSet<object>();
  // The latest read of an `expect.poll`: its reads attach only what changed since the one before.
  let pollRead: { from: string; answer: string } | undefined;

  async function callStep<T>(
    operation: Extract<Operation, { kind: 'call' }>,
    body: () => Promise<T>,
  ): Promise<T> {
    const { location, inExpectPoll } = callerOf();
    return test.step(
      `${operation.method} ${displayPath(operation)}`,
      async (step) => {
        try {
          return await scopes.run({ kind: 'call', step, inExpectPoll, location }, body);
        } catch (error) {
          locate(error, location, located);
          throw error;
        }
      },
      { location: location ?? testLocation },
    );
  }

  async function waitStep<T>(what: string, body: () => Promise<T>): Promise<T> {
    const { location } = callerOf();
    return test.step(
      `wait for ${what}`,
      async (step) => {
        const reads: CallRecord[] = [];
        const started = performance.now();
        let failed = true;
        try {
          const value = await scopes.run({ kind: 'wait', reads }, body);
          failed = false;
          return value;
        } catch (error) {
          locate(error, location, located);
          throw error;
        } finally {
          const durationMs = Math.round(performance.now() - started);
          step.annotations.push({
            type: STEP_RESULT_ANNOTATION,
            description: waitResult(reads, durationMs, failed),
          });
          const [first, last] = [reads[0], reads.at(-1)];
          if (first !== undefined && last !== undefined && first !== last && differ(first, last))
            await step.attach(
              `${first.method} ${displayPath(first)} · first response`,
              json(readDocument(first)),
            );
          if (last !== undefined)
            await step.attach(
              `${last.method} ${displayPath(last)} · last response`,
              json(readDocument(last)),
            );
        }
      },
      { location: location ?? testLocation },
    );
  }

  return {
    calls,
    around<T>(operation: Operation, body: () => Promise<T>): Promise<T> {
      // The reads of a wait are summed up by the wait's step.
      if (scopes.getStore()?.kind === 'wait') return body();
      return operation.kind === 'call' ? callStep(operation, body) : waitStep(operation.what, body);
    },
    onRetry(retry: RetryRecord) {
      testInfo.annotations.push({
        type: 'api-retry',
        description: `${retry.call}: ${retry.reason} on attempt ${retry.attempt}, retried after ${retry.delayMs} ms`,
      });
    },
    async onCall(call: CallRecord) {
      if (call.reconciled) {
        testInfo.annotations.push({
          type: 'api-reconciled',
          description: `${call.method} /${call.path}: failed ambiguously, but the server had acted; its result was adopted`,
        });
      }
      calls.push({
        ...call,
        request: { ...call.request, body: undefined },
        response: undefined,
        ...marks,
      });
      const scope = scopes.getStore();
      if (scope?.kind === 'wait') {
        scope.reads.push(call);
        return;
      }
      if (scope === undefined) return;
      const { step } = scope;
      step.annotations.push({ type: STEP_RESULT_ANNOTATION, description: callResult(call) });
      if (scope.inExpectPoll) {
        // Each read of an expect.poll is a step; only a read that answered differently attaches.
        const from = `${call.method} ${call.path} ${JSON.stringify(scope.location)}`;
        const answer = `${call.status ?? call.error ?? ''} ${call.response?.body ?? ''}`;
        const same = pollRead?.from === from && pollRead.answer === answer;
        pollRead = { from, answer };
        if (same) return;
      } else {
        pollRead = undefined;
      }
      // Named for the call too: the HTML report also lists every attachment flat under the test.
      await step.attach(
        `${call.method} ${displayPath(call)} · request`,
        json(requestDocument(call)),
      );
      await step.attach(
        `${call.method} ${displayPath(call)} · response`,
        json(responseDocument(call)),
      );
    },
  };
}

/** Whether two reads answered differently (status or body). */
function differ(a: CallRecord, b: CallRecord): boolean {
  return a.status !== b.status || a.response?.body !== b.response?.body || a.error !== b.error;
}
