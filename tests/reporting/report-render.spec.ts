import path from 'node:path';

import { type Browser, expect as baseExpect, type Page, test } from '@playwright/test';

import { buildAllureReport } from '../../scripts/report';
import { launchDebianChromium } from './support/chromium';
import { runChildSuite } from './support/child-suite';
import { serveFolder } from '../../scripts/support/static-server';

const ROOT = path.resolve('.tmp/reporting/render');
// The reports are large single-page apps: on a busy machine they can take far longer than the
// default 10 s to render, and a wait that gives up early would fail a correct report. A test has
// several such waits, so its own limit is well above one wait's: a wait that does give up then
// fails with the page's text, not with a test timeout that has already closed the page.
const expect = baseExpect.configure({ timeout: 60_000 });
const TEST_TITLE = 'a created user reads back and is deleted';

test.describe.configure({ mode: 'serial', timeout: 300_000 });

let browser: Browser;
let page: Page;

test.beforeAll(async () => {
  test.setTimeout(240_000);
  await runChildSuite({ root: ROOT, token: 'render-test-token' });
  await buildAllureReport(ROOT);
  browser = await launchDebianChromium();
});

test.beforeEach(async () => {
  page = await browser.newPage({ viewport: { width: 1400, height: 1600 } });
});

test.afterEach(async ({}, testInfo) => {
  if (testInfo.status !== testInfo.expectedStatus)
    await testInfo.attach('page', {
      body: await page.screenshot({ fullPage: true }),
      contentType: 'image/png',
    });
  await page.close();
});

test.afterAll(async () => {
  await browser.close();
});

/** Serves one of the child run's reports and opens it in the page while `body` runs. */
async function inReport(folder: string, body: () => Promise<void>): Promise<void> {
  const server = await serveFolder(path.join(ROOT, folder));
  try {
    await page.goto(server.url);
    await body();
  } catch (error) {
    // What the page showed, in the error itself: a run's log tail then says why, without the report.
    const shown = await page
      .locator('body')
      .innerText({ timeout: 5_000 })
      .catch((e: unknown) => `(unreadable: ${String(e)})`);
    if (error instanceof Error)
      error.message += `\n\nThe page showed (first 1500 characters):\n${shown.slice(0, 1500)}`;
    throw error;
  } finally {
    await server.close();
  }
}

/** The call's request and response documents are shown, and the request's token is masked. */
async function expectCallDocuments(): Promise<void> {
  const request = page.getByText('POST /users · request', { exact: true });
  await expect(request).toBeVisible();
  await expect(page.getByText('POST /users · response', { exact: true })).toBeVisible();
  await request.click();
  await expect(
    page.getByText(/"authorization": "Bearer \$\{LOCAL_API_TOKEN\}"/).first(),
  ).toBeVisible();
}

test('the Playwright HTML report shows each API call as a step, with its request and response', async () => {
  await inReport('playwright-report', async () => {
    await page.getByText(TEST_TITLE).click();
    await expect(page.getByText(/^POST \/users → 201 \(\d+ ms\)/)).toBeVisible();
    await expect(page.getByText(/^GET \/users\/\d+ → 200 \(\d+ ms\)/)).toBeVisible();
    await expectCallDocuments();
  });
});

test('the Allure report shows each API call as a step holding its request and response', async () => {
  await inReport('allure-report', async () => {
    for (const group of ['users crud', 'users round trip'])
      await page.getByText(group, { exact: true }).click();
    await page.getByText(TEST_TITLE, { exact: true }).click();
    // A loaded machine may make the call retry (`201 (35 ms, 2 attempts)`): still the one call's step.
    const call = page.getByText(/^POST \/users → 201 \(\d+ ms(, [^)]+)?\)$/);
    await expect(call).toBeVisible();
    // Nested, not at the end of the test: hidden while the call's step is collapsed, shown when expanded.
    await expect(page.getByText('POST /users · request', { exact: true })).toBeHidden();
    await call.click();
    await expectCallDocuments();
  });
});
