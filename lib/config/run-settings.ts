import { z } from 'zod';

/**
 * What the main process of a run hands its workers through the environment, set by
 * playwright.config.ts and the global setup. Read here only; the rest of lib/ receives it typed.
 */
export interface RunSettings {
  /** This run's id, shared by every worker and shard process (`PW_RUN_ID`). */
  runId: string | undefined;
  /** The folder the workers append their calls to, for the global teardown's gates (`PW_CALL_LOG`). */
  callLog: string | undefined;
  /** The run-wide pacing coordinator (`PW_PACER_URL`). */
  pacerUrl: string | undefined;
  /** The embedded server's port (`LOCAL_PORT`), chosen by playwright.config.ts. */
  localPort: number;
}

const optional = z
  .string()
  .trim()
  .optional()
  .transform((value) => (value === '' ? undefined : value));

const schema = z.object({
  PW_RUN_ID: optional,
  PW_CALL_LOG: optional,
  PW_PACER_URL: optional,
  LOCAL_PORT: z.coerce
    .number({ error: 'LOCAL_PORT must be a port number, e.g. 4010' })
    .int('LOCAL_PORT must be a port number, e.g. 4010')
    .min(1)
    .max(65_535)
    .default(4010),
});

/** The run's settings from `env` (the process's own by default). */
export function runSettings(env: NodeJS.ProcessEnv = process.env): RunSettings {
  const parsed = schema.parse({ ...env, LOCAL_PORT: env.LOCAL_PORT?.trim() || undefined });
  return {
    runId: parsed.PW_RUN_ID,
    callLog: parsed.PW_CALL_LOG,
    pacerUrl: parsed.PW_PACER_URL,
    localPort: parsed.LOCAL_PORT,
  };
}

/**
 * Hands settings the global setup made to the workers it is about to start, which inherit the
 * environment: the pacing coordinator's address and the call log's folder.
 */
export function publishRunSettings(settings: { pacerUrl: string; callLog: string }): void {
  process.env.PW_PACER_URL = settings.pacerUrl;
  process.env.PW_CALL_LOG = settings.callLog;
}

/** The embedded server's API root on a port: the one place it is composed. */
export function localBaseUrl(port: number): string {
  return `http://127.0.0.1:${port}/api/v1`;
}

/** What playwright.config.ts reads of the shell beyond the environments: how the run is launched. */
export interface LaunchSettings {
  /** Running in CI (`CI`): forbid `.only`, CI reporters. */
  ci: boolean;
  /** JUnit XML outside CI too (`JUNIT=1`). */
  junit: boolean;
  /** Where Playwright writes test artifacts (`PW_OUTPUT_DIR`); concurrent runs each need their own. */
  outputDir: string;
  /**
   * The folder the reports go under (`PW_REPORTS_DIR`): `playwright-report/`, `allure-results/`,
   * `reports/` (health, coverage, thresholds, JUnit). The checkout by default; concurrent runs each
   * need their own, as for `outputDir`.
   */
  reportsDir: string;
  /** The `local-faults` server's seed (`MOCK_SEED`), when the shell picks one. */
  mockSeed: string | undefined;
  /** The user turned colour off (`NO_COLOR`). */
  noColor: boolean;
}

/** The launch settings from `env` (the process's own by default). */
export function launchSettings(env: NodeJS.ProcessEnv = process.env): LaunchSettings {
  const flag = (value: string | undefined) => ['1', 'true'].includes(value?.trim() ?? '');
  const text = (value: string | undefined) => optional.parse(value);
  return {
    ci: Boolean(env.CI),
    junit: flag(env.JUNIT),
    outputDir: text(env.PW_OUTPUT_DIR) ?? 'test-results',
    reportsDir: text(env.PW_REPORTS_DIR) ?? '.',
    mockSeed: text(env.MOCK_SEED),
    noColor: Boolean(env.NO_COLOR),
  };
}

/**
 * Hands the main process's choices to the workers, which inherit the environment: the run's id
 * (kept when a shard or a parent process set one) and the embedded servers' ports.
 */
export function publishLaunch(choice: {
  newRunId: () => string;
  localPort: number;
  faultsPort: number;
}): void {
  process.env.PW_RUN_ID ??= choice.newRunId();
  process.env.LOCAL_PORT = String(choice.localPort);
  process.env.LOCAL_FAULTS_PORT = String(choice.faultsPort);
}
