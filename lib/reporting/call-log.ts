import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { z } from 'zod';

import { recordedCallSchema } from './api-health';

/**
 * The calls of a run, as its workers record them: one JSON line per test, in a folder of the run's
 * own that the global setup creates and names in `PW_CALL_LOG` (workers inherit it). The global
 * teardown judges the run from it, so the health summary and the gates do not depend on which
 * reporters run (`--reporter` replaces the configured ones; UI mode and the IDE bring their own).
 */
const entrySchema = z.object({
  project: z.string(),
  title: z.string(),
  ran: z.boolean(),
  calls: z.array(recordedCallSchema),
});
export type CallLogEntry = z.infer<typeof entrySchema>;

/** A new, empty folder for one run's call log, under the system's temporary folder. */
export function createCallLog(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'playwright-api-calls-'));
}

/** Adds one test's calls; each process writes its own file, so workers never interleave lines. */
export function appendCallLog(dir: string, entry: CallLogEntry): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.appendFileSync(path.join(dir, `${process.pid}.jsonl`), `${JSON.stringify(entry)}\n`);
}

/** Every entry of a run's call log; a line that does not parse (a killed worker's last) is skipped. */
export function readCallLog(dir: string): CallLogEntry[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((file) => file.endsWith('.jsonl'))
    .flatMap((file) => fs.readFileSync(path.join(dir, file), 'utf8').split('\n'))
    .flatMap((line) => {
      if (line.trim() === '') return [];
      try {
        return [entrySchema.parse(JSON.parse(line))];
      } catch {
        return [];
      }
    });
}

/** Removes a run's call log once it has been judged. */
export function removeCallLog(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}
