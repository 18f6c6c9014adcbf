/** What the CI service tells a run about itself; read here only. */
export interface CiSettings {
  /** `owner/repo #42` on GitHub Actions, for the Allure report's environment; else undefined. */
  run: string | undefined;
  /** The file a GitHub job summary is appended to (`GITHUB_STEP_SUMMARY`); else undefined. */
  jobSummaryFile: string | undefined;
}

/** The CI settings from `env` (the process's own by default). */
export function ciSettings(env: NodeJS.ProcessEnv = process.env): CiSettings {
  const runId = env.GITHUB_RUN_ID;
  const summary = env.GITHUB_STEP_SUMMARY;
  return {
    run:
      runId === undefined
        ? undefined
        : `${env.GITHUB_REPOSITORY ?? ''} #${env.GITHUB_RUN_NUMBER ?? runId}`,
    jobSummaryFile: summary === undefined || summary === '' ? undefined : summary,
  };
}
