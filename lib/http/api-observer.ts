import type { AttemptOutcome, HttpMethod } from './retry-policy';

/** One failed attempt that the client is about to retry. */
export interface RetryRecord {
  call: string;
  attempt: number;
  outcome: AttemptOutcome;
  reason: string;
  delayMs: number;
}

/** A finished call (all its attempts), as seen by logs, reports and the health summary. */
export interface CallRecord {
  method: HttpMethod;
  /** Path relative to the API root, e.g. `users/12`. */
  path: string;
  /** Path with ids replaced, e.g. `users/:id`, so calls group per endpoint. */
  route: string;
  /** Final status, or undefined when no response came. */
  status: number | undefined;
  /** When the call began (epoch milliseconds), its first attempt included. */
  startedAt: number;
  durationMs: number;
  attempts: number;
  retries: readonly RetryRecord[];
  /** True when a create was adopted from a lookup after an ambiguous failure. */
  reconciled: boolean;
  request: { url: string; headers: Record<string, string>; body: string | undefined };
  response: { headers: Record<string, string>; body: string } | undefined;
  error: string | undefined;
}

/**
 * What a report shows as one step: a call (all its sends and retries, and any calls it makes itself,
 * such as the lookups of a reconciled create), or a wait (every read of a poll).
 */
export type Operation =
  | {
      kind: 'call';
      method: HttpMethod;
      /** Path and query relative to the API root, as in {@link CallRecord.path}. */
      path: string;
    }
  | {
      kind: 'wait';
      /** What the wait waits for: `user 7 to be visible with {"name":"New"}`. */
      what: string;
    };

/** What a check of the framework wanted instead of the answer it refused. */
export interface Refusal {
  /** The statuses it accepts; with `reason` `body`, the answer's was one of them but its body was not right. */
  statuses: readonly number[];
  /** `status`, or `body` (schema, contract or record mismatch). */
  reason: 'status' | 'body';
}

/** Hooks into every call; the fixtures use them for report steps, annotations and the health summary. */
export interface ApiObserver {
  /** A check refused a call's answer (the call was reported by {@link onCall} before). */
  onRefused?(call: CallRecord, refusal: Refusal): void;
  onRetry?(retry: RetryRecord): void;
  /**
   * Awaited after each call, inside the call's {@link around}; the call's result is returned only
   * after it settles.
   */
  onCall?(call: CallRecord): void | Promise<void>;
  /**
   * Runs an operation inside a scope of the observer's (the report's step for it), so that whatever
   * the operation does happens inside: its sends, its `onCall`, the calls it makes itself, the reads
   * of a wait. Must run `body` exactly once and settle as it does.
   */
  around?<T>(operation: Operation, body: () => Promise<T>): Promise<T>;
}

/**
 * `users/12` → `users/:id`, `users/12/posts/3` → `users/:id/posts/:id`: a mockapi.io path alternates
 * collection names and ids, so every second segment is an id.
 */
export function routeOf(path: string): string {
  const segments = (path.split('?')[0] ?? '').split('/');
  return segments.map((segment, index) => (index % 2 === 1 ? ':id' : segment)).join('/');
}
