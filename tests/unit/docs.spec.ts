import fs from 'node:fs';
import path from 'node:path';

import { expect, test } from '@playwright/test';

import { environmentSchema, REMOTE_DEFAULTS } from '../../lib/config/environment';
import { CONFIGURATION_PAGE, regenerated } from '../../scripts/docs';
import { cliOptions, envName } from '../../server/cli-options';

const ROOT = path.resolve(__dirname, '../..');
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');

/** README.md and every page under docs/, as paths from the repository root. */
const PAGES = [
  'README.md',
  ...fs
    .readdirSync(path.join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

/** Every `.ts` file under a folder of the repository. */
function sources(folder: string): string[] {
  return fs
    .readdirSync(path.join(ROOT, folder), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => `${folder}/${f}`);
}

/** The first cell of each row of the Markdown tables in a page, split where it lists several. */
function firstCells(page: string): string[] {
  return page
    .split('\n')
    .filter((line) => line.startsWith('|') && !/^\|\s*-/.test(line))
    .map((line) => line.split('|')[1] ?? '')
    .flatMap((cell) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1] ?? ''));
}

/**
 * The variables the framework reads, as the code names them: `process.env.X` or `env.X`,
 * `'X_Y'` literals, and `${…}_X` templates (per environment, `<ENV>_X`).
 */
function variablesRead(): Set<string> {
  const found = new Set<string>();
  for (const file of [...sources('lib'), 'playwright.config.ts']) {
    const text = read(file);
    for (const m of text.matchAll(/\benv\.([A-Z][A-Z0-9_]*)\b/g)) found.add(m[1] ?? '');
    for (const m of text.matchAll(/'([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)'/g)) found.add(m[1] ?? '');
    for (const m of text.matchAll(/\$\{[^}]+\}_([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*)\b/g))
      found.add(`<ENV>_${m[1] ?? ''}`);
  }
  return found;
}

const SETTINGS = Object.keys(environmentSchema('docs', REMOTE_DEFAULTS).in.shape);

test.describe('the docs and the code say the same', () => {
  test('every npm script is in docs/commands.md, and every script there exists', () => {
    const scripts = Object.keys(
      (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts,
    ).sort();
    const documented = [
      ...new Set(
        firstCells(read('docs/commands.md')).flatMap((command) => {
          const m = /^npm (?:run )?([\w:-]+)/.exec(command);
          return m === null ? [] : [m[1] ?? ''];
        }),
      ),
    ].sort();
    expect(documented, 'npm scripts in docs/commands.md vs package.json').toEqual(scripts);
  });

  test('the table of environment variables is what npm run docs generates', async () => {
    const page = read(CONFIGURATION_PAGE);
    expect(await regenerated(page), `${CONFIGURATION_PAGE} is stale: run npm run docs`).toBe(page);
  });

  test('every variable the framework reads is documented, and every documented one is read', () => {
    const documented = new Set(firstCells(read(CONFIGURATION_PAGE)).flatMap((c) => c.split(', ')));
    const isDocumented = (name: string) => documented.has(name) || documented.has(`<ENV>_${name}`);
    const undocumented = [...variablesRead()].filter(
      (name) => !isDocumented(name) && !SETTINGS.includes(name),
    );
    expect(undocumented, `read by lib/ but not in ${CONFIGURATION_PAGE}`).toEqual([]);

    const readNames = variablesRead();
    const serverVariables = cliOptions.map((option) => envName(option.flag));
    const missing = [...documented]
      .filter((name) => /^(<ENV>_)?[A-Z][A-Z0-9_]*$/.test(name))
      .filter((name) => {
        const suffix = name.replace(/^<ENV>_/, '');
        if (name.startsWith('<ENV>_')) return !SETTINGS.includes(suffix) && !readNames.has(suffix);
        return !readNames.has(name) && !serverVariables.includes(name);
      });
    expect(missing, `in ${CONFIGURATION_PAGE} but read nowhere`).toEqual([]);
  });

  test('the README shows tests/api/example.spec.ts as it is', () => {
    const example = read('tests/api/example.spec.ts');
    expect(read('README.md')).toContain(`\`\`\`ts\n${example}\`\`\``);
  });

  test('every relative link resolves inside the repository', () => {
    const broken: string[] = [];
    for (const page of PAGES) {
      const text = read(page).replace(/```[\s\S]*?```/g, '');
      for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        const link = m[1] ?? '';
        if (/^[a-z]+:/i.test(link)) continue;
        const [file = '', anchor] = link.split('#');
        const target =
          file === '' ? path.join(ROOT, page) : path.resolve(ROOT, path.dirname(page), file);
        if (!target.startsWith(`${ROOT}${path.sep}`))
          broken.push(`${page}: ${link} leaves the repository`);
        else if (!fs.existsSync(target)) broken.push(`${page}: ${link} does not exist`);
        else if (anchor !== undefined && target.endsWith('.md') && !anchorsOf(target).has(anchor))
          broken.push(`${page}: ${link} names no heading there`);
      }
    }
    expect(broken).toEqual([]);
  });
});

/** The anchors GitHub gives a page's headings: lower case, punctuation dropped, spaces as `-`. */
function anchorsOf(file: string): Set<string> {
  const headings = fs
    .readFileSync(file, 'utf8')
    .replace(/```[\s\S]*?```/g, '')
    .match(/^#+ .*$/gm);
  return new Set(
    (headings ?? []).map((h) =>
      h
        .replace(/^#+ /, '')
        .toLowerCase()
        .replace(/[^\p{L}\p{N}\s_-]/gu, '')
        .replace(/\s/g, '-'),
    ),
  );
}
