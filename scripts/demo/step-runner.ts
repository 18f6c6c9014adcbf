import type { CallRecord } from '../../lib/http/api-observer';
import type { Logger } from '../../lib/logging/logger';
import type { CallRecorder } from './call-recorder';

/** Ctrl-C arrived: the scenario stops here and only the clean-up runs. */
export class Interrupted extends Error {
  override name = 'Interrupted';
}

/** A step of the scenario failed; its line has been logged already, `cause` says why. */
export class StepFailed extends Error {
  override name = 'StepFailed';
}

export interface Step {
  /** What the step does, e.g. `create`, `read`. */
  verb: string;
  /** What it does it to, e.g. `user 12`. */
  subject: string;
  /**
   * Whether Ctrl-C may abandon the step half-way. Only waits are: a write in flight is let finish,
   * so that the clean-up knows about every user the server has made.
   */
  interruptible?: boolean;
}

/** Runs the scenario's steps one at a time and logs one line for each: status, milliseconds, detail. */
export class StepRunner {
  passed = 0;
  failed = 0;

  constructor(
    private readonly logger: Logger,
    private readonly recorder: CallRecorder,
    private readonly signal: AbortSignal,
  ) {}

  async run<T>(
    step: Step,
    action: () => Promise<T>,
    detail: (value: T, calls: readonly CallRecord[]) => string = () => '',
  ): Promise<T> {
    if (this.signal.aborted) throw new Interrupted('interrupted');
    const calls: CallRecord[] = [];
    const started = performance.now();
    let value: T;
    try {
      const work = this.recorder.within(calls, action);
      value = step.interruptible === true ? await untilAborted(work, this.signal) : await work;
    } catch (error) {
      if (error instanceof Interrupted) throw error;
      this.failed += 1;
      const ms = Math.round(performance.now() - started);
      this.logger.error(
        `${head(step, calls)} ${String(ms).padStart(5)} ms  failed: ${oneLine(error)}`,
      );
      throw new StepFailed(`${step.verb} ${step.subject} failed`, { cause: error });
    }
    this.passed += 1;
    const ms = Math.round(performance.now() - started);
    const text = [detail(value, calls), retriesOf(calls)].filter((part) => part !== '').join(' ');
    this.logger.info(`${head(step, calls)} ${String(ms).padStart(5)} ms  ${text}`.trimEnd());
    return value;
  }
}

/** `create   user 12    201`: the verb, the subject and the status the step's last call got. */
function head(step: Step, calls: readonly CallRecord[]): string {
  const status = calls.at(-1)?.status;
  return `${step.verb.padEnd(7)} ${step.subject.padEnd(10)} ${status === undefined ? '---' : String(status)}`;
}

function retriesOf(calls: readonly CallRecord[]): string {
  const retries = calls.reduce((sum, call) => sum + call.retries.length, 0);
  return retries === 0 ? '' : `(${retries} ${retries === 1 ? 'retry' : 'retries'})`;
}

/** Resolves or rejects with `work`, or rejects with Interrupted as soon as the signal aborts. */
async function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  // The abandoned work may still settle later; its outcome no longer matters.
  work.catch(() => undefined);
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => {
      reject(new Interrupted('interrupted'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([work, aborted]);
  } finally {
    if (onAbort !== undefined) signal.removeEventListener('abort', onAbort);
  }
}

/** An error as one line; expect.poll's failures become "what: gave up after N ms; expected …, received …". */
export function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  // eslint-disable-next-line no-control-regex -- expect's messages carry ANSI colours
  const plain = message.replace(/\u001b\[[0-9;]*m/g, '');
  const lines = plain.split('\n');
  const callLog = lines.findIndex((line) => line.startsWith('Call Log:'));
  if (callLog > 0) {
    const body = lines.slice(1, callLog);
    const pick = (pattern: RegExp) =>
      body.flatMap((line) => {
        const value = pattern.exec(line)?.[1]?.trim().replace(/,$/, '');
        return value === undefined ? [] : [value];
      });
    // A diff ("-   field" / "+   field") or a plain "Expected: x" / "Received: y".
    const expected = [...pick(/^- {3}(.*)/), ...pick(/^Expected: (.*)/)];
    const received = [...pick(/^\+ {3}(.*)/), ...pick(/^Received(?: has value)?: (.*)/)];
    const timeout = /Timeout (\d+)ms exceeded/.exec(plain)?.[1];
    const parts = [
      timeout === undefined ? undefined : `gave up after ${timeout} ms`,
      expected.length === 0 ? undefined : `expected ${expected.join(', ')}`,
      received.length === 0 ? undefined : `received ${received.join(', ')}`,
    ].filter((part) => part !== undefined);
    return `${lines[0] ?? ''}: ${parts.join('; ')}`;
  }
  return lines
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .join(' · ');
}
