import { parseRetryAfter } from './retry-after';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * How a retry loop behaves, as data (after ky's retry options). Each default is written once, in
 * {@link DEFAULT_RETRY_POLICY}; they suit a remote SaaS, and an environment overrides any of them.
 */
export interface RetryPolicy {
  /** Attempts at most, the first included; the budget usually ends a call first. Default 30. */
  attempts: number;
  /**
   * Methods sent again after an outcome that may have acted on the server (a 5xx, a timeout, a reset).
   * Any other method (POST) is sent again only after an answer that proves nothing happened (429,
   * 408, a refused connection), or once reconciling finds that the first send took no effect.
   * Default GET, PUT, PATCH, DELETE.
   */
  methods: readonly HttpMethod[];
  /** Base delay of the exponential backoff in ms. Default 500. */
  baseDelayMs: number;
  /** Upper bound of one backoff delay in ms. Default 8000. */
  maxDelayMs: number;
  /** Longest `Retry-After` honoured in ms; a longer one ends the call instead. Default 30000. */
  maxRetryAfterMs: number;
  /** Time one call may spend on attempts and backoff in ms (waits for the pacer and for reconciliation excluded). Default 30000. */
  budgetMs: number;
  /** Statuses that are retried. Default 408, 425, 429, 500, 502, 503, 504 and Cloudflare's 520–524. */
  statusCodes: readonly number[];
  /** Statuses whose `Retry-After` is honoured (at least that long is waited). Default 413, 429, 503. */
  afterStatusCodes: readonly number[];
  /** Full jitter (AWS style): the delay is uniform in [0, backoff]. Default true. */
  jitter: boolean;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  attempts: 30,
  methods: ['GET', 'PUT', 'PATCH', 'DELETE'],
  baseDelayMs: 500,
  maxDelayMs: 8_000,
  maxRetryAfterMs: 30_000,
  budgetMs: 30_000,
  statusCodes: [408, 425, 429, 500, 502, 503, 504, 520, 521, 522, 523, 524],
  afterStatusCodes: [413, 429, 503],
  jitter: true,
};

/** Some of a policy's settings; one given as undefined keeps its default. */
export type RetryOverrides = { [K in keyof RetryPolicy]?: RetryPolicy[K] | undefined };

/**
 * The policy in force: the defaults above with an environment's overrides (only what differs), the one
 * place they are merged. An override left undefined keeps its default.
 */
export function retryPolicy(overrides: RetryOverrides = {}): RetryPolicy {
  const set: [string, unknown][] = Object.entries(overrides);
  return {
    ...DEFAULT_RETRY_POLICY,
    ...(Object.fromEntries(set.filter(([, value]) => value !== undefined)) as Partial<RetryPolicy>),
  };
}

/**
 * Whether sending `method` again is harmless after any outcome: it is one of the policy's `methods`.
 * Otherwise an ambiguous outcome must be reconciled first ({@link isAmbiguous}).
 */
export function resendable(method: HttpMethod, policy: Pick<RetryPolicy, 'methods'>): boolean {
  return policy.methods.includes(method);
}

/** What one attempt ended with. */
export type AttemptOutcome =
  | { kind: 'response'; status: number; retryAfter?: string | undefined }
  | { kind: 'timeout' }
  | { kind: 'network'; code: string }
  | { kind: 'fatal'; message: string };

/**
 * Whether the request may have been processed by the server although the client saw no success:
 * such outcomes need reconciliation before a non-idempotent request is sent again.
 */
export function isAmbiguous(outcome: AttemptOutcome): boolean {
  if (outcome.kind === 'timeout') return true;
  if (outcome.kind === 'network') return outcome.code !== 'ECONNREFUSED';
  if (outcome.kind === 'response') return outcome.status >= 500;
  return false;
}

/** Whether an outcome is worth another attempt, regardless of attempt count and budget. */
export function isRetryable(outcome: AttemptOutcome, policy: RetryPolicy): boolean {
  switch (outcome.kind) {
    case 'response':
      return policy.statusCodes.includes(outcome.status);
    case 'timeout':
    case 'network':
      return true;
    case 'fatal':
      return false;
  }
}

/** Exponential backoff for a 1-based attempt that just failed, capped and (optionally) fully jittered. */
export function backoffDelay(
  attempt: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number {
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return policy.jitter ? Math.round(random() * exponential) : exponential;
}

export type RetryDecision =
  { retry: true; delayMs: number; reason: string } | { retry: false; reason: string };

/** Decides whether to try again after `attempt` ended with `outcome`, `elapsedMs` into the call. */
export function decideRetry(
  outcome: AttemptOutcome,
  attempt: number,
  elapsedMs: number,
  policy: RetryPolicy,
  options: { now?: number; random?: () => number } = {},
): RetryDecision {
  const reason = describeOutcome(outcome);
  if (!isRetryable(outcome, policy)) return { retry: false, reason };
  if (attempt >= policy.attempts)
    return { retry: false, reason: `${reason}; ${policy.attempts} attempts used` };
  let delayMs = backoffDelay(attempt, policy, options.random);
  if (outcome.kind === 'response' && policy.afterStatusCodes.includes(outcome.status)) {
    const retryAfter = parseRetryAfter(outcome.retryAfter, options.now);
    if (retryAfter !== undefined) {
      if (retryAfter > policy.maxRetryAfterMs) {
        return {
          retry: false,
          reason: `${reason}; Retry-After ${retryAfter} ms exceeds the ${policy.maxRetryAfterMs} ms cap`,
        };
      }
      delayMs = Math.max(delayMs, retryAfter);
    }
  }
  if (elapsedMs + delayMs > policy.budgetMs) {
    return { retry: false, reason: `${reason}; retry budget of ${policy.budgetMs} ms spent` };
  }
  return { retry: true, delayMs, reason };
}

/** A short human description of an outcome, for logs and errors. */
export function describeOutcome(outcome: AttemptOutcome): string {
  switch (outcome.kind) {
    case 'response':
      return `status ${outcome.status}`;
    case 'timeout':
      return 'timed out';
    case 'network':
      return `network error ${outcome.code}`;
    case 'fatal':
      return outcome.message;
  }
}

/** Maps an error thrown by Playwright's APIRequestContext to an attempt outcome. */
export function classifyRequestError(error: unknown): AttemptOutcome {
  const message = error instanceof Error ? error.message : String(error);
  if (/Timeout \d+ms exceeded|timed out|ETIMEDOUT/i.test(message)) return { kind: 'timeout' };
  // A name that does not resolve will not start resolving on a retry: a configuration error.
  if (/\bENOTFOUND\b/.test(message))
    return { kind: 'fatal', message: 'host not found (ENOTFOUND): check the base URL' };
  const code =
    /\b(ECONNREFUSED|ECONNRESET|EPIPE|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|ECONNABORTED)\b/.exec(
      message,
    );
  if (code?.[1] !== undefined) return { kind: 'network', code: code[1] };
  if (/socket hang up/i.test(message)) return { kind: 'network', code: 'ECONNRESET' };
  return { kind: 'fatal', message: message.split('\n')[0] ?? message };
}
