import fs from 'node:fs';
import path from 'node:path';

import AdmZip from 'adm-zip';
import { z } from 'zod';

/** A step as Playwright's HTML report stores it, with its attachments by name. */
export interface ReportStep {
  title: string;
  /** `file:line`, the file relative to the config's folder. */
  location: string | undefined;
  failed: boolean;
  attachments: string[];
  steps: ReportStep[];
}

const stepSchema: z.ZodType<RawStep> = z.lazy(() =>
  z.object({
    title: z.string(),
    location: z.object({ file: z.string(), line: z.number() }).optional(),
    error: z.string().optional(),
    attachments: z.array(z.number()),
    steps: z.array(stepSchema),
  }),
);
interface RawStep {
  title: string;
  location?: { file: string; line: number } | undefined;
  error?: string | undefined;
  attachments: number[];
  steps: RawStep[];
}
const fileSchema = z.object({
  tests: z.array(
    z.object({
      title: z.string(),
      results: z.array(
        z.object({
          steps: z.array(stepSchema),
          attachments: z.array(z.object({ name: z.string() })),
        }),
      ),
    }),
  ),
});

/**
 * The step tree of each test's first result in a Playwright HTML report (its data is a zip embedded
 * in index.html), by test title.
 */
export function htmlReportSteps(folder: string): Map<string, ReportStep[]> {
  const html = fs.readFileSync(path.join(folder, 'index.html'), 'latin1');
  const data = /data:application\/zip;base64,([A-Za-z0-9+/=]+)/.exec(html)?.[1];
  if (data === undefined) throw new Error(`${folder}/index.html holds no report data`);
  const byTitle = new Map<string, ReportStep[]>();
  for (const entry of new AdmZip(Buffer.from(data, 'base64')).getEntries()) {
    if (entry.entryName === 'report.json') continue;
    for (const t of fileSchema.parse(JSON.parse(entry.getData().toString('utf8'))).tests) {
      const result = t.results[0];
      if (result === undefined) continue;
      const convert = (step: RawStep): ReportStep => ({
        title: step.title,
        location:
          step.location === undefined
            ? undefined
            : `${path.basename(step.location.file)}:${step.location.line}`,
        failed: step.error !== undefined,
        attachments: step.attachments.map((i) => result.attachments[i]?.name ?? '?'),
        steps: step.steps.map(convert),
      });
      byTitle.set(t.title, result.steps.map(convert));
    }
  }
  return byTitle;
}
