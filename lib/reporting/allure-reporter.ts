import fs from 'node:fs';

import type { Suite, TestCase, TestError, TestResult, TestStep } from '@playwright/test/reporter';
import { Stage, Status } from 'allure-js-commons';
import {
  createStepResult,
  randomUuid,
  type ReporterRuntime,
  type ShallowStepsStack,
} from 'allure-js-commons/sdk/reporter';
import { AllureReporter } from 'allure-playwright';

import {
  allureEnvironmentInfo,
  API_RETRIES_LABEL,
  DELIBERATE_FAULTS_LABEL,
  type EnvironmentSummary,
} from './allure';
import { recordedCallsOf, retriesOf } from './api-health';
import { DELIBERATE_FAULTS_ANNOTATION } from './api-steps';

/** allure-playwright's options, plus the environments the run's projects may test. */
export type AllureReporterOptions = NonNullable<ConstructorParameters<typeof AllureReporter>[0]> & {
  /** Every project's environment; the environment panel lists those of the projects that ran. */
  environments?: readonly EnvironmentSummary[];
};

type HookScope = 'before' | 'after';
const HOOK_ROOTS: Record<string, HookScope> = { 'Before Hooks': 'before', 'After Hooks': 'after' };

/** The parts of allure-playwright 3.x this subclass relies on; they are private in its typings. */
interface AllureInternals {
  allureRuntime: Pick<
    ReporterRuntime,
    | 'updateTest'
    | 'writeAttachment'
    | 'startStep'
    | 'updateStep'
    | 'stopStep'
    | 'environmentInfo'
    | 'applyGlobalRuntimeMessages'
    | 'startTest'
    | 'stopTest'
    | 'writeTest'
  >;
  allureResultsUuids: Map<string, string>;
  pwStepUuid: WeakMap<TestStep, string>;
  beforeHooksStepsStack: Map<string, ShallowStepsStack>;
  afterHooksStepsStack: Map<string, ShallowStepsStack>;
  recordAttachmentTarget(
    testId: string,
    target: {
      name: string;
      stepUuid?: string;
      processedAtStepEnd?: boolean;
      hookStep?: { uuid: string; hookScope: HookScope };
    },
  ): void;
}

/** Whether a step runs in the test's hooks (fixture setup or teardown), and which. */
function hookScopeOf(step: TestStep): HookScope | undefined {
  for (let parent = step.parent; parent !== undefined; parent = parent.parent)
    if (parent.category === 'hook' && HOOK_ROOTS[parent.title] !== undefined)
      return HOOK_ROOTS[parent.title];
  return undefined;
}

/**
 * allure-playwright, adjusted so that each API call's step holds what the HTML report shows:
 *
 * - Attachments made by `test.step(..., step => step.attach(...))` stay on their step. Since
 *   Playwright 1.53 they arrive on the step itself rather than as separate attach steps, and
 *   allure-playwright (up to at least 3.12) moves them to the end of the test
 *   (allure-framework/allure-js#1303); here they are written onto the step as it ends (or, for a
 *   step in the hooks, such as the cleanup's, routed to it when the test ends).
 * - A step's name is its final title: the step-title reporter completes it when the step ends
 *   (`POST /users` becomes `POST /users → 201 (5 ms)`), after allure-playwright has named the step.
 * - Calls made inside an `expect.poll` nest in the poll's step, which `detail: false` would drop.
 * - The environment panel names the projects that ran, not every project the config defines.
 */
export default class StepAttachmentsAllureReporter extends AllureReporter {
  private cleaned = false;
  private readonly runErrors: TestError[] = [];
  private readonly environments: readonly EnvironmentSummary[] | undefined;
  /** Steps of `expect.poll` that this subclass added because an API step runs inside them. */
  private readonly pollSteps = new WeakSet<TestStep>();

  constructor({ environments, ...options }: AllureReporterOptions = {}) {
    super(options);
    this.environments = environments;
  }

  private get internals(): AllureInternals {
    return this as unknown as AllureInternals;
  }

  override onBegin(suite: Suite): void {
    super.onBegin(suite);
    if (this.environments === undefined) return;
    const ran = new Set(
      suite.suites.filter((p) => p.allTests().length > 0).map((p) => p.project()?.name),
    );
    // A run stopped before its tests (a failed preflight) begins with an empty suite: name the
    // environments it was meant to test.
    this.internals.allureRuntime.environmentInfo = allureEnvironmentInfo(
      this.environments.filter((e) => (ran.size === 0 ? e.selected === true : ran.has(e.project))),
    );
  }

  /** Errors outside any test; allure-playwright ignores them. */
  override onError(error?: TestError): void {
    if (error !== undefined) this.runErrors.push(error);
    super.onError();
  }

  /**
   * A run that stopped before any test began, with errors (the preflight, a team document that is
   * not OpenAPI): its results are those errors, not the previous run's tests, which no test start
   * has cleared. Each is an Allure global error (`<uuid>-globals.json`) and, so that the report's
   * verdict is "failed" and not "passed" with 0 tests, a failed result `preflight: <projects>`.
   */
  override async onEnd(): Promise<void> {
    const dir = this.options.resultsDir;
    if (!this.cleaned && dir !== undefined && this.runErrors.length > 0) {
      fs.rmSync(dir, { recursive: true, force: true });
      this.cleaned = true;
      this.recordStoppedRun();
    }
    await super.onEnd();
  }

  private recordStoppedRun(): void {
    const runtime = this.internals.allureRuntime;
    const projects = (this.environments ?? []).filter((e) => e.selected === true);
    const name = `preflight: ${projects.map((e) => e.project).join(', ') || 'the run'}`;
    for (const error of this.runErrors) {
      const message = error.message ?? error.value ?? 'error';
      // A line alone (the preflight's) has no trace beyond itself.
      const trace =
        error.stack === undefined || error.stack === message ? {} : { trace: error.stack };
      runtime.applyGlobalRuntimeMessages([{ type: 'global_error', data: { message, ...trace } }]);
      const uuid = runtime.startTest({
        name,
        fullName: name,
        status: Status.FAILED,
        stage: Stage.FINISHED,
        statusDetails: { message, ...trace },
        labels: [{ name: 'suite', value: 'preflight' }],
      });
      runtime.stopTest(uuid);
      runtime.writeTest(uuid);
    }
  }

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
    const deliberate = result.annotations.some((a) => a.type === DELIBERATE_FAULTS_ANNOTATION);
    const internals = this.internals;
    const testUuid = internals.allureResultsUuids.get(test.id);
    if (retries > 0 && testUuid !== undefined) {
      internals.allureRuntime.updateTest(testUuid, (allure) => {
        allure.labels.push({ name: API_RETRIES_LABEL, value: String(retries) });
        if (deliberate) allure.labels.push({ name: DELIBERATE_FAULTS_LABEL, value: 'true' });
      });
    }
    await super.onTestEnd(test, result);
  }

  override onStepBegin(test: TestCase, result: TestResult, step: TestStep): void {
    const { parent } = step;
    if (step.category === 'test.step' && parent?.category === 'expect')
      this.openPollStep(test, parent);
    super.onStepBegin(test, result, step);
  }

  override onStepEnd(test: TestCase, result: TestResult, step: TestStep): void {
    if (this.pollSteps.has(step)) {
      this.closePollStep(step);
      return;
    }
    if (step.category === 'test.step') {
      this.rename(test, step);
      if (step.attachments.length > 0) this.attachToStep(test, step);
    }
    super.onStepEnd(test, result, step);
  }

  /** Names the Allure step after the step's final title. */
  private rename(test: TestCase, step: TestStep): void {
    const { allureRuntime, pwStepUuid } = this.internals;
    const stepUuid = pwStepUuid.get(step);
    if (stepUuid !== undefined) {
      allureRuntime.updateStep(stepUuid, (s) => {
        s.name = step.title;
      });
      return;
    }
    // A step of the hooks is the current one of its hook stack until the base class stops it.
    this.hookStack(test, step)?.updateStep((s) => {
      s.name = step.title;
    });
  }

  private hookStack(test: TestCase, step: TestStep): ShallowStepsStack | undefined {
    const scope = hookScopeOf(step);
    if (scope === undefined) return undefined;
    const { beforeHooksStepsStack, afterHooksStepsStack } = this.internals;
    return (scope === 'before' ? beforeHooksStepsStack : afterHooksStepsStack).get(test.id);
  }

  /** Adds the Allure step of an `expect.poll` that `detail: false` leaves out, once an API step runs in it. */
  private openPollStep(test: TestCase, poll: TestStep): void {
    const { allureRuntime, allureResultsUuids, pwStepUuid } = this.internals;
    const testUuid = allureResultsUuids.get(test.id);
    if (testUuid === undefined || pwStepUuid.has(poll) || hookScopeOf(poll) !== undefined) return;
    const parentUuid = poll.parent === undefined ? null : (pwStepUuid.get(poll.parent) ?? null);
    const stepUuid = allureRuntime.startStep(testUuid, parentUuid, {
      ...createStepResult(),
      name: poll.title,
      start: poll.startTime.getTime(),
      stage: Stage.RUNNING,
      uuid: randomUuid(),
    });
    if (stepUuid === undefined) return;
    pwStepUuid.set(poll, stepUuid);
    this.pollSteps.add(poll);
  }

  private closePollStep(poll: TestStep): void {
    const { allureRuntime, pwStepUuid } = this.internals;
    const stepUuid = pwStepUuid.get(poll);
    if (stepUuid === undefined) return;
    allureRuntime.updateStep(stepUuid, (s) => {
      s.status = poll.error === undefined ? Status.PASSED : Status.FAILED;
      s.stage = Stage.FINISHED;
      if (poll.error?.message !== undefined) s.statusDetails = { message: poll.error.message };
    });
    allureRuntime.stopStep(stepUuid, { duration: poll.duration });
  }

  private attachToStep(test: TestCase, step: TestStep): void {
    const internals = this.internals;
    const testUuid = internals.allureResultsUuids.get(test.id);
    const stepUuid = internals.pwStepUuid.get(step);
    if (testUuid === undefined) return;
    if (stepUuid === undefined) {
      // A step of the hooks (the cleanup's): the base class writes its attachments when the test
      // ends, to the step a target names.
      const hookScope = hookScopeOf(step);
      const current = this.hookStack(test, step)?.currentStep();
      if (hookScope === undefined || current?.uuid === undefined) return;
      for (const attachment of step.attachments)
        internals.recordAttachmentTarget(test.id, {
          name: attachment.name,
          hookStep: { uuid: current.uuid, hookScope },
        });
      return;
    }
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
