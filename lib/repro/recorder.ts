import type { ApiObserver, CallRecord, Refusal } from '../http/api-observer';
import { currentPhase } from '../logging/log-context';

/**
 * What a failed test's reproduction is written from: the test's own calls, bodies included, and the
 * answers the framework's checks refused. On a green run this is all recording costs: a reference
 * kept per call, nothing copied and nothing written (`npm run bench` measures it).
 */
export interface ReproRecorder extends ApiObserver {
  /** The calls of the test itself, in order; its cleanup's are left out. */
  readonly calls: CallRecord[];
  /** The answers a check refused, and what it wanted instead. */
  readonly refusals: Map<CallRecord, Refusal>;
}

/** A recorder for one test: give it to the session's observers. */
export function reproRecorder(): ReproRecorder {
  const calls: CallRecord[] = [];
  const refusals = new Map<CallRecord, Refusal>();
  return {
    calls,
    refusals,
    onCall(call) {
      // The cleanup's deletes are the fixture's, not the defect's: a replay makes its own.
      if (currentPhase() !== 'cleanup') calls.push(call);
    },
    onRefused(call, refusal) {
      refusals.set(call, refusal);
    },
  };
}
