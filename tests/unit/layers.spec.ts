import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import { expect, test } from '@playwright/test';

const ROOT = path.resolve(__dirname, '../..');
const DEPCRUISE = path.join(ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');
const CONFIG = path.join(ROOT, '.dependency-cruiser.cjs');

interface Violation {
  rule: string;
  from: string;
  to: string;
}

/**
 * Runs dependency-cruiser with this repository's rules over a small tree of files, each
 * `{ path: imports }`, and returns what it forbids. The tree stands in a temporary folder,
 * so a deliberate violation never touches the repository.
 */
async function violationsOf(tree: Record<string, string[]>): Promise<Violation[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'layers-'));
  try {
    fs.writeFileSync(path.join(dir, 'tsconfig.json'), '{}');
    for (const [file, imports] of Object.entries(tree)) {
      const target = path.join(dir, file);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      const lines = imports.map((name, i) => `import * as m${i} from '${name}';\nvoid m${i};`);
      fs.writeFileSync(target, `${lines.join('\n')}\nexport const here = 1;\n`);
    }
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        DEPCRUISE,
        '--config',
        CONFIG,
        '--output-type',
        'json',
        'lib',
        'server',
        'playwright.config.ts',
      ],
      { cwd: dir, maxBuffer: 16 * 1024 * 1024 },
    ).catch((error: unknown) => {
      // It exits non-zero when it finds violations; the JSON on stdout says which.
      if (error !== null && typeof error === 'object' && 'stdout' in error)
        return { stdout: String(error.stdout) };
      throw error;
    });
    const result = JSON.parse(stdout) as {
      summary: { violations: { rule: { name: string }; from: string; to: string }[] };
    };
    return result.summary.violations.map((v) => ({ rule: v.rule.name, from: v.from, to: v.to }));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test.describe('the layering rules (.dependency-cruiser.cjs)', () => {
  test('imports down the floors, and lib/ from outside it, pass', async () => {
    const violations = await violationsOf({
      'lib/logging/logger.ts': [],
      'lib/http/api-client.ts': ['../logging/logger'],
      'lib/config/environment.ts': ['../http/api-client'],
      'lib/resources/resource.ts': ['../config/environment'],
      'lib/reporting/api-steps.ts': ['../http/api-client', '../resources/resource'],
      'lib/fixtures.ts': ['./reporting/api-steps', './config/environment'],
      'playwright.config.ts': ['./lib/config/environment', './lib/reporting/api-steps'],
      'server/app.ts': ['./store'],
      'server/store.ts': [],
    });
    expect(violations).toEqual([]);
  });

  test('each broken rule is named, with the import that breaks it', async () => {
    const violations = await violationsOf({
      'lib/logging/logger.ts': [],
      'lib/http/api-client.ts': ['../logging/logger', '../reporting/api-steps'],
      'lib/reporting/api-steps.ts': ['../logging/logger', '../../scripts/helper'],
      'lib/resources/resource.ts': ['../../server/store', '../../tests/support'],
      'lib/extras/tool.ts': ['../logging/logger'],
      'lib/model/a.ts': ['./b'],
      'lib/model/b.ts': ['./a'],
      'playwright.config.ts': ['./scripts/helper'],
      'scripts/helper.ts': [],
      'server/store.ts': ['../lib/logging/logger'],
      'tests/support.ts': [],
    });
    const broken = violations.map((v) => `${v.rule}: ${v.from} → ${v.to}`).sort();
    expect(broken).toEqual(
      [
        'lib-layer-http: lib/http/api-client.ts → lib/reporting/api-steps.ts',
        'lib-not-outside: lib/reporting/api-steps.ts → scripts/helper.ts',
        'lib-not-outside: lib/resources/resource.ts → server/store.ts',
        'lib-not-outside: lib/resources/resource.ts → tests/support.ts',
        'lib-unlayered: lib/extras/tool.ts → lib/logging/logger.ts',
        'no-circular: lib/model/a.ts → lib/model/b.ts',
        'playwright-config-not-scripts: playwright.config.ts → scripts/helper.ts',
        'server-not-lib: server/store.ts → lib/logging/logger.ts',
      ].sort(),
    );
  });
});
