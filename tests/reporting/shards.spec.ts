import fs from 'node:fs';
import path from 'node:path';

import { expect, test } from '@playwright/test';

import { childEnv, runPlaywright } from '../../scripts/support/child-process';
import { readOutcomes, runChildSuite, type TestOutcome } from './support/child-suite';

const ROOT = path.resolve('.tmp/reporting/shards');
const TOKEN = 'shards-test-token';

test('two shards merged hold every test once, with the outcomes of the unsharded run', async () => {
  // Three child runs at once, then a merge: slow on a busy machine.
  test.setTimeout(240_000);
  const whole = path.join(ROOT, 'whole');
  const shardRoot = (shard: number) => path.join(ROOT, `shard-${shard}`);

  const [wholeRun, ...shardRuns] =
    await test.step('run the fixture suite whole and in two shards', () =>
      // Each run has its own server on its own port, and its own folder, so the three can run at once.
      Promise.all([
        runChildSuite({ root: whole, token: TOKEN }),
        ...[1, 2].map((shard) =>
          runChildSuite({ root: shardRoot(shard), token: TOKEN, args: ['--shard', `${shard}/2`] }),
        ),
      ]));
  expect(wholeRun.output).toContain('API health');

  const merged = await test.step('merge the shards\u2019 blob reports as the CI does', async () => {
    const blobs = path.join(ROOT, 'all-blob-reports');
    fs.mkdirSync(blobs, { recursive: true });
    for (const shard of [1, 2]) {
      const files = fs.readdirSync(path.join(shardRoot(shard), 'blob-report'));
      expect(files, `shard ${shard} left one blob`).toEqual([`report-${shard}.zip`]);
      for (const file of files)
        fs.copyFileSync(path.join(shardRoot(shard), 'blob-report', file), path.join(blobs, file));
    }
    const output = path.join(ROOT, 'merged.json');
    const merge = await runPlaywright(
      ['merge-reports', '--reporter', 'json', blobs],
      childEnv({ PLAYWRIGHT_JSON_OUTPUT_FILE: output }),
    );
    expect(merge.exitCode, merge.output).toBe(0);
    return readOutcomes(output);
  });

  const unsharded = readOutcomes(path.join(whole, 'results.json'));
  const shards = [1, 2].map((shard) => readOutcomes(path.join(shardRoot(shard), 'results.json')));
  const ids = (outcomes: TestOutcome[]) => outcomes.map((o) => o.test);

  expect(unsharded.length, 'the fixture suite has several tests').toBeGreaterThanOrEqual(5);
  // Playwright exits 1 when a test failed and 0 when none did; any other code (a crash, a bad
  // config) means the run itself broke.
  const exitCodeFor = (outcomes: TestOutcome[]) =>
    outcomes.some((o) => o.status === 'unexpected') ? 1 : 0;
  expect(wholeRun.exitCode, wholeRun.output).toBe(exitCodeFor(unsharded));
  shardRuns.forEach((run, i) => {
    expect(run.exitCode, run.output).toBe(exitCodeFor(shards[i] ?? []));
  });
  for (const shard of shards) expect(shard.length, 'each shard ran a part').toBeGreaterThan(0);
  expect(ids(merged), 'no test is lost or run twice').toEqual([...new Set(ids(merged))]);
  expect(ids(shards.flat()).sort(), 'the shards split the suite').toEqual(ids(unsharded));
  expect(merged, 'merged report equals the unsharded run').toEqual(unsharded);
});
