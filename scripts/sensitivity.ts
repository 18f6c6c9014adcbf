/**
 * Sensitivity check: runs the suite on the embedded server once as it is (it must pass) and once per
 * deliberate defect (it must fail), and reports which tests caught each defect. A suite that stays
 * green on a broken server proves nothing; this exits non-zero if that happens for any defect.
 * A defect run tries the spec files that usually catch it first (scripts/support/sensitivity-suspects.ts)
 * and stops at the first failure; only if those all pass does the whole suite run against it.
 *
 *   npm run test:sensitivity [-- --defect sort-reversed --concurrency 2]
 */
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

import { defectNames } from '../server/defects';
import { runPlaywright } from './support/child-process';
import { chooseDefects, concurrencyOf, inParallel } from './support/defect-runs';
import { freePort } from './support/embedded-server';
import {
  type DefectProof,
  proveDefect,
  REPRO_PROOF_ENV,
  reportProofs,
} from './support/repro-proof';
import { suspectsOf } from './support/sensitivity-suspects';

/**
 * Every deliberate defect of the embedded server, less the one no portable suite can notice (the
 * suite runs without a token). The coverage floor (`tests/api/floor.spec.ts`) makes the suite catch
 * the value, list and id defects too, whatever the model's seed.
 */
const DEFECTS = defectNames.filter((name) => name !== 'auth-ignored');

interface RunResult {
  defect: string;
  passed: number;
  failed: string[];
  seconds: number;
  exitCode: number | null;
  /** Whether the suspects alone caught it, or the whole suite had to run. */
  scope: 'suspects' | 'suite';
}

interface JsonSuite {
  title: string;
  suites?: JsonSuite[];
  specs?: { title: string; tests: { projectName: string; results: { status: string }[] }[] }[];
}

const ROOT = path.resolve(__dirname, '..');
/** Failures after which a defect run stops: one failing test proves the defect caught. */
const MAX_FAILURES = 1;
/** Workers of a run of the suspects alone: a few spec files, where more workers cost more start-up. */
const SUSPECT_WORKERS = 1;
const OUT = path.join(ROOT, '.tmp', 'sensitivity');

function collect(
  suite: JsonSuite,
  trail: string[],
  into: { passed: number; failed: string[] },
): void {
  const here = suite.title === '' ? trail : [...trail, suite.title];
  for (const spec of suite.specs ?? []) {
    for (const t of spec.tests) {
      const last = t.results.at(-1)?.status;
      if (last === 'passed') into.passed += 1;
      // Tests stopped by --max-failures end `interrupted` or never start: neither caught anything.
      else if (last === 'failed' || last === 'timedOut')
        into.failed.push([...here, spec.title].join(' › '));
    }
  }
  for (const child of suite.suites ?? []) collect(child, here, into);
}

/** The suspects first, then, if they all pass, the whole suite; the faithful server gets the suite. */
async function runSuite(defect: string): Promise<RunResult> {
  const suspects = defect === 'none' ? [] : suspectsOf(defect);
  if (suspects.length === 0) return runOnce(defect, []);
  const first = await runOnce(defect, suspects);
  if (first.failed.length > 0) return first;
  const whole = await runOnce(defect, []);
  return { ...whole, seconds: first.seconds + whole.seconds };
}

/** One Playwright run of `files` (all of tests/api when empty) on a server with `defect`. */
async function runOnce(defect: string, files: readonly string[]): Promise<RunResult> {
  // A port the OS hands out: fixed ones may be taken on another machine.
  const port = await freePort();
  const report = path.join(OUT, `${defect}.json`);
  const run = await runPlaywright(
    [
      'test',
      '--project=local',
      '--reporter=json',
      '--retries=0',
      // The repro is what a defect run leaves; a trace of it would cost more CPU than its tests.
      '--trace=off',
      // One defect is proven caught by its first failure; running on would only cost time.
      ...(defect === 'none' ? [] : [`--max-failures=${MAX_FAILURES}`]),
      ...(files.length > 0 ? [`--workers=${SUSPECT_WORKERS}`, ...files] : []),
    ],
    {
      ...process.env,
      ...REPRO_PROOF_ENV,
      MOCK_DEFECT: defect === 'none' ? '' : defect,
      LOCAL_PORT: String(port),
      PLAYWRIGHT_JSON_OUTPUT_FILE: report,
      // Each run keeps its own artifacts, so parallel runs never share a folder.
      PW_OUTPUT_DIR: path.join(OUT, defect),
      PW_REPORTS_DIR: path.join(OUT, defect),
      LOG_LEVEL: 'silent',
      // The tests must catch each defect themselves: a preflight that stops the run (an API that is
      // always down, a wrong content type) would leave no test to prove anything.
      PREFLIGHT: 'off',
      // A defect such as deletes that never show would otherwise wait out every poll's full window.
      ...(defect === 'none' ? {} : { LOCAL_POLL_TIMEOUT_MS: '2500' }),
    },
  );
  const tally = { passed: 0, failed: [] as string[] };
  try {
    const json = JSON.parse(readFileSync(report, 'utf8')) as { suites: JsonSuite[] };
    for (const suite of json.suites) collect(suite, [], tally);
  } catch (error) {
    throw new Error(
      `the run with defect "${defect}" left no JSON report (${String(error)}):\n${run.stderr.slice(-2000)}`,
      { cause: error },
    );
  }
  return {
    defect,
    ...tally,
    seconds: run.durationMs / 1000,
    exitCode: run.exitCode,
    scope: files.length > 0 ? 'suspects' : 'suite',
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      defect: { type: 'string', multiple: true },
      concurrency: { type: 'string', default: '1' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(
      `Usage: npm run test:sensitivity [-- --defect NAME ...] [--concurrency N]\nDefects: ${DEFECTS.join(', ')}`,
    );
    return;
  }
  const defects = chooseDefects(values.defect, DEFECTS);
  const concurrency = concurrencyOf(values.concurrency);
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });

  const results: RunResult[] = [];
  // A caught defect's reproductions are proven while the next defects run, one proof at a time:
  // proving is mostly waiting (servers starting, curl and the replay sending a call at a time).
  const proofs = new Map<string, Promise<DefectProof>>();
  let proving: Promise<unknown> = Promise.resolve();
  await inParallel(['none', ...defects], concurrency, async (defect) => {
    const result = await runSuite(defect);
    results.push(result);
    if (defect !== 'none' && result.failed.length > 0) {
      const proof = proving.then(() => proveDefect({ defect, outputDir: path.join(OUT, defect) }));
      proving = proof.catch(() => undefined);
      proofs.set(defect, proof);
    }
    const verdict =
      defect === 'none'
        ? result.failed.length === 0
          ? 'green, as it must be'
          : 'RED'
        : result.failed.length > 0
          ? `caught by ${result.failed.length} test(s)${result.scope === 'suspects' ? ' among its suspects' : ''}`
          : 'NOT CAUGHT';
    console.log(`${defect.padEnd(26)} ${verdict} (${result.seconds.toFixed(1)} s)`);
  });

  console.log(
    `\nWhich tests caught each defect (each run stops at its first failure; with several workers,`,
    `tests already running may fail too):`,
  );
  const ordered = [...defects]
    .map((d) => results.find((r) => r.defect === d))
    .filter((r) => r !== undefined);
  for (const result of ordered) {
    console.log(`\n${result.defect}: ${result.failed.length} failed, ${result.passed} passed`);
    for (const title of result.failed.slice(0, 8)) console.log(`  - ${title}`);
    if (result.failed.length > 8) console.log(`  … and ${result.failed.length - 8} more`);
  }

  const baseline = results.find((r) => r.defect === 'none');
  const missed = ordered.filter((r) => r.failed.length === 0).map((r) => r.defect);
  const problems: string[] = [];
  if (baseline === undefined || baseline.failed.length > 0 || baseline.passed === 0) {
    problems.push(
      `the suite is not green on the faithful server: ${baseline?.failed.join('; ') ?? 'no run'}`,
    );
  }
  if (missed.length > 0)
    problems.push(`the suite stays green with defect(s): ${missed.join(', ')}`);
  const proven = await Promise.all(
    ordered.flatMap((r) => {
      const proof = proofs.get(r.defect);
      return proof === undefined ? [] : [proof];
    }),
  );
  problems.push(...reportProofs(proven));
  const caught = ordered.length - missed.length;
  console.log(
    `\nsensitivity: ${caught} of ${ordered.length} defects caught; baseline ${baseline?.passed ?? 0} passed, ${baseline?.failed.length ?? 0} failed`,
  );
  if (problems.length > 0) {
    for (const problem of problems) console.error(`sensitivity check failed: ${problem}`);
    process.exit(1);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
