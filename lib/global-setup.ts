import type { FullConfig } from '@playwright/test';

import { startPacingCoordinator } from './http/pacing-coordinator';

/**
 * Playwright's global setup: starts the run's pacing coordinator, which every worker reaches
 * through `PW_PACER_URL` (workers inherit the environment), and returns its teardown.
 */
export default async function globalSetup(config: FullConfig): Promise<() => Promise<void>> {
  const coordinator = await startPacingCoordinator({ shards: config.shard?.total });
  process.env.PW_PACER_URL = coordinator.url;
  return () => coordinator.close();
}
