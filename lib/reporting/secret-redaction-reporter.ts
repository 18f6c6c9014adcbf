import fs from 'node:fs';

import type {
  FullConfig,
  Reporter,
  TestCase,
  TestError,
  TestResult,
  TestStep,
} from '@playwright/test/reporter';

import { configuredSecrets, redactBytes, redactDeep, redactSecrets } from '../logging/redact';

export interface SecretRedactionOptions {
  /** Extra folders or files to sweep once every reporter has written its output (blob, Allure results, JUnit). */
  sweep?: string[];
  /** Secret values to mask; defaults to every configured `*_API_TOKEN`, `MOCK_TOKEN` and the like. */
  secrets?: string[];
}

type Attachment = TestResult['attachments'][number];

/**
 * Masks every configured secret in what the other reporters receive. Playwright traces store request
 * headers verbatim (Authorization included) and offer no redaction, so this reporter must be listed
 * first (after the step-title reporter, which only completes step titles and which this one masks
 * again): reporters are called in order, and it rewrites attachments (trace zips included), step
 * titles and parameters, errors and output in place before the HTML, blob, JUnit and Allure
 * reporters read or copy them. What it cannot reach in time (a secret printed straight to stdout
 * reaches the blob's event stream as it happens), it masks after the run by sweeping the outputs.
 */
export default class SecretRedactionReporter implements Reporter {
  private readonly secrets: readonly string[];
  private readonly seen = new WeakSet<Attachment>();
  private readonly sweep: string[];
  private outputDirs: string[] = [];
  private rewritten = 0;

  constructor(options: SecretRedactionOptions = {}) {
    this.secrets = options.secrets ?? configuredSecrets();
    this.sweep = options.sweep ?? [];
  }

  printsToStdio(): boolean {
    return false;
  }

  onConfigure(config: FullConfig): void {
    this.outputDirs = [...new Set(config.projects.map((project) => project.outputDir))];
  }

  onStepBegin(_test: TestCase, _result: TestResult, step: TestStep): void {
    if (!this.enabled) return;
    step.title = redactSecrets(step.title, this.secrets);
    // Internal but serialized by the blob reporter: the arguments of Playwright API calls.
    const withParams = step as TestStep & { params?: Record<string, unknown> };
    if (withParams.params !== undefined) redactDeep(withParams.params, this.secrets);
  }

  onStepEnd(_test: TestCase, result: TestResult, step: TestStep): void {
    if (!this.enabled) return;
    // The step-title reporter, listed before this one, completes titles from annotations at the end.
    step.title = redactSecrets(step.title, this.secrets);
    redactDeep(step.annotations, this.secrets);
    if (step.error !== undefined) redactDeep(step.error, this.secrets);
    this.scrubAttachments(result.attachments);
  }

  onTestEnd(_test: TestCase, result: TestResult): void {
    if (!this.enabled) return;
    this.scrubAttachments(result.attachments);
    redactDeep([result.errors, result.error, result.annotations], this.secrets);
    for (const chunks of [result.stdout, result.stderr]) {
      chunks.forEach((chunk, i) => {
        chunks[i] =
          typeof chunk === 'string'
            ? redactSecrets(chunk, this.secrets)
            : (redactBytes(chunk, this.secrets) ?? chunk);
      });
    }
  }

  onError(error: TestError): void {
    if (this.enabled) redactDeep(error, this.secrets);
  }

  onExit(): Promise<void> {
    // Every reporter has finished onEnd (blob zip, Allure files, JUnit XML) before onExit runs.
    if (this.enabled) {
      for (const target of [...this.outputDirs, ...this.sweep])
        this.rewritten += redactPath(target, this.secrets).length;
    }
    if (this.rewritten > 0)
      console.log(`secret redaction: masked configured secrets in ${this.rewritten} artifact(s)`);
    return Promise.resolve();
  }

  private get enabled(): boolean {
    return this.secrets.length > 0;
  }

  private scrubAttachments(attachments: Attachment[]): void {
    for (const attachment of attachments) {
      if (this.seen.has(attachment)) continue;
      this.seen.add(attachment);
      if (attachment.body !== undefined) {
        const body = redactBytes(attachment.body, this.secrets);
        if (body !== undefined) {
          attachment.body = body;
          this.rewritten += 1;
        }
      }
      if (attachment.path !== undefined && redactFile(attachment.path, this.secrets))
        this.rewritten += 1;
    }
  }
}

/**
 * Rewrites a file in place when it holds a secret; returns whether it did. Synchronous on purpose:
 * Playwright does not await `onTestEnd`, so the rewrite must be finished before the next reporter
 * copies the file.
 */
export function redactFile(path: string, secrets: readonly string[]): boolean {
  if (!fs.statSync(path, { throwIfNoEntry: false })?.isFile()) return false;
  const redacted = redactBytes(fs.readFileSync(path), secrets);
  if (redacted === undefined) return false;
  fs.writeFileSync(path, redacted);
  return true;
}

/** Rewrites a file, or every file under a folder; returns the files it changed. */
export function redactPath(target: string, secrets: readonly string[]): string[] {
  const stat = fs.statSync(target, { throwIfNoEntry: false });
  if (stat === undefined) return [];
  if (!stat.isDirectory()) return redactFile(target, secrets) ? [target] : [];
  return fs
    .readdirSync(target, { recursive: true, withFileTypes: true })
    .map((entry) => `${entry.parentPath}/${entry.name}`)
    .filter((path) => redactFile(path, secrets));
}
