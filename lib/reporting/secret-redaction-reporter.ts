import type {
  FullConfig,
  Reporter,
  TestCase,
  TestError,
  TestResult,
  TestStep,
} from '@playwright/test/reporter';

import { ArtifactScrubber } from './artifact-scrubber';
import { configuredSecrets } from './secrets';

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
 * FIRST: reporters are called in order, and it rewrites attachments (trace zips included), step
 * titles and parameters, errors and output in place before the HTML, blob, JUnit and Allure
 * reporters read or copy them. What it cannot reach in time (a secret printed straight to stdout
 * reaches the blob's event stream as it happens), it masks after the run by sweeping the outputs.
 */
export default class SecretRedactionReporter implements Reporter {
  private readonly scrubber: ArtifactScrubber;
  private readonly seen = new WeakSet<Attachment>();
  private readonly sweep: string[];
  private outputDirs: string[] = [];
  private rewritten = 0;

  constructor(options: SecretRedactionOptions = {}) {
    this.scrubber = new ArtifactScrubber(options.secrets ?? configuredSecrets());
    this.sweep = options.sweep ?? [];
  }

  printsToStdio(): boolean {
    return false;
  }

  onConfigure(config: FullConfig): void {
    this.outputDirs = [...new Set(config.projects.map((project) => project.outputDir))];
  }

  onStepBegin(_test: TestCase, _result: TestResult, step: TestStep): void {
    if (!this.scrubber.enabled) return;
    step.title = this.scrubber.text(step.title);
    // Internal but serialized by the blob reporter: the arguments of Playwright API calls.
    const withParams = step as TestStep & { params?: Record<string, unknown> };
    if (withParams.params !== undefined) this.scrubber.deep(withParams.params);
  }

  onStepEnd(_test: TestCase, result: TestResult, step: TestStep): void {
    if (!this.scrubber.enabled) return;
    if (step.error !== undefined) this.scrubber.deep(step.error);
    this.scrubAttachments(result.attachments);
  }

  onTestEnd(_test: TestCase, result: TestResult): void {
    if (!this.scrubber.enabled) return;
    this.scrubAttachments(result.attachments);
    this.scrubber.deep(result.errors);
    if (result.error !== undefined) this.scrubber.deep(result.error);
    this.scrubber.deep(result.annotations);
    scrubOutput(result.stdout, this.scrubber);
    scrubOutput(result.stderr, this.scrubber);
  }

  onError(error: TestError): void {
    if (this.scrubber.enabled) this.scrubber.deep(error);
  }

  onExit(): Promise<void> {
    // Every reporter has finished onEnd (blob zip, Allure files, JUnit XML) before onExit runs.
    if (this.scrubber.enabled) {
      for (const target of [...this.outputDirs, ...this.sweep])
        this.rewritten += this.scrubber.path(target).length;
    }
    if (this.rewritten > 0)
      console.log(`secret redaction: masked configured secrets in ${this.rewritten} artifact(s)`);
    return Promise.resolve();
  }

  private scrubAttachments(attachments: Attachment[]): void {
    for (const attachment of attachments) {
      if (this.seen.has(attachment)) continue;
      this.seen.add(attachment);
      if (attachment.body !== undefined) {
        const body = this.scrubber.bytes(attachment.body);
        if (body !== undefined) {
          attachment.body = body;
          this.rewritten += 1;
        }
      }
      if (attachment.path !== undefined && this.scrubber.file(attachment.path)) this.rewritten += 1;
    }
  }
}

function scrubOutput(chunks: (string | Buffer)[], scrubber: ArtifactScrubber): void {
  chunks.forEach((chunk, i) => {
    chunks[i] = typeof chunk === 'string' ? scrubber.text(chunk) : (scrubber.bytes(chunk) ?? chunk);
  });
}
