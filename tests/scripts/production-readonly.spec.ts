import fs from 'node:fs';
import path from 'node:path';

import { expect, test } from '@playwright/test';
import { z } from 'zod';

import {
  type ChildRun,
  childEnv,
  runPlaywright,
  type RunningChild,
  startNode,
} from '../../scripts/support/child-process';

/** Just what this test reads of Playwright's JSON report: each spec's tags, and its suites. */
interface JsonSuite {
  specs: { title: string; tags: string[] }[];
  suites?: JsonSuite[] | undefined;
}
const jsonSuite: z.ZodType<JsonSuite> = z.lazy(() =>
  z.object({
    specs: z.array(z.object({ title: z.string(), tags: z.array(z.string()) })),
    suites: z.array(jsonSuite).optional(),
  }),
);
const jsonReport = z.object({ suites: z.array(jsonSuite) });

function specsOf(suites: readonly JsonSuite[]): JsonSuite['specs'] {
  return suites.flatMap((suite) => [...suite.specs, ...specsOf(suite.suites ?? [])]);
}

/**
 * `--project=production` must only read. The server logs every request it receives; after the run,
 * the log must hold GETs alone, and only the @readonly tests must have run.
 */
test('against production only @readonly tests run, and they send no write', async () => {
  test.setTimeout(300_000);
  // Port 0: the server binds a port the OS picks and prints it, so no other process can take it.
  const server = startNode(['server/launch.mjs', '--port', '0', '--log-level', 'info'], {
    env: childEnv(),
  });
  try {
    const [, origin] = await server.waitForStdout(
      /listening (?:on|at) (http:\/\/127\.0\.0\.1:\d+)/,
    );
    const output = test.info().outputPath('child');
    const report = path.join(output, 'report.json');
    const run = await runPlaywright(
      ['test', '--project=production', '--reporter=json', '--retries=0', '--trace=off'],
      childEnv({
        PRODUCTION_BASE_URL: `${origin ?? ''}/api/v1`,
        PRODUCTION_ALLOW_WRITES: '',
        PW_OUTPUT_DIR: path.join(output, 'test-results'),
        PW_REPORTS_DIR: output,
        PLAYWRIGHT_JSON_OUTPUT_FILE: report,
        LOG_LEVEL: 'error',
      }),
    );
    expect(run.exitCode, run.output.slice(-4000)).toBe(0);
    const specs = specsOf(jsonReport.parse(JSON.parse(fs.readFileSync(report, 'utf8'))).suites);
    expect(specs.length, 'some tests ran').toBeGreaterThan(0);
    for (const spec of specs)
      expect(spec.tags, `${spec.title}: only @readonly tests run`).toContain('readonly');

    const { stdout: log } = await stopped(server);
    const requests = log
      .split('\n')
      .filter((line) => line.includes('"incoming request"'))
      .map((line) => (JSON.parse(line) as { req: { method: string; url: string } }).req);
    expect(requests.length, 'the suite reached the server').toBeGreaterThan(0);
    expect(requests.filter((req) => req.method !== 'GET')).toEqual([]);
  } finally {
    await stopped(server);
  }
});

/** Stops the server (if it still runs) and returns what it printed. */
function stopped(server: RunningChild): Promise<ChildRun> {
  server.child.kill('SIGTERM');
  return server.done;
}
