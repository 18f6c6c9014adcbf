import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import { runNode } from './support/child-process';
import { serveFolder } from './support/static-server';

/** The Allure 3 configuration every report build uses. */
export const ALLURE_CONFIG = path.resolve(__dirname, '../lib/reporting/allurerc.mjs');
// The package exports no subpaths, so its CLI is found by location.
const ALLURE_CLI = path.resolve(__dirname, '../node_modules/allure/cli.js');

/**
 * Builds the Allure report of the results under `root` into `<root>/allure-report`, offline (the
 * `allure` npm package, no Java), keeping history in `<root>/reports/allure-history.jsonl`.
 * Returns the report folder, whose `index.html` is always this build's.
 */
export async function buildAllureReport(
  root = '.',
  resultsDirs: string[] = ['allure-results'],
): Promise<string> {
  const cwd = path.resolve(root);
  const missing = resultsDirs.filter((dir) => !fs.existsSync(path.resolve(cwd, dir)));
  if (missing.length > 0)
    throw new Error(
      `No Allure results in ${missing.join(', ')} (under ${cwd}): run the tests first (npx playwright test).`,
    );
  fs.mkdirSync(path.join(cwd, 'reports'), { recursive: true });
  // Allure writes each plugin's report to `<output>/<plugin>/` and moves it up only when that is the
  // output's one folder: into a previous build it would write `awesome/` beside a stale index.html.
  const report = path.join(cwd, 'allure-report');
  fs.rmSync(report, { recursive: true, force: true });
  const run = await runNode([ALLURE_CLI, 'generate', '--config', ALLURE_CONFIG, ...resultsDirs], {
    cwd,
    env: { ...process.env, NO_COLOR: '1' },
  });
  if (run.exitCode !== 0)
    throw new Error(`allure generate failed (exit ${String(run.exitCode)}):\n${run.output}`);
  return report;
}

/**
 * Serves the built report on 127.0.0.1 (`allure open` has no host option and listens on every
 * interface, showing the report's bodies to the whole network) and opens it in the browser unless
 * `browser` is false; runs until the process is stopped.
 */
async function serve(root: string, browser: boolean): Promise<void> {
  const report = path.resolve(root, 'allure-report');
  if (!fs.existsSync(path.join(report, 'index.html')))
    throw new Error(`No Allure report in ${report}: build it first (npm run report).`);
  const { url } = await serveFolder(report);
  console.log(`Allure report: ${url} (Ctrl-C to stop)`);
  if (browser) openInBrowser(url);
}

/** Opens a URL in the desktop's browser, if there is one; nothing happens when there is none. */
function openInBrowser(url: string): void {
  const [command, ...args] =
    process.platform === 'darwin'
      ? ['open', url]
      : process.platform === 'win32'
        ? ['cmd', '/c', 'start', '""', url]
        : ['xdg-open', url];
  const child = spawn(command, args, { stdio: 'ignore', detached: true });
  child.on('error', () => undefined);
  child.unref();
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const browser = !args.includes('--no-browser');
  const [command = 'build', root = '.'] = args.filter((arg) => !arg.startsWith('--'));
  const fail = (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  };
  if (command === 'open') serve(root, browser).catch(fail);
  else
    buildAllureReport(root).then((report) => {
      console.log(`Allure report: ${report}`);
    }, fail);
}
