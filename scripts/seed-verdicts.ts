/**
 * Same defect, same verdict: runs the seed-dependent part of the suite (the model-based runs) and
 * the coverage floor with the paced defaults of a remote environment (the embedded server with a
 * rate limit, the client paced, so the model gets its paced budget of 3 sequences of 8 commands)
 * under N seeds per deliberate defect, and prints how many seeds caught each: with the floor
 * ("after") and, with `--before`, the model alone ("before"). The same seeds run on the faithful
 * server first (`none`): a run that fails there would count a spurious failure as a catch, so any
 * failure on it fails the measurement.
 *
 *   npm run test:seed-verdicts [-- --defect NAME ...] [--seeds 10] [--before [--no-after]] [--concurrency 2]
 */
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

import { defectNames } from '../server/defects';
import { childEnv, runPlaywright } from './support/child-process';
import { chooseDefects, concurrencyOf, inParallel } from './support/defect-runs';
import { freePort } from './support/embedded-server';

const DEFECTS = defectNames.filter((name) => name !== 'auth-ignored');
/** The faithful server, measured on the same seeds: every one of its runs must pass. */
const BASELINE = 'none';
const ROOT = path.resolve(__dirname, '..');
const OUT = path.join(ROOT, '.tmp', 'seed-verdicts');
/** The paced default of a remote environment, and a server that throttles just above it. */
const CLIENT_RPS = '8';
const SERVER_RPS = '10';
const GREPS = { before: '@model', after: '@model|@posts-model|@floor' } as const;

interface JsonSuite {
  suites?: JsonSuite[];
  specs?: { tests: { results: { status: string }[] }[] }[];
}

const statuses = (suite: JsonSuite): string[] => [
  ...(suite.specs ?? []).flatMap((spec) => spec.tests.map((t) => t.results.at(-1)?.status ?? '')),
  ...(suite.suites ?? []).flatMap(statuses),
];

/** Whether the run with this defect and seed failed a test (caught it). */
async function caught(defect: string, seed: number, grep: string, name: string): Promise<boolean> {
  const report = path.join(OUT, `${name}.json`);
  const run = await runPlaywright(
    // The first failure is the verdict: running on would only cost time.
    [
      'test',
      '--project=local',
      `--grep=${grep}`,
      '--reporter=json',
      '--retries=0',
      '--trace=off',
      '--workers=2',
      '--max-failures=1',
    ],
    childEnv({
      MOCK_DEFECT: defect === BASELINE ? '' : defect,
      MOCK_RATE_LIMIT_RPS: SERVER_RPS,
      LOCAL_RATE_LIMIT_RPS: CLIENT_RPS,
      MODEL_SEED: String(seed),
      LOCAL_PORT: String(await freePort()),
      PLAYWRIGHT_JSON_OUTPUT_FILE: report,
      PW_OUTPUT_DIR: path.join(OUT, name),
      PW_REPORTS_DIR: path.join(OUT, name),
      LOG_LEVEL: 'silent',
      PREFLIGHT: 'off',
      LOCAL_POLL_TIMEOUT_MS: '2500',
    }),
  );
  try {
    const json = JSON.parse(readFileSync(report, 'utf8')) as { suites: JsonSuite[] };
    const results = json.suites.flatMap(statuses);
    return results.some((status) => status === 'failed' || status === 'timedOut');
  } catch (error) {
    throw new Error(`${name}: no JSON report (${String(error)}):\n${run.output.slice(-2000)}`, {
      cause: error,
    });
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      defect: { type: 'string', multiple: true },
      seeds: { type: 'string', default: '10' },
      'first-seed': { type: 'string', default: '1' },
      before: { type: 'boolean', default: false },
      'no-after': { type: 'boolean', default: false },
      concurrency: { type: 'string', default: '1' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(
      `Usage: npm run test:seed-verdicts [-- --defect NAME ...] [--seeds 10] [--first-seed 1] [--before [--no-after]] [--concurrency N]\nDefects: ${DEFECTS.join(', ')}`,
    );
    return;
  }
  const defects = chooseDefects(values.defect, DEFECTS);
  const seeds = Math.max(1, Number(values.seeds) || 10);
  const firstSeed = Number(values['first-seed']) || 1;
  const modes = [
    ...(values.before ? (['before'] as const) : []),
    ...(values['no-after'] ? [] : (['after'] as const)),
  ];
  if (modes.length === 0) {
    console.error('--no-after without --before measures nothing');
    process.exit(2);
  }
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });

  const tally = new Map<string, number>();
  const jobs = [BASELINE, ...defects].flatMap((defect) =>
    modes.flatMap((mode) =>
      Array.from({ length: seeds }, (_, i) => ({ defect, mode, seed: firstSeed + i })),
    ),
  );
  await inParallel(jobs, concurrencyOf(values.concurrency), async ({ defect, mode, seed }) => {
    const hit = await caught(defect, seed, GREPS[mode], `${defect}-${mode}-${seed}`);
    const key = `${defect} ${mode}`;
    tally.set(key, (tally.get(key) ?? 0) + (hit ? 1 : 0));
    console.log(
      `${defect.padEnd(30)} ${mode.padEnd(6)} seed ${seed}: ${defect === BASELINE ? (hit ? 'FAILED' : 'green') : hit ? 'caught' : 'MISSED'}`,
    );
  });

  console.log(
    `\ncatches out of ${seeds} seeds (paced: ${CLIENT_RPS} rps, server limit ${SERVER_RPS})`,
  );
  console.log(`${'defect'.padEnd(30)} ${modes.map((m) => m.padStart(7)).join(' ')}`);
  const short: string[] = [];
  const spurious = modes.filter((mode) => (tally.get(`${BASELINE} ${mode}`) ?? 0) > 0);
  for (const defect of [BASELINE, ...defects]) {
    const cells = modes.map((mode) => `${tally.get(`${defect} ${mode}`) ?? 0}/${seeds}`);
    console.log(`${defect.padEnd(30)} ${cells.map((c) => c.padStart(7)).join(' ')}`);
    if (
      defect !== BASELINE &&
      modes.includes('after') &&
      (tally.get(`${defect} after`) ?? 0) < seeds
    )
      short.push(defect);
  }
  if (spurious.length > 0) {
    console.error(
      `\nthe faithful server failed a run (${spurious.join(', ')}): a catch may be spurious; see ${OUT}`,
    );
    process.exit(1);
  }
  if (short.length > 0) {
    console.error(`\nnot caught on every seed: ${short.join(', ')}`);
    process.exit(1);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
