import { LOCAL_DEFAULTS } from '../../lib/config/environment';
import type { UsersApi } from '../../lib/users/users-api';
import { type Benchmark, type Goal, meets } from './benchmark';
import { localEnvironment, type OpenUsers, openUsers, startServer, timed } from './harness';
import { formatMs, spreadOf, sum } from './stats';
import { buildPayloads, CALLS_PER_CYCLE, type CyclePayload, frameworkCycle } from './workload';

const CYCLES = 100; // 500 calls
const FAULT_RATE = 0.1;
const SEED = 20240;
const GOAL: Goal = { kind: 'at-most', limit: 1.5 };

interface Run {
  ms: number;
  failures: number;
  retries: number;
}

/**
 * The same 500-call CRUD workload against a server answering 10% of requests 503 and against a
 * clean one, alternating which goes first; the framework's retries must absorb every fault.
 */
export const faults: Benchmark = {
  name: 'faults',
  title: `500 CRUD calls with ${FAULT_RATE * 100}% injected 503s ÷ the same without faults`,
  async run({ quick, progress }) {
    const repetitions = quick ? 2 : 5;
    const [faulty, clean] = await Promise.all([
      startServer(['--fault-503-rate', String(FAULT_RATE), '--seed', String(SEED)]),
      startServer(),
    ]);
    let retries = 0;
    const counter = {
      onRetry() {
        retries += 1;
      },
    };
    const environments = [
      { name: 'faults', environment: localEnvironment(faulty.baseUrl) },
      { name: 'clean', environment: localEnvironment(clean.baseUrl) },
    ];
    const arms: { name: string; client: OpenUsers; runs: Run[] }[] = [];
    for (const { name, environment } of environments) {
      arms.push({ name, client: await openUsers(environment, [counter]), runs: [] });
    }
    const workload = async (users: UsersApi, payloads: readonly CyclePayload[]): Promise<Run> => {
      retries = 0;
      let failures = 0;
      const cycle = frameworkCycle(users);
      const ms = await timed(async () => {
        for (const payload of payloads) {
          try {
            await cycle(payload);
          } catch (error) {
            failures += 1;
            progress(
              `faults: a cycle failed: ${error instanceof Error ? error.message : String(error)}`,
            );
          }
        }
      });
      return { ms, failures, retries };
    };
    try {
      for (const [index, arm] of arms.entries()) {
        await workload(arm.client.users, buildPayloads(20, index + 1));
      }
      for (let rep = 0; rep < repetitions; rep += 1) {
        // Rotate the order, so no arm always runs first or last.
        const order = arms.map((_, index) => arms[(index + rep) % arms.length]);
        for (const [index, arm] of order.entries()) {
          arm?.runs.push(
            await workload(arm.client.users, buildPayloads(CYCLES, 1000 * rep + index)),
          );
        }
        progress(
          `faults ${rep + 1}/${repetitions}: ` +
            arms
              .map((arm) => {
                const last = arm.runs.at(-1);
                return `${arm.name} ${last === undefined ? '?' : `${formatMs(last.ms)} (${last.retries} retries, ${last.failures} failed)`}`;
              })
              .join(', '),
        );
      }
      const runsOf = (name: string) => arms.find((arm) => arm.name === name)?.runs;
      const withFaults = runsOf('faults') ?? [];
      const without = runsOf('clean') ?? [];
      const ratioOf = (runs: Run[]) =>
        spreadOf(runs.map((run, index) => run.ms / (without[index]?.ms ?? NaN)));
      const failuresOf = (runs: Run[]) => sum(runs.map((run) => run.failures));
      const medianMs = (runs: Run[]) => formatMs(spreadOf(runs.map((r) => r.ms)).median);
      const medianRetries = (runs: Run[]) =>
        Math.round(spreadOf(runs.map((r) => r.retries)).median);
      const ratio = ratioOf(withFaults);
      const failures = failuresOf(withFaults) + failuresOf(without);
      return [
        {
          benchmark: 'faults',
          figure: `${CYCLES * CALLS_PER_CYCLE} calls, ${FAULT_RATE * 100}% 503s ÷ no faults (local tuning, base backoff ${LOCAL_DEFAULTS.retry.baseDelayMs} ms)`,
          ratio,
          goal: GOAL,
          // Zero failures is part of the goal.
          met: failures === 0 && meets(GOAL, ratio.median) === true,
          detail: `${failures} failed cycles; median ${medianMs(withFaults)} vs ${medianMs(without)}; ${medianRetries(withFaults)} retries per run`,
        },
      ];
    } finally {
      await Promise.all(arms.map((arm) => arm.client.dispose()));
      await Promise.all([faulty.stop(), clean.stop()]);
    }
  },
};
