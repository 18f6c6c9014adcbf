import { request } from '@playwright/test';

import { requestContextOptions } from '../../lib/users/create-users-api';
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

async function runSlice(cycle: Cycle, payloads: readonly CyclePayload[]): Promise<void> {
  for (const payload of payloads) await cycle(payload);
}

/** The same 2,000 calls through UsersApi and through bare APIRequestContext, sliced and interleaved. */
export const overhead: Benchmark = {
  name: 'overhead',
  title: 'UsersApi (retry, schemas, logging, report-step work) vs raw APIRequestContext',
  async run({ quick, progress }) {
    const repetitions = quick ? 2 : 7;
    const server = await startServer();
    const environment = localEnvironment(server.baseUrl);
    const observer = reportStepObserver();
    const framework = await openUsers(environment, [observer]);
    const rawContext = await request.newContext(requestContextOptions(environment));
    try {
      await seedUsers(server.baseUrl, 30);
      const viaFramework = frameworkCycle(framework.users);
      const viaRaw = rawCycle(rawContext);
      // Warm-up: JIT, connection pools, the server's routes.
      await runSlice(viaFramework, buildPayloads(40, 1));
      await runSlice(viaRaw, buildPayloads(40, 2));

      const ratios: number[] = [];
      const frameworkPerCall: number[] = [];
      const rawPerCall: number[] = [];
      let reportChars = 0;
      for (let rep = 0; rep < repetitions; rep += 1) {
        const forFramework = buildPayloads(CYCLES, 100 + rep);
        const forRaw = buildPayloads(CYCLES, 200 + rep);
        let frameworkMs = 0;
        let rawMs = 0;
        for (let start = 0; start < CYCLES; start += SLICE) {
          const a = () => runSlice(viaFramework, forFramework.slice(start, start + SLICE));
          const b = () => runSlice(viaRaw, forRaw.slice(start, start + SLICE));
          if ((start / SLICE + rep) % 2 === 0) {
            frameworkMs += await timed(a);
            rawMs += await timed(b);
          } else {
            rawMs += await timed(b);
            frameworkMs += await timed(a);
          }
        }
        const calls = CYCLES * CALLS_PER_CYCLE;
        ratios.push(frameworkMs / rawMs);
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
      return [figure];
    } finally {
      await rawContext.dispose();
      await framework.dispose();
      await server.stop();
    }
  },
};
