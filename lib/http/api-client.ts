import { setTimeout as sleep } from 'node:timers/promises';

import type { APIRequestContext } from '@playwright/test';

import { inContext } from '../logging/log-context';
import type { Logger } from '../logging/logger';
import { redactHeaders, redactSecrets } from '../logging/redact';
import {
  ApiForbiddenOperationError,
  ApiResponseError,
  ApiTransportError,
  excerpt,
} from './api-errors';
import {
  type ApiObserver,
  type CallRecord,
  type Operation,
  type RetryRecord,
  routeOf,
  type Refusal,
} from './api-observer';
import type { Pacer } from './pacer';
import { parseRetryAfter } from './retry-after';
import {
  type AttemptOutcome,
  classifyRequestError,
  decideRetry,
  describeOutcome,
  type HttpMethod,
  isAmbiguous,
  resendable,
  type RetryPolicy,
} from './retry-policy';

/** One logical call; the client may send it several times. */
export interface ApiRequest {
  method: HttpMethod;
  /** Relative to the API root, without a leading slash: `users`, `users/12`. */
  path: string;
  params?: Record<string, string | number | boolean>;
  /** Sent as JSON. */
  body?: unknown;
  /** Sent verbatim instead of `body`, for tests of malformed payloads. */
  rawBody?: string;
  headers?: Record<string, string>;
  /**
   * Whether sending twice is harmless. Defaults to the retry policy's `methods` (every method but
   * POST), and to true for a raw body that is not a JSON object (no compatible backend creates
   * anything from it).
   */
  idempotent?: boolean;
  /**
   * For non-idempotent calls: after an ambiguous failure, asks the server whether the send took
   * effect, waiting until its reads can be trusted. A status and JSON body returned here are
   * adopted as the call's answer; undefined means it did not take effect, so sending again is safe.
   */
  reconcile?: () => Promise<{ status: number; text: string } | undefined>;
  /**
   * Sees the final answer before any check of it: a create registers what it made for cleanup even
   * when the answer then breaks the contract.
   */
  onAnswer?: (result: ApiResult) => void;
}

/** The final answer to a call, after retries. */
export interface ApiResult {
  status: number;
  headers: Record<string, string>;
  text: string;
  attempts: number;
  durationMs: number;
  reconciled: boolean;
  /** True when an earlier attempt failed in a way that may have acted on the server (5xx, timeout, reset). */
  afterAmbiguousFailure: boolean;
}

/** The API's contract, which every final response is checked against (an OpenAPI document's, say). */
export interface ResponseContract {
  /**
   * Throws when the response breaks the contract; `target` is the path and query relative to the
   * API root, as in {@link ApiRequest.path} (`users/7?page=2`).
   */
  check(method: HttpMethod, target: string, result: ApiResult): void | Promise<void>;
}

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
    const { last, attempts, retries, adopted } = await this.retrying(req, call, started);
    const durationMs = Math.round(performance.now() - started);
    const answer = adopted ?? last.answer;
    if (answer === undefined) {
      const reason = describeOutcome(last.outcome);
      await this.notify(req, target, undefined, retries, {
        error: `${call}: ${reason}`,
        durationMs,
      });
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
    req.onAnswer?.(result);
    await this.notify(req, target, result, retries);
    // After the observers, so that a report holds the call whose answer broke the contract.
    await this.options.contract?.check(req.method, target, result);
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
  ): Promise<{ last: Attempt; attempts: number; retries: RetryRecord[]; adopted?: Answer }> {
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
        const found = await req.reconcile();
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
      const answer = {
        status: response.status(),
        headers: response.headers(),
        text: await response.text(),
      };
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
    const secrets = this.options.secrets ?? [];
    const requestBody =
      req.rawBody ?? (req.body === undefined ? undefined : JSON.stringify(req.body));
    const durationMs = result?.durationMs ?? failure?.durationMs ?? 0;
    const record: CallRecord = {
      method: req.method,
      path: target,
      route: routeOf(req.path),
      status: result?.status,
      startedAt: Date.now() - durationMs,
      durationMs,
      attempts: result?.attempts ?? retries.length + 1,
      retries,
      reconciled: result?.reconciled ?? false,
      request: {
        url: `${this.options.baseUrl}/${target}`,
        // As sent: Playwright adds the JSON content type for an object body itself.
        headers: redactHeaders(
          {
            ...this.options.headers,
            ...req.headers,
            ...(requestBody === undefined
              ? {}
              : { 'content-type': req.headers?.['content-type'] ?? 'application/json' }),
          },
          secrets,
        ),
        body: requestBody === undefined ? undefined : redactSecrets(requestBody, secrets),
      },
      response:
        result === undefined
          ? undefined
          : {
              headers: redactHeaders(result.headers, secrets),
              body: redactSecrets(result.text, secrets),
            },
      error: failure?.error,
    };
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

/** The path and query a call targets, relative to the API root: `users/7`, `users?page=2`. */
function targetOf(req: ApiRequest): string {
  const entries = Object.entries(req.params ?? {});
  if (entries.length === 0) return req.path;
  const query = new URLSearchParams(entries.map(([k, v]): [string, string] => [k, String(v)]));
  return `${req.path}?${query.toString()}`;
}

/**
 * Parses a JSON body, failing with the call, the content type and an excerpt when it is not JSON,
 * or when it is JSON sent under another content type (clients that go by the header break).
 */
export function parseJson(call: string, result: ApiResult): unknown {
  const type = result.headers['content-type'];
  let body: unknown;
  try {
    body = JSON.parse(result.text) as unknown;
  } catch {
    const looksHtml = /^\s*</.test(result.text);
    const hint = looksHtml
      ? ' — an HTML page usually means the base URL points at a website, not the API root'
      : '';
    throw new ApiResponseError(
      `${call} answered ${result.status} with a body that is not JSON (${type ?? 'no content-type'})${hint}. Body: ${excerpt(result.text) || '(empty)'}`,
      call,
    );
  }
  if (type === undefined || !JSON_CONTENT_TYPE.test(type)) {
    throw new ApiResponseError(
      `${call} answered ${result.status} with a JSON body under content-type ${type ?? '(none)'}, expected application/json. Body: ${excerpt(result.text) || '(empty)'}`,
      call,
    );
  }
  return body;
}

const JSON_CONTENT_TYPE = /^\s*application\/([\w.-]+\+)?json\s*(;|$)/i;

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
