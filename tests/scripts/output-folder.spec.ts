import fs from 'node:fs';
import path from 'node:path';

import { expect, test } from '@playwright/test';

import { childEnv, runPlaywright } from '../../scripts/support/child-process';

const ROOT = path.resolve(__dirname, '..', '..');

/** Every folder under `dir` (itself included) that holds nothing. */
function emptyFolders(dir: string): string[] {
  const entries = fs.readdirSync(dir, { withFileTypes: true });
  const nested = entries
    .filter((entry) => entry.isDirectory())
    .flatMap((entry) => emptyFolders(path.join(dir, entry.name)));
  return entries.length === 0 ? [dir, ...nested] : nested;
}

test.describe('a green run leaves nothing behind in its output folder', () => {
  test.describe.configure({ timeout: 180_000 });

  test('the CRUD and payload specs pass and leave no empty folder; reports go to their own folder', async () => {
    const out = path.join(ROOT, '.tmp', 'output-folder', 'results');
    const reports = path.join(ROOT, '.tmp', 'output-folder', 'reports');
    fs.rmSync(out, { recursive: true, force: true });
    fs.rmSync(reports, { recursive: true, force: true });
    const run = await runPlaywright(
      [
        'test',
        '--project=local',
        'tests/api/crud.spec.ts',
        'tests/api/payloads.spec.ts',
        '--reporter=dot',
      ],
      childEnv({ PW_OUTPUT_DIR: out, PW_REPORTS_DIR: reports, LOG_LEVEL: 'error' }),
    );
    expect(run.exitCode, run.output.slice(-4000)).toBe(0);
    expect(run.output).toMatch(/\d+ passed/);
    // Every test attached its API calls (which used to create its folder) and passed.
    expect(emptyFolders(out), 'empty folders under the output folder').toEqual([]);
    // A run of its own writes its reports under PW_REPORTS_DIR, not into the checkout that another
    // run may be writing at the same time.
    const health = JSON.parse(
      fs.readFileSync(path.join(reports, 'reports', 'api-health.json'), 'utf8'),
    ) as { calls?: unknown };
    expect(health.calls, 'calls in its own api-health.json').toEqual(expect.any(Number));
  });
});
