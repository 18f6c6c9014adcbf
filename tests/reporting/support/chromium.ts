import { execSync } from 'node:child_process';
import fs from 'node:fs';

import { type Browser, chromium } from '@playwright/test';

const CHROMIUM = '/usr/bin/chromium';

/**
 * Debian's Chromium, headless: installed with apt on first use (never `npx playwright install`),
 * so the reports are checked in a real browser without downloading Playwright's builds.
 */
export async function launchDebianChromium(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) {
    try {
      execSync('apt-get update && apt-get install -y chromium', {
        stdio: 'pipe',
        timeout: 600_000,
      });
    } catch (error) {
      throw new Error(
        `${CHROMIUM} is missing and apt-get could not install it: run as root apt-get install -y chromium`,
        { cause: error },
      );
    }
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}
