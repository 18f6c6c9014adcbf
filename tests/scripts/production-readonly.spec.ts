import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { promisify } from 'node:util';

import { expect, test } from '@playwright/test';

import { freePort } from '../../scripts/demo/embedded-server';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '..', '..');

/**
 * `--project=production` must only read. The server logs every request it receives; after the run,
 * the log must hold GETs alone, and only the @readonly tests must have run.
 */
test('against production only @readonly tests run, and they send no write', async () => {
  test.setTimeout(180_000);
  const port = await freePort();
  const server = spawn(
    process.execPath,
    ['--import', 'tsx', 'server/main.ts', '--port', String(port), '--log-level', 'info'],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let log = '';
  server.stdout.setEncoding('utf8');
  server.stdout.on('data', (chunk: string) => (log += chunk));
  try {
    await expect
      .poll(() => log, { message: 'the server to start', timeout: 30_000 })
      .toContain('listening');
    const result = await run(
      process.execPath,
      [
        require.resolve('@playwright/test/cli'),
        'test',
        '--project=production',
        '--reporter=list',
        '--retries=0',
      ],
      {
        cwd: ROOT,
        maxBuffer: 16 * 1024 * 1024,
        env: {
          ...process.env,
          PRODUCTION_BASE_URL: `http://127.0.0.1:${port}/api/v1`,
          PRODUCTION_ALLOW_WRITES: '',
          PW_OUTPUT_DIR: path.join(ROOT, '.tmp', 'production-readonly'),
          LOG_LEVEL: 'error',
          NO_COLOR: '1',
        },
      },
    );
    const ran = result.stdout.split('\n').filter((line) => /\[production\] ›/.test(line));
    expect(ran.length, 'some tests ran').toBeGreaterThan(0);
    for (const line of ran) expect(line, 'only @readonly tests run').toContain('@readonly');

    const methods = log
      .split('\n')
      .filter((line) => line.includes('"incoming request"'))
      .map((line) => (JSON.parse(line) as { req: { method: string; url: string } }).req);
    expect(methods.length, 'the suite reached the server').toBeGreaterThan(0);
    expect(methods.filter((req) => req.method !== 'GET')).toEqual([]);
  } finally {
    server.kill('SIGTERM');
    await once(server, 'exit');
  }
});
