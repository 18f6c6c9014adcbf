import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { expect, test } from '@playwright/test';

import { openApiDocument } from '../../lib/openapi/document';
import { SUITE_RESOURCES } from '../../lib/suite-resources';
import { childEnv, ownLines, runNode } from '../../scripts/support/child-process';

/** The command as `npm run openapi -- …` runs it, minus npm. */
const openapi = (...args: string[]) =>
  runNode(['--import', 'tsx', 'scripts/openapi.ts', ...args], { env: childEnv() });

test.describe('npm run openapi', () => {
  // Each test starts Node and loads TypeScript: seconds on a busy machine.
  test.describe.configure({ timeout: 60_000 });

  test('--out - prints the generated document', async () => {
    const run = await openapi('--out', '-', '--server-url', 'https://example.mockapi.io/api/v1');
    expect(run.exitCode, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual(
      openApiDocument(SUITE_RESOURCES, { serverUrl: 'https://example.mockapi.io/api/v1' }),
    );
  });

  test('--out FILE writes it, creating the folder, and says where', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'openapi-script-'));
    try {
      const file = path.join(dir, 'nested', 'openapi.json');
      const run = await openapi('--out', file);
      expect(run.exitCode, run.stderr).toBe(0);
      expect(run.stdout).toBe(`openapi: wrote ${file} (OpenAPI 3.1.0, 12 operations)\n`);
      expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(openApiDocument(SUITE_RESOURCES));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('--help prints the options and exits 0', async () => {
    const run = await openapi('--help');
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain('Usage: npm run openapi -- [--out FILE] [--server-url URL]');
  });

  test('a bad flag or value is one line and exit code 2', async () => {
    for (const [args, line] of [
      [['--bogus'], 'openapi: unknown option --bogus (see --help)'],
      [
        ['--server-url', 'ftp://x'],
        'openapi: --server-url ftp://x is not an http(s) URL (see --help)',
      ],
    ] as const) {
      const run = await openapi(...args);
      expect(run.exitCode, run.output).toBe(2);
      expect(ownLines(run.stderr)).toEqual([line]);
      expect(run.stdout).toBe('');
    }
  });
});
