import { setTimeout as sleep } from 'node:timers/promises';

import type { APIRequestContext } from '@playwright/test';

import { inContext } from '../logging/log-context';
import type { Logger } from '../logging/logger';
import { ApiForbiddenOperationError, ApiTransportError } from './api-errors';
import type { ApiObserver, CallRecord, Operation, Refusal, RetryRecord } from './api-observer';
import type { ApiRequest, ApiResult, ResponseContract } from './api-call';
import { callRecord, targetOf } from './call-record';
import type { Pacer } from './pacer';
import { parseRetryAfter } from './retry-after';
import {
  type AttemptOutcome,
  classifyRequestError,
  decideRetry,
  describeOutcome,
  isAmbiguous,
  resendable,
  type RetryPolicy,
} from './retry-policy';

export interface ApiClientOptions {
  request: APIRequestContext;
  /** API root, e.g. `http://127.0.0.1:4010/api/v1`; used for messages, the context resolves paths. */
  baseUrl: string;
  timeoutMs: number;
  retry: RetryPolicy;
  logger: Logger;
  /** Values never to appear in logs or attachments. */
  secrets?: readonly string[];
  /**
   * Why writes are refused here, with the setting that allows them; when set, any non-GET call fails
   * before it is sent. Undefined: writes are allowed.
   */
  writesRefused?: string | undefined;
  observers?: readonly ApiObserver[];
  /** Headers added to every call (after the context's own). */
  headers?: Record<string, string>;
  /** Holds every attempt to the environment's request rate and learns from its 429s. */
  pacer?: Pacer | undefined;
  /** Checks every final response (not retried attempts, not calls that got none); a breach fails the call. */
  contract?: ResponseContract | undefined;
}

/** What the server answered. */
type Answer = Pick<ApiResult, 'status' | 'headers' | 'text'>;

/** One attempt: what it ended with, the answer if there was one, and the wait for the pacer's go. */
interface Attempt {
  outcome: AttemptOutcome;
  answer?: Answer;
  pacedMs: number;
}

/**
 * A thin, resilient layer over Playwright's APIRequestContext: retries by policy, reconciles
 * ambiguous non-idempotent calls, logs each call once, and tells observers about every call.
 */
export class ApiClient {
  private readonly observers: ApiObserver[];
  /** The record of each answer this client returned, for {@link refused}. */
  private readonly records = new WeakMap<ApiResult, CallRecord>();

  constructor(private readonly options: ApiClientOptions) {
    this.observers = [...(options.observers ?? [])];
  }

  /** The API root this client talks to. */
  get baseUrl(): string {
    return this.options.baseUrl;
  }

  /** Adds an observer for the calls that follow. */
  observe(observer: ApiObserver): void {
    this.observers.push(observer);
  }

  /**
   * Sends a call, retrying as the policy allows, and returns the final response whatever its status.
   * Observers see it as one operation, with every send and any call its `reconcile` makes inside.
   */
  async send(req: ApiRequest): Promise<ApiResult> {
    return this.call(req, (result) => result);
  }

  /**
   * Sends a call as {@link send} does and reads its final answer with `read` inside the call's
   * operation: a status or schema check that throws there fails the call itself, so its report step
   * fails, at the line of the test that made it, with its request and response.
   */
  async call<T>(req: ApiRequest, read: (result: ApiResult) => T): Promise<T> {
    const target = targetOf(req);
    const call = `${req.method} /${target}`;
    const { writesRefused } = this.options;
    if (req.method !== 'GET' && writesRefused !== undefined)
      throw new ApiForbiddenOperationError(`${call} refused: ${writesRefused}`, call);
    return this.within({ kind: 'call', method: req.method, path: target }, async () =>
      read(await this.exchange(req, target, call)),
    );
  }

  /**
   * Runs a wait made of several reads (a poll) as one operation: observers see its reads inside it,
   * and a report shows it as one step rather than a step per read.
   */
  async wait<T>(what: string, body: () => Promise<T>): Promise<T> {
    return this.within({ kind: 'wait', what }, body);
  }

  /** Runs `body` inside every observer's scope for the operation, the first observer outermost. */
  private within<T>(operation: Operation, body: () => Promise<T>): Promise<T> {
    const from = (index: number): Promise<T> => {
      const observer = this.observers[index];
      if (observer === undefined) return body();
      if (observer.around === undefined) return from(index + 1);
      return observer.around(operation, () => from(index + 1));
    };
    return from(0);
  }

  /** The logger, with the bindings of the context the call runs in (e.g. `phase: cleanup`). */
  private get log(): Logger {
    return inContext(this.options.logger);
  }

  private async exchange(req: ApiRequest, target: string, call: string): Promise<ApiResult> {
    const started = performance.now();
    const { last, attempts, retries, adopted, unreconciled } = await this.retrying(
      req,
      call,
      started,
    );
    const durationMs = Math.round(performance.now() - started);
    const answer = adopted ?? last.answer;
    if (answer === undefined) {
      const reason = describeOutcome(last.outcome);
      await this.notify(req, target, undefined, retries, {
        error: `${call}: ${reason}`,
        durationMs,
      });
      if (unreconciled !== undefined) throw unreconciled.error;
      const hint =
        last.outcome.kind === 'network' && last.outcome.code === 'ECONNREFUSED'
          ? ` — is the API at ${this.options.baseUrl} running?`
          : '';
      throw new ApiTransportError(call, `${reason}${hint}`, attempts);
    }
    const result: ApiResult = {
      ...answer,
      attempts,
      durationMs,
      reconciled: adopted !== undefined,
      afterAmbiguousFailure: adopted !== undefined || retries.some((r) => isAmbiguous(r.outcome)),
    };
    this.log.debug(`${call} → ${result.status} (${durationMs} ms, attempt ${attempts})`);
    if (unreconciled === undefined) req.onAnswer?.(result);
    await this.notify(req, target, result, retries);
    if (unreconciled !== undefined) throw unreconciled.error;
    // After the observers, so that a report holds the call whose answer broke the contract.
    try {
      await this.options.contract?.check(req.method, target, result);
    } catch (error) {
      // A contract that says what it wanted lets a reproduction judge a fixed build by it.
      const { refusal } = error as { refusal?: Refusal };
      if (refusal !== undefined) this.refused(result, refusal);
      throw error;
    }
    return result;
  }

  /**
   * The retry loop: attempts until one is final by the policy. A non-idempotent call that failed
   * ambiguously is never re-sent blindly: its `reconcile` decides whether it took effect, and an
   * answer it found is adopted instead.
   */
  private async retrying(
    req: ApiRequest,
    call: string,
    started: number,
  ): Promise<{
    last: Attempt;
    attempts: number;
    retries: RetryRecord[];
    adopted?: Answer;
    /** Why the check whether an ambiguous create took effect failed: the call fails with it. */
    unreconciled?: { error: unknown };
  }> {
    const idempotent =
      req.idempotent ?? (resendable(req.method, this.options.retry) || cannotCreate(req.rawBody));
    const retries: RetryRecord[] = [];
    // Waiting for the pacer is queueing, and reconciling is waiting for reads to be trusted; neither
    // is retrying, so neither spends the retry budget (the attempt limit still bounds both).
    let notRetryingMs = 0;
    for (let attempt = 1; ; attempt += 1) {
      const last = await this.attempt(req);
      notRetryingMs += last.pacedMs;
      if (!idempotent && isAmbiguous(last.outcome)) {
        // Without a way to check, the ambiguous answer is final: sending again could act twice.
        if (req.reconcile === undefined) return { last, attempts: attempt, retries };
        // Checked even when no retry is left: the failed answer may hide a record the server made.
        const reconcileStarted = performance.now();
        let found;
        try {
          found = await req.reconcile();
        } catch (error) {
          // The create's own answer is still recorded before the lookup's failure goes up.
          return { last, attempts: attempt, retries, unreconciled: { error } };
        }
        notRetryingMs += performance.now() - reconcileStarted;
        if (found !== undefined) {
          this.log.info(
            `${call}: ${describeOutcome(last.outcome)} but the server had acted; adopted its result`,
          );
          const adopted = { ...found, headers: { 'content-type': 'application/json' } };
          return { last, attempts: attempt, retries, adopted };
        }
      }
      const elapsed = performance.now() - started - notRetryingMs;
      const decision = decideRetry(last.outcome, attempt, elapsed, this.options.retry);
      if (!decision.retry) return { last, attempts: attempt, retries };
      const retry: RetryRecord = {
        call,
        attempt,
        outcome: last.outcome,
        reason: decision.reason,
        delayMs: decision.delayMs,
      };
      retries.push(retry);
      this.log.info(
        `${call}: ${decision.reason} on attempt ${attempt}; retrying in ${decision.delayMs} ms`,
      );
      for (const observer of this.observers) observer.onRetry?.(retry);
      await sleep(decision.delayMs);
    }
  }

  private async attempt(req: ApiRequest): Promise<Attempt> {
    const { pacer } = this.options;
    const bookedAt = performance.now();
    if (pacer !== undefined) await pacer.acquire();
    const pacedMs = performance.now() - bookedAt;
    try {
      const answer = await onFreshStack(async () => {
        const response = await this.options.request.fetch(req.path, {
          method: req.method,
          params: req.params,
          headers: {
            ...this.options.headers,
            ...req.headers,
            ...(req.rawBody === undefined
              ? {}
              : { 'content-type': req.headers?.['content-type'] ?? 'application/json' }),
          },
          data: req.rawBody ?? req.body,
          timeout: this.options.timeoutMs,
          failOnStatusCode: false,
          maxRetries: 0,
        });
        return {
          status: response.status(),
          headers: response.headers(),
          text: await response.text(),
        };
      });
      const retryAfter = answer.headers['retry-after'];
      if (pacer !== undefined && answer.status === 429)
        await pacer.throttled(bookedAt, parseRetryAfter(retryAfter));
      return { outcome: { kind: 'response', status: answer.status, retryAfter }, answer, pacedMs };
    } catch (error) {
      return { outcome: classifyRequestError(error), pacedMs };
    }
  }

  private async notify(
    req: ApiRequest,
    target: string,
    result: ApiResult | undefined,
    retries: readonly RetryRecord[],
    failure?: { error: string; durationMs: number },
  ): Promise<void> {
    if (this.observers.every((o) => o.onCall === undefined)) return;
    const record = callRecord(this.options, req, target, result, retries, failure);
    if (result !== undefined) this.records.set(result, record);
    for (const observer of this.observers) await observer.onCall?.(record);
  }

  /**
   * Tells the observers that a check refused this answer, and what it wanted: a reproduction then
   * knows which call failed and what a fixed build must answer.
   */
  refused(result: ApiResult, refusal: Refusal): void {
    const record = this.records.get(result);
    if (record === undefined) return;
    for (const observer of this.observers) observer.onRefused?.(record, refusal);
  }
}

/**
 * Runs `send` from a stack of its own. Playwright captures the caller's stack on every API call, its
 * `fetch` and its `text` alike, to name where the call came from, and formats it through source
 * maps. Awaited from here, that stack is every frame of the wrapper and its caller, a dozen or more
 * awaits deep, and formatting it made the wrapper cost 1.24 of a raw call instead of 1.09 to 1.12
 * (`npm run bench -- --only overhead`, docs/performance.md). Started from a microtask that no async
 * function awaits, it holds `send` alone, which is the frame Playwright names anyway: the first one
 * outside Playwright.
 */
function onFreshStack<T>(send: () => Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    queueMicrotask(() => {
      // Closures, not `resolve` itself: V8 follows a promise's own resolvers back to the awaits
      // above, and the calls after `send`'s first await would capture those frames again.
      send().then(
        (value) => {
          resolve(value);
        },
        (error: unknown) => {
          // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- passed on as thrown
          reject(error);
        },
      );
    });
  });
}

/** Whether a raw body is something no compatible backend creates a record from: not a JSON object. */
function cannotCreate(rawBody: string | undefined): boolean {
  if (rawBody === undefined) return false;
  try {
    const parsed = JSON.parse(rawBody) as unknown;
    return parsed === null || typeof parsed !== 'object' || Array.isArray(parsed);
  } catch {
    return true;
  }
}
