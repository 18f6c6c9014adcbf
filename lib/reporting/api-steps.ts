import { AsyncLocalStorage } from 'node:async_hooks';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { type Location, test, type TestInfo, type TestStepInfo } from '@playwright/test';

import type {
  ApiObserver,
  CallRecord,
  Operation,
  Refusal,
  RetryRecord,
} from '../http/api-observer';
import { currentPhase } from '../logging/log-context';

/** Bodies larger than this are cut in attachments, with a note saying so. */
export const MAX_ATTACHMENT_CHARS = 64 * 1024;

/**
 * The step annotation that carries how an operation ended (`201 (5 ms)`). A step's title is fixed
 * when it starts, before the answer is known: the step-title reporter appends this to it when the
 * step ends, so reports read `POST /users → 201 (5 ms)`; the trace shows it as the step's annotation.
 */
export const STEP_RESULT_ANNOTATION = 'api-result';

/** The call's path as shown in reports, without the dangling `?` of an empty query. */
export function displayPath(call: Pick<CallRecord, 'path'>): string {
  return `/${call.path.replace(/\?$/, '')}`;
}

/** How a call ended, as its step title shows it: `201 (23 ms)`, with retries when there were any. */
export function callResult(call: CallRecord): string {
  const outcome = call.status === undefined ? 'no response' : String(call.status);
  const retries = call.attempts > 1 ? `, ${call.attempts} attempts` : '';
  const adopted = call.reconciled ? ', adopted after ambiguous failure' : '';
  return `${outcome} (${call.durationMs} ms${retries}${adopted})`;
}

/** Title of a call's report step: `POST /users → 201 (23 ms)`, with retries when there were any. */
export function stepTitle(call: CallRecord): string {
  return `${call.method} ${displayPath(call)} → ${callResult(call)}`;
}

/**
 * How a wait ended, from its reads: `3 reads: 404 ×2, 200 (64 ms)`, or, when it failed,
 * `failed after 56 reads: 200 ×56 (5004 ms)`. Attempts a read retried count too, in the order they
 * came: `3 reads (6 attempts): 404 ×2, 503 ×3 retried, 200 (120 ms)`.
 */
export function waitResult(
  reads: readonly (Pick<CallRecord, 'status'> & {
    retries?: readonly Pick<RetryRecord, 'outcome'>[];
  })[],
  durationMs: number,
  failed: boolean,
): string {
  const runs: { label: string; retried: boolean; count: number }[] = [];
  const add = (label: string, retried: boolean) => {
    const last = runs.at(-1);
    if (last?.label === label && last.retried === retried) last.count += 1;
    else runs.push({ label, retried, count: 1 });
  };
  let attempts = 0;
  for (const read of reads) {
    for (const retry of read.retries ?? []) add(outcomeLabel(retry.outcome), true);
    add(read.status === undefined ? 'no response' : String(read.status), false);
    attempts += (read.retries?.length ?? 0) + 1;
  }
  const statuses = runs.map(
    ({ label, retried, count }) =>
      `${label}${count === 1 ? '' : ` ×${count}`}${retried ? ' retried' : ''}`,
  );
  const tries = attempts > reads.length ? ` (${attempts} attempts)` : '';
  const count = `${reads.length} read${reads.length === 1 ? '' : 's'}${tries}`;
  const seen = statuses.length === 0 ? '' : `: ${statuses.join(', ')}`;
  return `${failed ? 'failed after ' : ''}${count}${seen} (${durationMs} ms)`;
}

/** What an attempt that was retried ended with, as short as a status: `503`, `timeout`, `ECONNRESET`. */
function outcomeLabel(outcome: RetryRecord['outcome']): string {
  switch (outcome.kind) {
    case 'response':
      return String(outcome.status);
    case 'timeout':
      return 'timeout';
    case 'network':
      return outcome.code;
    case 'fatal':
      return 'error';
  }
}

/** A body for a JSON attachment: parsed when it is JSON, the text otherwise, cut with a note when large. */
function bodyForJson(body: string): { body: unknown; note?: string } {
  if (body.length > MAX_ATTACHMENT_CHARS) {
    return {
      body: body.slice(0, MAX_ATTACHMENT_CHARS),
      note: `truncated: ${body.length - MAX_ATTACHMENT_CHARS} more characters not shown`,
    };
  }
  try {
    return { body: JSON.parse(body) as unknown };
  } catch {
    return { body };
  }
}

/** The request of a call as a JSON document (headers already redacted by the client). */
export function requestDocument(call: CallRecord): Record<string, unknown> {
  const { body, note } =
    call.request.body === undefined
      ? { body: undefined, note: undefined }
      : bodyForJson(call.request.body);
  return {
    method: call.method,
    url: call.request.url,
    headers: call.request.headers,
    ...(body === undefined ? {} : { body }),
    ...(note === undefined ? {} : { note }),
  };
}

/** The final response of a call (or why there was none) and its retries, as a JSON document. */
export function responseDocument(call: CallRecord): Record<string, unknown> {
  const retries = call.retries.map(
    (r) => `attempt ${r.attempt}: ${r.reason}, retried after ${r.delayMs} ms`,
  );
  const timing = { durationMs: call.durationMs, attempts: call.attempts, retries };
  if (call.response === undefined) return { error: call.error ?? 'no response', ...timing };
  const { body, note } = bodyForJson(call.response.body);
  return {
    status: call.status,
    ...timing,
    ...(call.reconciled ? { reconciled: 'adopted from a lookup after an ambiguous failure' } : {}),
    headers: call.response.headers,
    body,
    ...(note === undefined ? {} : { note }),
  };
}

/** One read of a wait, as a JSON document: the request line, then the response. */
function readDocument(call: CallRecord): Record<string, unknown> {
  return { request: `${call.method} ${call.request.url}`, ...responseDocument(call) };
}

export const API_CALLS_ATTACHMENT = 'api-calls.json';

/** The annotation a test gets when its faults are planned (`deliberateFaults`): its retries make it no flakier. */
export const DELIBERATE_FAULTS_ANNOTATION = 'api-faults';

const LIB = path.resolve(__dirname, '..') + path.sep;
const NODE_MODULES = `${path.sep}node_modules${path.sep}`;
/** Where `expect.poll` lives in Playwright: a read called from there is one of its polls' reads. */
const EXPECT_MATCHERS = `${path.sep}playwright${path.sep}lib${path.sep}matchers${path.sep}`;
const FRAME = /^\s*at (?:.*? \()?(.+?):(\d+):(\d+)\)?$/;

/** Where an operation was started from, as far as reports are concerned. */
export interface Caller {
  /** The first frame outside the framework (`lib/`) and `node_modules`: the test's line. */
  location: Location | undefined;
  /** Whether the operation runs inside the callback of an `expect.poll`. */
  inExpectPoll: boolean;
}

/** Finds the caller of an operation in a stack trace (by default, the current one). */
export function callerOf(stack: string = currentStack()): Caller {
  let location: Location | undefined;
  let inExpectPoll = false;
  for (const line of stack.split('\n')) {
    const match = FRAME.exec(line);
    if (match === null) continue;
    const [, where = '', row = '0', column = '0'] = match;
    const file = where.startsWith('file://') ? fileURLToPath(where) : where;
    if (file.includes(EXPECT_MATCHERS)) inExpectPoll = true;
    if (
      location !== undefined ||
      !path.isAbsolute(file) ||
      file.startsWith(LIB) ||
      file.includes(NODE_MODULES)
    )
      continue;
    location = { file, line: Number(row), column: Number(column) };
  }
  return { location, inExpectPoll };
}

function currentStack(): string {
  const limit = Error.stackTraceLimit;
  // A call made by a reconcile inside a resource API is a dozen frames below the test.
  Error.stackTraceLimit = 40;
  try {
    return new Error().stack ?? '';
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/** Makes an error thrown inside a step point at the test's line, where Playwright shows its code. */
function locate(error: unknown, location: Location | undefined, located: WeakSet<object>): void {
  if (!(error instanceof Error) || location === undefined || located.has(error)) return;
  located.add(error);
  const frame = `\n    at ${location.file}:${location.line}:${location.column}`;
  const stack = error.stack ?? `${error.name}: ${error.message}`;
  const at = stack.indexOf('\n    at ');
  error.stack = at === -1 ? stack + frame : stack.slice(0, at) + frame + stack.slice(at);
}

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
  /** The calls of the test itself, bodies included, its cleanup's left out: what a reproduction re-sends. */
  testCalls: CallRecord[];
  /** The answers a check refused, and what it wanted instead. */
  refusals: Map<CallRecord, Refusal>;
} {
  const refusals = new Map<CallRecord, Refusal>();
  const calls: (CallRecord & { deliberate?: true })[] = [];
  const testCalls: CallRecord[] = [];
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
    testCalls,
    refusals,
    onRefused(call: CallRecord, refusal: Refusal) {
      refusals.set(call, refusal);
    },
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
      if (currentPhase() !== 'cleanup') testCalls.push(call);
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
