import { setTimeout as sleep } from 'node:timers/promises';

import type { APIRequestContext, APIResponse } from '@playwright/test';

import type { Logger } from '../logging/logger';
import { redactHeaders, redactSecrets } from '../logging/redact';
import {
  ApiForbiddenOperationError,
  ApiResponseError,
  ApiTransportError,
  excerpt,
} from './api-errors';
import { type ApiObserver, type CallRecord, type RetryRecord, routeOf } from './api-observer';
import type { Pacer } from './pacer';
import { parseRetryAfter } from './retry-after';
import {
  type AttemptOutcome,
  classifyRequestError,
  decideRetry,
  describeOutcome,
  type HttpMethod,
  isAmbiguous,
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
   * Whether sending twice is harmless. Defaults to true for every method but POST, and for a POST
   * whose raw body is not a JSON object (no compatible backend creates anything from it).
   */
  idempotent?: boolean;
  /**
   * For non-idempotent calls: after an ambiguous failure, asks the server whether the send took
   * effect, waiting until its reads can be trusted. A status and JSON body returned here are
   * adopted as the call's answer; undefined means it did not take effect, so sending again is safe.
   */
  reconcile?: () => Promise<{ status: number; text: string } | undefined>;
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

export interface ApiClientOptions {
  request: APIRequestContext;
  /** API root, e.g. `http://127.0.0.1:4010/api/v1`; used for messages, the context resolves paths. */
  baseUrl: string;
  timeoutMs: number;
  retry: RetryPolicy;
  logger: Logger;
  /** Values never to appear in logs or attachments. */
  secrets?: readonly string[];
  /** When false, any non-GET call fails before it is sent. */
  allowWrites?: boolean;
  observers?: readonly ApiObserver[];
  /** Headers added to every call (after the context's own). */
  headers?: Record<string, string>;
  /** Holds every attempt to the environment's request rate and learns from its 429s. */
  pacer?: Pacer | undefined;
}

/** One attempt: what it ended with, and the time spent waiting for the pacer's go. */
interface Attempt {
  outcome: AttemptOutcome;
  response?: APIResponse;
  text?: string;
  pacedMs: number;
}

/**
 * A thin, resilient layer over Playwright's APIRequestContext: retries by policy, reconciles
 * ambiguous non-idempotent calls, logs each call once, and tells observers about every call.
 */
export class ApiClient {
  private readonly observers: ApiObserver[];

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

  /** Sends a call, retrying as the policy allows, and returns the final response whatever its status. */
  async send(req: ApiRequest): Promise<ApiResult> {
    const call = `${req.method} ${this.describePath(req)}`;
    if (req.method !== 'GET' && this.options.allowWrites === false) {
      throw new ApiForbiddenOperationError(
        `${call} refused: writes are disabled in this environment (set PRODUCTION_ALLOW_WRITES=true to allow them)`,
        call,
      );
    }
    const idempotent = req.idempotent ?? (req.method !== 'POST' || cannotCreate(req.rawBody));
    const started = performance.now();
    const retries: RetryRecord[] = [];
    // Waiting for the pacer is queueing, not retrying: it does not spend the retry budget.
    let pacedMs = 0;
    let attempt = 0;
    let last: Attempt;

    for (;;) {
      attempt += 1;
      last = await this.attempt(req);
      pacedMs += last.pacedMs;

      if (!idempotent && isAmbiguous(last.outcome)) {
        // Sending again could act twice; without a way to check, the ambiguous answer is final.
        if (req.reconcile === undefined) break;
        // Checked even when no retry is left: the failed answer may hide a record the server made.
        const found = await req.reconcile();
        if (found !== undefined) {
          this.options.logger.info(
            `${call}: ${describeOutcome(last.outcome)} but the server had acted; adopted its result`,
          );
          const result: ApiResult = {
            ...found,
            headers: { 'content-type': 'application/json' },
            attempts: attempt,
            durationMs: Math.round(performance.now() - started),
            reconciled: true,
            afterAmbiguousFailure: true,
          };
          await this.notify(req, call, result, retries, undefined);
          return result;
        }
      }
      const elapsed = performance.now() - started - pacedMs;
      const decision = decideRetry(last.outcome, attempt, elapsed, this.options.retry);
      if (!decision.retry) break;
      const retry: RetryRecord = {
        call,
        attempt,
        outcome: last.outcome,
        reason: decision.reason,
        delayMs: decision.delayMs,
      };
      retries.push(retry);
      this.options.logger.info(
        `${call}: ${decision.reason} on attempt ${attempt}; retrying in ${decision.delayMs} ms`,
      );
      for (const observer of this.observers) observer.onRetry?.(retry);
      await sleep(decision.delayMs);
    }

    const durationMs = Math.round(performance.now() - started);
    if (last.response === undefined || last.text === undefined) {
      const reason = describeOutcome(last.outcome);
      await this.notify(req, call, undefined, retries, reason);
      const hint =
        last.outcome.kind === 'network' && last.outcome.code === 'ECONNREFUSED'
          ? ` — is the API at ${this.options.baseUrl} running?`
          : '';
      throw new ApiTransportError(call, `${reason}${hint}`, attempt);
    }
    const result: ApiResult = {
      status: last.response.status(),
      headers: last.response.headers(),
      text: last.text,
      attempts: attempt,
      durationMs,
      reconciled: false,
      afterAmbiguousFailure: retries.some((r) => isAmbiguous(r.outcome)),
    };
    this.options.logger.debug(`${call} → ${result.status} (${durationMs} ms, attempt ${attempt})`);
    await this.notify(req, call, result, retries, undefined);
    return result;
  }

  private async attempt(req: ApiRequest): Promise<Attempt> {
    const { pacer } = this.options;
    const queued = performance.now();
    if (pacer !== undefined) await pacer.acquire();
    const sentAt = performance.now();
    const pacedMs = sentAt - queued;
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
      const text = await response.text();
      const retryAfter = response.headers()['retry-after'];
      if (pacer !== undefined && response.status() === 429)
        await pacer.throttled(sentAt, parseRetryAfter(retryAfter));
      return {
        outcome: { kind: 'response', status: response.status(), retryAfter },
        response,
        text,
        pacedMs,
      };
    } catch (error) {
      return { outcome: classifyRequestError(error), pacedMs };
    }
  }

  private describePath(req: ApiRequest): string {
    const query =
      req.params === undefined
        ? ''
        : `?${new URLSearchParams(Object.entries(req.params).map(([k, v]): [string, string] => [k, String(v)])).toString()}`;
    return `/${req.path}${query}`;
  }

  private async notify(
    req: ApiRequest,
    call: string,
    result: ApiResult | undefined,
    retries: readonly RetryRecord[],
    error: string | undefined,
  ): Promise<void> {
    if (this.observers.every((o) => o.onCall === undefined)) return;
    const secrets = this.options.secrets ?? [];
    const requestBody =
      req.rawBody ?? (req.body === undefined ? undefined : JSON.stringify(req.body));
    // `call` is `<METHOD> /<path>?<query>`: reuse it rather than encode the query again.
    const pathAndQuery = call.slice(req.method.length + 1);
    const record: CallRecord = {
      method: req.method,
      path: pathAndQuery.slice(1),
      route: routeOf(req.path),
      status: result?.status,
      durationMs: result?.durationMs ?? 0,
      attempts: result?.attempts ?? retries.length + 1,
      retries,
      reconciled: result?.reconciled ?? false,
      request: {
        url: `${this.options.baseUrl}${pathAndQuery}`,
        headers: redactHeaders({ ...this.options.headers, ...req.headers }, secrets),
        body: requestBody === undefined ? undefined : redactSecrets(requestBody, secrets),
      },
      response:
        result === undefined
          ? undefined
          : {
              headers: redactHeaders(result.headers, secrets),
              body: redactSecrets(result.text, secrets),
            },
      error: error === undefined ? undefined : `${call}: ${error}`,
    };
    for (const observer of this.observers) await observer.onCall?.(record);
  }
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
