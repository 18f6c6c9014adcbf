import { request } from '@playwright/test';

import { reproRecorder } from '../../lib/repro/recorder';
import { requestContextOptions } from '../../lib/session/request-context';
import { type Benchmark, type Figure, type Goal, meets } from './benchmark';
import {
  localEnvironment,
  openUsers,
  reportStepObserver,
  seedUsers,
  startServer,
  timed,
} from './harness';
import { formatMs, spreadOf } from './stats';
import {
  buildPayloads,
  CALLS_PER_CYCLE,
  type Cycle,
  type CyclePayload,
  frameworkCycle,
  rawCycle,
} from './workload';

const CYCLES = 400; // 2,000 calls
/** Cycles per slice: the two sides alternate every slice, so drift in load hits both alike. */
const SLICE = 10;
const GOAL: Goal = { kind: 'at-most', limit: 1.1 };
/** The OpenAPI check parses each body once more and runs a compiled Ajv validator: a few percent. */
const CONTRACT_GOAL: Goal = { kind: 'at-most', limit: 1.05 };
/** What a green test pays for the chance of a reproduction: a reference kept per call, no file. */
const RECORDING_GOAL: Goal = { kind: 'at-most', limit: 1.05 };

async function runSlice(cycle: Cycle, payloads: readonly CyclePayload[]): Promise<void> {
  for (const payload of payloads) await cycle(payload);
}

/** The same 2,000 calls through UsersApi and through bare APIRequestContext, sliced and interleaved. */
export const overhead: Benchmark = {
  name: 'overhead',
  title:
    'UsersApi (retry, schemas, logging, report-step work) vs raw APIRequestContext; the OpenAPI check and repro recording alone',
  async run({ quick, progress }) {
    const repetitions = quick ? 2 : 7;
    const server = await startServer();
    const environment = localEnvironment(server.baseUrl);
    const observer = reportStepObserver();
    const framework = await openUsers(environment, [observer]);
    // The same without the OpenAPI check of each response: what the contract costs on its own.
    const unchecked = await openUsers(environment, [reportStepObserver()], { contract: 'none' });
    // The same with the fixtures' repro recorder, emptied after each slice as each test starts anew.
    const recorder = reproRecorder();
    const recorded = await openUsers(environment, [reportStepObserver(), recorder]);
    const rawContext = await request.newContext(requestContextOptions(environment));
    try {
      await seedUsers(server.baseUrl, 30);
      const viaFramework = frameworkCycle(framework.users);
      const viaUnchecked = frameworkCycle(unchecked.users);
      const viaRaw = rawCycle(rawContext);
      const viaRecorded = frameworkCycle(recorded.users);
      // Warm-up: JIT, connection pools, the server's routes.
      await runSlice(viaFramework, buildPayloads(40, 1));
      await runSlice(viaRaw, buildPayloads(40, 2));
      await runSlice(viaUnchecked, buildPayloads(40, 3));
      await runSlice(viaRecorded, buildPayloads(40, 4));

      const ratios: number[] = [];
      const contractRatios: number[] = [];
      const recordingRatios: number[] = [];
      const frameworkPerCall: number[] = [];
      const rawPerCall: number[] = [];
      let reportChars = 0;
      for (let rep = 0; rep < repetitions; rep += 1) {
        const forFramework = buildPayloads(CYCLES, 100 + rep);
        const forRaw = buildPayloads(CYCLES, 200 + rep);
        const forUnchecked = buildPayloads(CYCLES, 300 + rep);
        const forRecorded = buildPayloads(CYCLES, 400 + rep);
        let frameworkMs = 0;
        let rawMs = 0;
        let uncheckedMs = 0;
        let recordedMs = 0;
        for (let start = 0; start < CYCLES; start += SLICE) {
          const sides = [
            async () =>
              (frameworkMs += await timed(() =>
                runSlice(viaFramework, forFramework.slice(start, start + SLICE)),
              )),
            async () =>
              (rawMs += await timed(() => runSlice(viaRaw, forRaw.slice(start, start + SLICE)))),
            async () =>
              (uncheckedMs += await timed(() =>
                runSlice(viaUnchecked, forUnchecked.slice(start, start + SLICE)),
              )),
            async () => {
              recordedMs += await timed(() =>
                runSlice(viaRecorded, forRecorded.slice(start, start + SLICE)),
              );
              recorder.calls.length = 0;
              recorder.refusals.clear();
            },
          ];
          // Each slice starts with another side, so drift in load hits all three alike.
          const first = (start / SLICE + rep) % sides.length;
          for (let i = 0; i < sides.length; i += 1) await sides[(first + i) % sides.length]?.();
        }
        const calls = CYCLES * CALLS_PER_CYCLE;
        ratios.push(frameworkMs / rawMs);
        contractRatios.push(frameworkMs / uncheckedMs);
        recordingRatios.push(recordedMs / frameworkMs);
        frameworkPerCall.push(frameworkMs / calls);
        rawPerCall.push(rawMs / calls);
        reportChars = observer.bytes / observer.calls.length;
        observer.calls.length = 0;
        observer.bytes = 0;
        progress(
          `overhead ${rep + 1}/${repetitions}: ${formatMs(frameworkMs / calls)} vs ${formatMs(rawMs / calls)} per call, ratio ${(frameworkMs / rawMs).toFixed(3)}`,
        );
      }
      const ratio = spreadOf(ratios);
      const figure: Figure = {
        benchmark: 'overhead',
        figure: `UsersApi ÷ raw APIRequestContext (${CYCLES * CALLS_PER_CYCLE} calls)`,
        ratio,
        goal: GOAL,
        met: meets(GOAL, ratio.median),
        detail: `per call ${formatMs(spreadOf(frameworkPerCall).median)} vs ${formatMs(spreadOf(rawPerCall).median)}; report-step text ${Math.round(reportChars)} chars per call`,
      };
      const contract = spreadOf(contractRatios);
      const recording = spreadOf(recordingRatios);
      return [
        figure,
        {
          benchmark: 'overhead',
          figure: 'UsersApi ÷ UsersApi without the OpenAPI check of each response',
          ratio: contract,
          goal: CONTRACT_GOAL,
          met: meets(CONTRACT_GOAL, contract.median),
          detail: 'the cost of validating every response against the generated OpenAPI document',
        },
        {
          benchmark: 'overhead',
          figure: 'UsersApi recording for a reproduction ÷ UsersApi without (a green run)',
          ratio: recording,
          goal: RECORDING_GOAL,
          met: meets(RECORDING_GOAL, recording.median),
          detail: `what a passing test pays for its repro: ${SLICE * CALLS_PER_CYCLE} calls kept per test, no file written`,
        },
      ];
    } finally {
      await rawContext.dispose();
      await framework.dispose();
      await unchecked.dispose();
      await recorded.dispose();
      await server.stop();
    }
  },
};
