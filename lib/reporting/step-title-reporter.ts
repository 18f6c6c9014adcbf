import type { Reporter, TestCase, TestResult, TestStep } from '@playwright/test/reporter';

import { STEP_RESULT_ANNOTATION } from './call-documents';

/**
 * Completes the titles of API steps. Playwright reports a step's title when the step starts, before
 * the call is answered, so a call's step opens as `POST /users` and its outcome travels as a step
 * annotation; this reporter appends the outcome when the step ends: `POST /users → 201 (5 ms)`. It
 * must come before every reporter that reads titles (HTML, JSON, Allure); the annotation stays, so a
 * blob report merged with this reporter listed first gets the same titles.
 */
export default class StepTitleReporter implements Reporter {
  printsToStdio(): boolean {
    return false;
  }

  onStepEnd(_test: TestCase, _result: TestResult, step: TestStep): void {
    const outcome = step.annotations.find((a) => a.type === STEP_RESULT_ANNOTATION)?.description;
    if (outcome !== undefined && !step.title.endsWith(` → ${outcome}`))
      step.title = `${step.title} → ${outcome}`;
  }
}
