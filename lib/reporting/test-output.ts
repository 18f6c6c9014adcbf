import fs from 'node:fs';

/**
 * Removes a test's output folder when nothing was written to it. Playwright creates the folder for
 * any attachment, even one whose body stays in memory (every API call's step attaches its request
 * and response), so a passing test would otherwise leave an empty folder behind.
 */
export function removeIfEmpty(dir: string): void {
  try {
    fs.rmdirSync(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // Not there, or something was written to it (a trace, an error context): both are fine.
    if (code !== 'ENOENT' && code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error;
  }
}
