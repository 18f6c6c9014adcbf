import fs from 'node:fs';
import path from 'node:path';

import { buildAllureReport } from './report';
import { type ChildRun, childEnv, runPlaywright } from './support/child-process';

const REPO = path.resolve(__dirname, '..');

export interface LocalShardsOptions {
  /** Folder for everything the demo writes; each shard's outputs go to `<root>/shard-N`. */
  root: string;
  shards: number;
  /** Extra arguments, e.g. `-c <config>` or `--grep @smoke`. */
  args?: string[];
  /** Environment of each shard run (it must switch on the blob reporter, e.g. CI=1). */
  env?: (shard: number) => NodeJS.ProcessEnv;
  /** Where each shard leaves its blob and Allure results, relative to the repository. */
  outputsOf?: (shard: number) => { blobDir: string; allureResults: string };
}

export interface LocalShardsResult {
  shardRuns: ChildRun[];
  blobDir: string;
  htmlReport: string;
  allureReport: string;
}

/**
 * What the CI workflow does, on one machine: runs the shards one after another, gathers their blob
 * reports and Allure results, merges the blobs into one HTML report and the results into one Allure
 * report.
 */
export async function runShardsLocally(options: LocalShardsOptions): Promise<LocalShardsResult> {
  const root = path.resolve(options.root);
  const blobDir = path.join(root, 'all-blob-reports');
  const allureDir = path.join(root, 'all-allure-results');
  fs.rmSync(root, { recursive: true, force: true });
  fs.mkdirSync(blobDir, { recursive: true });
  const shardRuns: ChildRun[] = [];
  for (let shard = 1; shard <= options.shards; shard++) {
    const outputs = options.outputsOf?.(shard) ?? {
      blobDir: 'blob-report',
      allureResults: 'allure-results',
    };
    // A shard that dies before its reporters run leaves no blob: an earlier run's must not stand in.
    fs.rmSync(path.resolve(REPO, outputs.blobDir), { recursive: true, force: true });
    const run = await runPlaywright(
      ['test', ...(options.args ?? []), '--shard', `${shard}/${options.shards}`],
      options.env?.(shard) ?? childEnv({ CI: '1' }),
    );
    shardRuns.push(run);
    // Copied after each shard, as the CI's artifact upload does: the next shard wipes both.
    const blobs = fs.existsSync(path.resolve(REPO, outputs.blobDir))
      ? fs.readdirSync(path.resolve(REPO, outputs.blobDir)).filter((f) => f.endsWith('.zip'))
      : [];
    if (blobs.length === 0)
      throw new Error(
        `shard ${shard}/${options.shards} left no blob report (exit ${String(run.exitCode)}):\n${run.output.slice(-2000)}`,
      );
    for (const blob of blobs)
      fs.copyFileSync(path.resolve(REPO, outputs.blobDir, blob), path.join(blobDir, blob));
    fs.cpSync(path.resolve(REPO, outputs.allureResults), path.join(allureDir, `shard-${shard}`), {
      recursive: true,
    });
  }
  const htmlReport = path.join(root, 'playwright-report');
  const merge = await runPlaywright(
    ['merge-reports', '--reporter', './lib/reporting/step-title-reporter.ts,html', blobDir],
    childEnv({ PLAYWRIGHT_HTML_OUTPUT_DIR: htmlReport, PLAYWRIGHT_HTML_OPEN: 'never' }),
  );
  if (merge.exitCode !== 0) throw new Error(`merge-reports failed:\n${merge.output}`);
  const shardResults = fs.readdirSync(allureDir).map((dir) => path.join('all-allure-results', dir));
  const allureReport = await buildAllureReport(root, shardResults);
  return { shardRuns, blobDir, htmlReport, allureReport };
}

if (require.main === module) {
  // `npx tsx scripts/shards.ts --grep @smoke`: the main suite in two shards, merged like the CI does.
  runShardsLocally({
    root: '.tmp/shards',
    shards: 2,
    args: process.argv.slice(2),
    // CI=1 switches on the blob reporter, as on the CI machines; credentials come from the shell or .env.
    env: () => ({ ...process.env, CI: '1' }),
  })
    .then(({ shardRuns, htmlReport, allureReport }) => {
      shardRuns.forEach((run, i) => {
        console.log(
          `shard ${i + 1}/2: exit ${String(run.exitCode)} in ${Math.round(run.durationMs / 1000)} s`,
        );
      });
      console.log(`merged HTML report: ${htmlReport}\nmerged Allure report: ${allureReport}`);
      // Like the CI: the reports are built either way, and a failed shard fails the whole.
      if (shardRuns.some((run) => run.exitCode !== 0)) process.exitCode = 1;
    })
    .catch((error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exitCode = 1;
    });
}
