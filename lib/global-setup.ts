import type { FullConfig } from '@playwright/test';

import { startPacingCoordinator } from './http/pacing-coordinator';
import { preflight, remoteEnvironments } from './preflight';
import { SUITE_RESOURCES } from './suite-resources';

/**
 * Playwright's global setup, once per run (per shard) before any worker starts. First a preflight
 * of every selected remote environment: a wrong URL, a dead host or a refused token stops the run
 * here with one line, instead of failing each test. Then it starts the run's pacing coordinator,
 * which every worker reaches through `PW_PACER_URL` (workers inherit the environment), and returns
 * its teardown.
 */
export default async function globalSetup(config: FullConfig): Promise<() => Promise<void>> {
  await preflight(remoteEnvironments(config.filteredProjects), SUITE_RESOURCES);
  const coordinator = await startPacingCoordinator({ shards: config.shard?.total });
  process.env.PW_PACER_URL = coordinator.url;
  return () => coordinator.close();
}
