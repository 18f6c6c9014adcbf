import fs from 'node:fs';

import type { TestCase, TestResult, TestStep } from '@playwright/test/reporter';
import type { TestResult as AllureTestResult } from 'allure-js-commons';
import { AllureReporter } from 'allure-playwright';

import { API_RETRIES_LABEL } from './allure';
import { recordedCallsOf, retriesOf } from './api-health';

/** The parts of allure-playwright 3.x this subclass relies on; they are private in its typings. */
interface AllureInternals {
  allureRuntime: {
    updateTest(uuid: string, update: (result: AllureTestResult) => void): void;
    writeAttachment(
      rootUuid: string,
      stepUuid: string | undefined,
      name: string,
      body: Buffer,
      options: { contentType: string },
    ): void;
  };
  allureResultsUuids: Map<string, string>;
  pwStepUuid: WeakMap<TestStep, string>;
  recordAttachmentTarget(
    testId: string,
    target: { name: string; stepUuid?: string; processedAtStepEnd?: boolean },
  ): void;
}

/**
 * allure-playwright, with attachments made by `test.step(..., step => step.attach(...))` kept on
 * their step. Since Playwright 1.53 such attachments arrive on the step itself rather than as
 * separate attach steps, and allure-playwright (up to at least 3.12) then moves them to the end of
 * the test (allure-framework/allure-js#1303). Each API call's request and response would lose their
 * call; here they are written onto the call's Allure step as it ends, and marked as handled so the
 * base class does not add them again when the test ends.
 */
export default class StepAttachmentsAllureReporter extends AllureReporter {
  private cleaned = false;

  /**
   * Starts each run with empty results (when the first test starts, so `--list` keeps them): history
   * lives in the report's history file, and leftovers of earlier runs would show up as retries.
   */
  override onTestBegin(test: TestCase): void {
    const dir = this.options.resultsDir;
    if (!this.cleaned && dir !== undefined) {
      fs.rmSync(dir, { recursive: true, force: true });
      this.cleaned = true;
    }
    super.onTestBegin(test);
  }

  /** Labels the result with the API client's retries, read from the test's `api-calls.json`. */
  override async onTestEnd(test: TestCase, result: TestResult): Promise<void> {
    const retries = retriesOf(recordedCallsOf(result.attachments));
    const internals = this as unknown as AllureInternals;
    const testUuid = internals.allureResultsUuids.get(test.id);
    if (retries > 0 && testUuid !== undefined) {
      internals.allureRuntime.updateTest(testUuid, (allure) => {
        allure.labels.push({ name: API_RETRIES_LABEL, value: String(retries) });
      });
    }
    await super.onTestEnd(test, result);
  }

  override onStepEnd(test: TestCase, result: TestResult, step: TestStep): void {
    if (step.category === 'test.step' && step.attachments.length > 0) this.attachToStep(test, step);
    super.onStepEnd(test, result, step);
  }

  private attachToStep(test: TestCase, step: TestStep): void {
    const internals = this as unknown as AllureInternals;
    const testUuid = internals.allureResultsUuids.get(test.id);
    const stepUuid = internals.pwStepUuid.get(step);
    // Steps of hooks live elsewhere in the base class; leave their attachments to it.
    if (testUuid === undefined || stepUuid === undefined) return;
    for (const attachment of step.attachments) {
      if (attachment.body === undefined) continue;
      internals.allureRuntime.writeAttachment(
        testUuid,
        stepUuid,
        attachment.name,
        attachment.body,
        {
          contentType: attachment.contentType,
        },
      );
      internals.recordAttachmentTarget(test.id, {
        name: attachment.name,
        stepUuid,
        processedAtStepEnd: true,
      });
    }
  }
}
