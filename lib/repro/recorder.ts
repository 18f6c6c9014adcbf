import type { ApiObserver, CallRecord, Refusal } from '../http/api-observer';
import { currentPhase } from '../logging/log-context';

/**
 * What a failed test's reproduction is written from: the test's own calls, bodies included, the
 * cleanup's apart, and the answers the framework's checks refused. On a green run this is all
 * recording costs: a reference kept per call, nothing copied and nothing written (`npm run bench`
 * measures it).
 */
export interface ReproRecorder extends ApiObserver {
  /** The calls of the test itself, in order. */
  readonly calls: CallRecord[];
  /** The calls of the test's cleanup, in order: a replay makes its own, unless they are what failed. */
  readonly cleanupCalls: CallRecord[];
  /** The answers a check refused, and what it wanted instead. */
  readonly refusals: Map<CallRecord, Refusal>;
  /** Set by the cleanup when it could not delete or confirm what the test made. */
  cleanupFailed: boolean;
  /**
   * What a reproduction re-sends: the test's calls, and the cleanup's after them when the cleanup is
   * what failed (a delete that never shows, a read of a deleted record answering 200).
   */
  reproCalls(): CallRecord[];
}

/** A recorder for one test: give it to the session's observers. */
export function reproRecorder(): ReproRecorder {
  const calls: CallRecord[] = [];
  const cleanupCalls: CallRecord[] = [];
  const refusals = new Map<CallRecord, Refusal>();
  const recorder: ReproRecorder = {
    calls,
    cleanupCalls,
    refusals,
    cleanupFailed: false,
    reproCalls: () => (recorder.cleanupFailed ? [...calls, ...cleanupCalls] : calls),
    onCall(call) {
      (currentPhase() === 'cleanup' ? cleanupCalls : calls).push(call);
    },
    onRefused(call, refusal) {
      refusals.set(call, refusal);
    },
  };
  return recorder;
}
