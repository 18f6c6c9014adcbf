import type { FullConfig } from '@playwright/test';

import { ConfigError } from './config/environment';
import { preflightEnabled } from './config/preflight-switch';
import { launchSettings, publishRunSettings } from './config/run-settings';
import { startPacingCoordinator } from './http/pacing-coordinator';
import { environmentContract } from './openapi/contract-loader';
import { preflight, PreflightError, preflightTargets, projectEnvironments } from './preflight';
import { createCallLog } from './reporting/call-log';
import { endRun } from './reporting/run-end';
import { SUITE_RESOURCES } from './suite-resources';

/**
 * Playwright's global setup, once per run (per shard) before any worker starts. First a preflight
 * of every selected environment, the embedded servers too (unless `PREFLIGHT=off`): a wrong URL, a
 * dead host or a refused token stops the run here with one line, instead of failing each test; so
 * does a team's OpenAPI document (`<ENV>_OPENAPI`) that cannot be read or is not valid OpenAPI.
 * Then it starts the run's pacing coordinator, which every worker reaches through `PW_PACER_URL`
 * (workers inherit the environment), and the run's call log (`PW_CALL_LOG`). Its teardown prints
 * the API health summary and coverage, and fails the run on a breached threshold.
 */
export default function globalSetup(config: FullConfig): Promise<() => Promise<void>> {
  return setUpRun(config, { root: launchSettings().reportsDir });
}

/**
 * The global setup with its options: `root`, the folder the run's reports go under (the current
 * folder by default; the reporting tests' child runs have their own).
 */
export async function setUpRun(
  config: FullConfig,
  options: { root?: string } = {},
): Promise<() => Promise<void>> {
  const startedAt = Date.now();
  // UI mode and `playwright test-server` run this once with the default project only (`local`).
  if (preflightEnabled())
    await preflight(preflightTargets(config.filteredProjects), SUITE_RESOURCES);
  // Each team document once (`local` and `local-faults` share LOCAL_OPENAPI).
  const documents = projectEnvironments(config.filteredProjects).filter((e) => e.openapi);
  for (const environment of new Map(documents.map((e) => [e.openapi, e])).values())
    await environmentContract(environment, SUITE_RESOURCES).catch((error: unknown) => {
      // Printed as the line alone, as the preflight's are, not `ConfigError: …`.
      throw error instanceof ConfigError ? new PreflightError(error.message) : error;
    });
  const coordinator = await startPacingCoordinator({ shards: config.shard?.total });
  // Workers log their calls here; the teardown judges the run from it, whatever reporters ran.
  const callLog = createCallLog();
  publishRunSettings({ pacerUrl: coordinator.url, callLog });
  return async () => {
    const readLags = coordinator.readLags();
    await coordinator.close();
    await endRun(config, { callLog, startedAt, readLags, ...options });
  };
}
