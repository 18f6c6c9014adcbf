import type { HttpMethod } from './retry-policy';

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
