import { readFileSync } from 'node:fs';
import path from 'node:path';

import { expect, test } from '@playwright/test';

import { childEnv, runPlaywright } from '../../scripts/support/child-process';
import { freePort } from '../../scripts/support/embedded-server';

const ROOT = path.resolve(__dirname, '..', '..');
const SEQUENCES = 200;

interface JsonReport {
  suites: JsonSuite[];
}
interface JsonSuite {
  suites?: JsonSuite[];
  specs?: { tests: { annotations: { type: string; description?: string }[] }[] }[];
}

const annotations = (suite: JsonSuite): { type: string; description?: string }[] => [
  ...(suite.specs ?? []).flatMap((spec) => spec.tests.flatMap((t) => t.annotations)),
  ...(suite.suites ?? []).flatMap(annotations),
];

/**
 * The model admits every answer the contract allows: it passes against the embedded server taking
 * either side at every point the contract leaves open (`--list-semantics`, docs/model-semantics.md).
 * A rule of the model that only one side satisfies would fail here. Seeds are fixed, so a failure
 * is the same on every run; MODEL_SEED in the shell explores others.
 */
test.describe('the model against two faithful servers', () => {
  test.describe.configure({ mode: 'parallel', timeout: 300_000 });

  for (const { semantics, seed } of [
    { semantics: 'strict', seed: 2101 },
    { semantics: 'lenient', seed: 2102 },
  ]) {
    test(`--list-semantics ${semantics}: ${SEQUENCES} sequences agree with the model`, async () => {
      const name = `model-${semantics}`;
      const out = path.join(ROOT, '.tmp', 'model-two-servers', name);
      const report = path.join(out, 'report.json');
      const run = await runPlaywright(
        // No trace: 200 sequences make thousands of calls, and recording them costs more than the calls.
        [
          'test',
          '--project=local',
          '--grep=@model',
          '--reporter=json',
          '--retries=0',
          '--trace=off',
        ],
        childEnv({
          MOCK_LIST_SEMANTICS: semantics,
          LOCAL_PORT: String(await freePort()),
          LOCAL_MODEL_RUNS: String(SEQUENCES),
          LOCAL_MODEL_TIME_MS: '240000',
          MODEL_SEED: process.env.MODEL_SEED ?? String(seed),
          PLAYWRIGHT_JSON_OUTPUT_FILE: report,
          PW_OUTPUT_DIR: out,
          PW_REPORTS_DIR: out,
          LOG_LEVEL: 'silent',
        }),
      );
      expect(run.exitCode, run.output.slice(-6000)).toBe(0);
      const json = JSON.parse(readFileSync(report, 'utf8')) as JsonReport;
      const summary = json.suites.flatMap(annotations).find((a) => a.type === 'model');
      const { sequences, outOfTime } = JSON.parse(summary?.description ?? '{}') as {
        sequences?: number;
        outOfTime?: boolean;
      };
      expect(outOfTime ?? false, 'the run stopped at its time budget').toBe(false);
      expect(sequences, 'sequences run').toBe(SEQUENCES);
    });
  }
});
