import fs from 'node:fs';
import path from 'node:path';

import { z } from 'zod';

import { type ChildRun, childEnv, runPlaywright } from '../../../scripts/support/child-process';
import { freePort } from '../../../scripts/support/embedded-server';

/** The small suite the reporting tests run as a child: passing, retried and deliberately failing specs. */
export const CHILD_CONFIG = 'tests/reporting/fixtures/child.config.ts';

export interface ChildSuiteOptions {
  /** Folder for every output of the run (test-results, reports); emptied first. */
  root: string;
  /** Token the server demands and the suite sends. */
  token: string;
  args?: string[];
  env?: Record<string, string>;
}

/**
 * Runs the fixture suite in its own Playwright process, isolated from the run that starts it, with
 * its own embedded server on a port the OS hands out, so runs at once on one machine never collide.
 */
export async function runChildSuite(options: ChildSuiteOptions): Promise<ChildRun> {
  fs.rmSync(options.root, { recursive: true, force: true });
  return runPlaywright(
    ['test', '-c', CHILD_CONFIG, ...(options.args ?? [])],
    await childSuiteEnv(options),
  );
}

/**
 * The environment of a child run of the fixture suite: its root, a free port for its embedded
 * server, the token on both sides, and `env` on top.
 */
export async function childSuiteEnv(
  options: Pick<ChildSuiteOptions, 'root' | 'token' | 'env'>,
): Promise<NodeJS.ProcessEnv> {
  return childEnv({
    REPORTING_ROOT: options.root,
    REPORTING_PORT: String(await freePort()),
    LOCAL_API_TOKEN: options.token,
    MOCK_TOKEN: options.token,
    // Limits no loopback call or wait comes near, however busy the machine: with the defaults
    // (2 s per request, 5 s per wait) a stalled CPU could add retries or fail a wait, and change
    // the outcomes and annotations the reporting tests compare.
    LOCAL_TIMEOUT_MS: '60000',
    LOCAL_POLL_TIMEOUT_MS: '60000',
    ...options.env,
  });
}

const jsonSuite: z.ZodType<JsonSuite> = z.lazy(() =>
  z.object({
    title: z.string(),
    file: z.string(),
    specs: z.array(
      z.object({
        title: z.string(),
        tests: z.array(z.object({ projectName: z.string(), status: z.string() })),
      }),
    ),
    suites: z.array(jsonSuite).optional(),
  }),
);
interface JsonSuite {
  title: string;
  file: string;
  specs: { title: string; tests: { projectName: string; status: string }[] }[];
  suites?: JsonSuite[] | undefined;
}

/** One test of a JSON report: `[project] file › describe › title` and its outcome (expected, unexpected, flaky, skipped). */
export interface TestOutcome {
  test: string;
  status: string;
}

/** Every test of a Playwright JSON report, in a stable order. */
export function testOutcomes(report: unknown): TestOutcome[] {
  const suites = z.object({ suites: z.array(jsonSuite) }).parse(report).suites;
  const out: TestOutcome[] = [];
  const walk = (suite: JsonSuite, titles: string[]) => {
    for (const spec of suite.specs)
      for (const t of spec.tests)
        out.push({
          test: `[${t.projectName}] ${[...titles, spec.title].join(' › ')}`,
          status: t.status,
        });
    for (const child of suite.suites ?? []) walk(child, [...titles, child.title]);
  };
  for (const suite of suites) walk(suite, [path.basename(suite.file)]);
  return out.sort((a, b) => a.test.localeCompare(b.test));
}

/** Reads a JSON report file into its test outcomes. */
export function readOutcomes(file: string): TestOutcome[] {
  return testOutcomes(JSON.parse(fs.readFileSync(file, 'utf8')));
}
