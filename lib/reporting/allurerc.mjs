// @ts-check
// Allure 3 report configuration (`npm run report`). Paths resolve against the working directory,
// so the reporting tests can build a child run's report by running the CLI inside its folder.
import { readFileSync } from 'node:fs';
import { URL } from 'node:url';

import { defineConfig } from 'allure';

/** @type {import('allure').AllureConfig['categories']} */
const categories = JSON.parse(
  readFileSync(new URL('./allure-categories.json', import.meta.url), 'utf8'),
);

export default defineConfig({
  name: 'API tests',
  output: './allure-report',
  // Kept outside allure-report (which each build replaces), so trends and retries span runs.
  historyPath: './reports/allure-history.jsonl',
  historyLimit: 30,
  // The same rules as the results' categories.json (written by allure-playwright), in Allure 3 form.
  categories,
  // The end-of-run API health summary, the API coverage and the verdicts of the run's API thresholds (absent when the
  // run set none), shown with the report's global attachments. The figures behind them reach the
  // report's Metrics section as performance metrics (`api-health-<uuid>-perf.json` in the results).
  globalAttachments: [
    './reports/api-health.md',
    './reports/api-coverage.md',
    './reports/api-thresholds.md',
  ],
  plugins: {
    awesome: {
      options: {
        reportName: 'API tests',
        reportLanguage: 'en',
        groupBy: ['epic', 'feature', 'story'],
        stepTreeExpansion: 'expand_failed_only',
      },
    },
  },
});
