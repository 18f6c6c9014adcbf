/**
 * How the `local-faults` server misbehaves, and `npm run demo -- --faults`: no friendlier than the
 * SaaS our users target. It ignores Idempotency-Key as mockapi.io does, lags reads, fails at random
 * and commits writes it answers 500; seeded, so a run can be reproduced. `server/main.ts` flags.
 * Here, not in `scripts/`, because `playwright.config.ts` starts that server too.
 */
export const FAULTS = {
  seed: '42',
  idempotency: 'ignore',
  'fault-503-rate': '0.2',
  'fault-commit-500-rate': '0.1',
  'read-lag-ms': '300',
  'latency-max-ms': '50',
} as const;

/** A profile as command-line flags: `--seed 42 --idempotency ignore …`. */
export function asFlags(profile: Readonly<Record<string, string>>): string[] {
  return Object.entries(profile).flatMap(([flag, value]) => [`--${flag}`, value]);
}

/** A profile as the server's variables (`MOCK_SEED`, `MOCK_FAULT_503_RATE`, …), for Playwright's webServer. */
export function asVariables(profile: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(profile).map(([flag, value]) => [
      `MOCK_${flag.toUpperCase().replaceAll('-', '_')}`,
      value,
    ]),
  );
}
