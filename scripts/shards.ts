import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import { buildAllureReport } from './report';

const REPO = path.resolve(__dirname, '..');
const PLAYWRIGHT_CLI = path.join(REPO, 'node_modules/@playwright/test/cli.js');

export interface ProcessRun {
  exitCode: number;
  output: string;
  durationMs: number;
}

/**
 * Variables a child run must not inherit: the parent worker's own, environment settings and real
 * credentials from the shell, the embedded server's settings, CI job files.
 */
const INHERITED_BUT_NOT_WANTED =
  /^(TEST_|PW_|PLAYWRIGHT_|GITHUB_STEP_SUMMARY$|FORCE_COLOR$)|_(BASE_URL|API_TOKEN)$|^(MOCK|LOCAL|STAGING|QA|PRODUCTION)_/;

/** The parent's environment minus anything that would tie a child Playwright run to it. */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env))
    if (!INHERITED_BUT_NOT_WANTED.test(name)) env[name] = value;
  return { ...env, NO_COLOR: '1', ...extra };
}

/** Runs `playwright <args>` from the repository root and collects its output. */
export function runPlaywright(
  args: string[],
  env: NodeJS.ProcessEnv = childEnv(),
): Promise<ProcessRun> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [PLAYWRIGHT_CLI, ...args], { cwd: REPO, env });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      resolve({ exitCode: code ?? 1, output, durationMs: Date.now() - started });
    });
  });
}

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
  shardRuns: ProcessRun[];
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
  const shardRuns: ProcessRun[] = [];
  for (let shard = 1; shard <= options.shards; shard++) {
    const run = await runPlaywright(
      ['test', ...(options.args ?? []), '--shard', `${shard}/${options.shards}`],
      options.env?.(shard) ?? childEnv({ CI: '1' }),
    );
    shardRuns.push(run);
    const outputs = options.outputsOf?.(shard) ?? {
      blobDir: 'blob-report',
      allureResults: 'allure-results',
    };
    // Copied after each shard, as the CI's artifact upload does: the next shard wipes both.
    const blobs = fs
      .readdirSync(path.resolve(REPO, outputs.blobDir))
      .filter((f) => f.endsWith('.zip'));
    for (const blob of blobs)
      fs.copyFileSync(path.resolve(REPO, outputs.blobDir, blob), path.join(blobDir, blob));
    fs.cpSync(path.resolve(REPO, outputs.allureResults), path.join(allureDir, `shard-${shard}`), {
      recursive: true,
    });
  }
  const htmlReport = path.join(root, 'playwright-report');
  const merge = await runPlaywright(
    ['merge-reports', '--reporter', 'html', blobDir],
    childEnv({ PLAYWRIGHT_HTML_OUTPUT_DIR: htmlReport, PLAYWRIGHT_HTML_OPEN: 'never' }),
  );
  if (merge.exitCode !== 0) throw new Error(`merge-reports failed:\n${merge.output}`);
  const shardResults = fs.readdirSync(allureDir).map((dir) => path.join('all-allure-results', dir));
  const allureReport = buildAllureReport(root, shardResults);
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
          `shard ${i + 1}/2: exit ${run.exitCode} in ${Math.round(run.durationMs / 1000)} s`,
        );
      });
      console.log(`merged HTML report: ${htmlReport}\nmerged Allure report: ${allureReport}`);
    })
    .catch((error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exitCode = 1;
    });
}
