import { AsyncLocalStorage } from 'node:async_hooks';

import type { ApiObserver, CallRecord } from '../../lib/http/api-observer';

/** Totals of one kind of call, e.g. `GET users/:id`. */
export interface CallTotals {
  calls: number;
  retries: number;
  /** How often each final status came back; `none` when no response came at all. */
  statuses: Map<string, number>;
  durationMs: number;
}

/**
 * Sees every call the demo's UsersApi makes: totals per kind for the summary, and each step's own
 * calls, so its line can show the status it ended with and how many reads it took. Calls are
 * matched to steps by async context, so a poll abandoned after Ctrl-C never counts for a later step.
 */
export class CallRecorder implements ApiObserver {
  readonly byKind = new Map<string, CallTotals>();
  retries = 0;
  private readonly step = new AsyncLocalStorage<CallRecord[]>();

  onRetry(): void {
    this.retries += 1;
  }

  onCall(call: CallRecord): void {
    this.step.getStore()?.push(call);
    const kind = `${call.method} ${call.route}`;
    const totals = this.byKind.get(kind) ?? {
      calls: 0,
      retries: 0,
      statuses: new Map<string, number>(),
      durationMs: 0,
    };
    totals.calls += 1;
    totals.retries += call.retries.length;
    const status = call.status === undefined ? 'none' : String(call.status);
    totals.statuses.set(status, (totals.statuses.get(status) ?? 0) + 1);
    totals.durationMs += call.durationMs;
    this.byKind.set(kind, totals);
  }

  /** Runs `action`, appending to `calls` every call made on its behalf. */
  within<T>(calls: CallRecord[], action: () => Promise<T>): Promise<T> {
    return this.step.run(calls, action);
  }
}
