import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

import { expect, test } from '@playwright/test';
import { z } from 'zod';

import { childEnv } from '../../scripts/shards';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '..', '..');

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
  const server = spawn(
    process.execPath,
    ['--import', 'tsx', 'server/main.ts', '--port', '0', '--log-level', 'info'],
    { cwd: ROOT, env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  let errors = '';
  server.stdout.setEncoding('utf8').on('data', (chunk: string) => (log += chunk));
  server.stderr.setEncoding('utf8').on('data', (chunk: string) => (errors += chunk));
  const exited = once(server, 'exit');
  try {
    const port = await new Promise<string>((resolve, reject) => {
      const check = () => {
        const found = /listening (?:on|at) http:\/\/127\.0\.0\.1:(\d+)/.exec(log)?.[1];
        if (found === undefined) return;
        server.stdout.off('data', check);
        resolve(found);
      };
      server.stdout.on('data', check);
      void exited.then(([code]) => {
        reject(new Error(`the server exited (${String(code)}) before listening:\n${errors}`));
      });
    });

    const output = test.info().outputPath('child');
    const report = path.join(output, 'report.json');
    await run(
      process.execPath,
      [
        require.resolve('@playwright/test/cli'),
        'test',
        '--project=production',
        '--reporter=json',
        '--retries=0',
      ],
      {
        cwd: ROOT,
        maxBuffer: 16 * 1024 * 1024,
        env: childEnv({
          PRODUCTION_BASE_URL: `http://127.0.0.1:${port}/api/v1`,
          PRODUCTION_ALLOW_WRITES: '',
          // Not the checkout's .env: a developer's own PRODUCTION_* settings must not leak in.
          DOTENV_CONFIG_PATH: path.join(ROOT, 'tests/scripts/no-such.env'),
          PW_OUTPUT_DIR: path.join(output, 'test-results'),
          PLAYWRIGHT_JSON_OUTPUT_FILE: report,
          LOG_LEVEL: 'error',
        }),
      },
    );
    const specs = specsOf(jsonReport.parse(JSON.parse(fs.readFileSync(report, 'utf8'))).suites);
    expect(specs.length, 'some tests ran').toBeGreaterThan(0);
    for (const spec of specs)
      expect(spec.tags, `${spec.title}: only @readonly tests run`).toContain('readonly');

    const requests = log
      .split('\n')
      .filter((line) => line.includes('"incoming request"'))
      .map((line) => (JSON.parse(line) as { req: { method: string; url: string } }).req);
    expect(requests.length, 'the suite reached the server').toBeGreaterThan(0);
    expect(requests.filter((req) => req.method !== 'GET')).toEqual([]);
  } finally {
    server.kill('SIGTERM');
    await exited;
  }
});
