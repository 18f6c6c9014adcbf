import path from 'node:path';

import { defineConfig, type PlaywrightTestProject } from '@playwright/test';

import {
  ConfigError,
  type EnvironmentConfig,
  isConfigured,
  loadEnvironment,
  REMOTE_ENVIRONMENTS,
} from './lib/config/environment';
import { asVariables, FAULTS } from './lib/config/local-faults';
import { choosePorts, pinnedPort } from './lib/config/local-ports';
import { launchSettings, localBaseUrl, publishLaunch } from './lib/config/run-settings';
import {
  describeUnmatchedSelection,
  isNamed,
  isWanted,
  type PendingEnvironment,
  selectedProjects,
  unmatchedSelection,
} from './lib/config/project-selection';
import { environmentVariables, loadDotenv } from './lib/config/secrets';
import { checkApiRoot } from './lib/resources/api-root';
import { environmentsOf, REPORT_PATHS, reporters } from './lib/reporting/reporters';
import { newRunId } from './lib/resources/run-marker';
import { SUITE_RESOURCES } from './lib/suite-resources';

// The shell wins over .env; credentials from .env never enter process.env (lib/config/secrets.ts).
loadDotenv();

const launch = launchSettings();

const selected = selectedProjects();
/** `npx playwright test` alone runs the suite on the embedded server, nothing else; the framework's
 * own tests run in `npm test`. It must match the projects not marked `default: false` below. */
const DEFAULT_PROJECTS = ['local'];
const wanted = (name: string) => isWanted(name, selected, DEFAULT_PROJECTS);
/**
 * UI mode (`--ui`) and the VS Code extension (`playwright test-server`) start the webServers once,
 * with the global setup, before any project is picked in their sidebar, and name no project on the
 * command line: there, every embedded server starts, so that picking `local-faults` works too.
 */
const interactive = process.argv.some(
  (arg) => arg === 'test-server' || /^--ui(-host|-port)?(=|$)/.test(arg),
);
const serverWanted = (name: string) => interactive || wanted(name);

// The embedded servers take 4010 and 4011, or free ports when those are taken. Chosen once, in the
// main process; workers inherit the variables. A port set by the user is used as it is.
const pinned = { local: pinnedPort('LOCAL_PORT'), faults: pinnedPort('LOCAL_FAULTS_PORT') };
const chosen =
  (serverWanted('local') && pinned.local === undefined) ||
  (serverWanted('local-faults') && pinned.faults === undefined)
    ? choosePorts([pinned.local ?? 4010, pinned.faults ?? 4011])
    : [];
const LOCAL_PORT = pinned.local ?? chosen[0] ?? 4010;
const FAULTS_PORT = pinned.faults ?? chosen[1] ?? 4011;
// One run id for the whole run, so every worker marks its test data alike; workers inherit it and
// the ports.
publishLaunch({ newRunId, localPort: LOCAL_PORT, faultsPort: FAULTS_PORT });
const ci = launch.ci;

/** The `local-faults` server's misbehaviour; `MOCK_SEED` in the shell picks another seed. */
const FAULTS_ENV = { ...asVariables(FAULTS), MOCK_SEED: launch.mockSeed ?? FAULTS.seed };

type Use = { environment: EnvironmentConfig; deliberateFaults?: boolean };

const suiteProject = (
  name: string,
  environment: EnvironmentConfig,
  extra: PlaywrightTestProject<Use> = {},
): PlaywrightTestProject<Use> => ({
  name,
  testDir: './tests/api',
  ...extra,
  use: { environment, ...extra.use },
});

const projects: PlaywrightTestProject<Use>[] = [
  // The framework's own tests, run by `npm test`.
  { name: 'unit', testDir: './tests/unit', default: false },
  { name: 'server', testDir: './tests/server', default: false },
  suiteProject(
    'local',
    loadEnvironment('local', environmentVariables(), { baseUrl: localBaseUrl(LOCAL_PORT) }),
  ),
  // The same suite while the server misbehaves at random; scripted-fault specs run on `local` only.
  suiteProject(
    'local-faults',
    // Lookups after an ambiguous create wait out the server's read lag before they count.
    loadEnvironment('local', environmentVariables(), {
      baseUrl: localBaseUrl(FAULTS_PORT),
      readLagMs: Number(FAULTS['read-lag-ms']),
    }),
    // Its faults are planned: a retry there makes no test flaky.
    { grepInvert: /@resilience/, default: false, use: { deliberateFaults: true } },
  ),
  // Child-process tests of the command-line scripts (demo).
  { name: 'scripts', testDir: './tests/scripts', default: false },
  // Secret-leak, shard-merge and report-rendering checks; each runs a small suite in a child process.
  {
    name: 'reporting',
    testDir: './tests/reporting',
    testIgnore: '**/fixtures/**',
    default: false,
  },
];

// Remote environments run only when asked for (`default: false`), so a stray .env never sends traffic
// anywhere unasked. A selected one that is not configured stops the run here with a ConfigError naming
// the missing variable, before any request. Worker processes do not see the command line, so they
// define every configured environment; the main process has already validated the selected ones.
const pending: PendingEnvironment[] = [];
for (const name of REMOTE_ENVIRONMENTS) {
  let environment: EnvironmentConfig;
  const variable = `${name.toUpperCase()}_BASE_URL`;
  // A `*` pattern (`--project='*'`) takes the configured ones; a name, even an unconfigured one.
  if (wanted(name) && (isNamed(name, selected) || isConfigured(name))) {
    environment = loadEnvironment(name);
    checkApiRoot(environment, SUITE_RESOURCES);
  } else if (isConfigured(name)) {
    try {
      environment = loadEnvironment(name);
    } catch {
      pending.push({ name, variable, state: 'invalid' });
      continue;
    }
  } else {
    pending.push({ name, variable, state: 'unset' });
    continue;
  }
  const readOnly = name === 'production' && !environment.allowWrites;
  projects.push(
    suiteProject(name, environment, {
      default: false,
      // Paced to the environment's rate, a test waits its turn: give it room beyond the retry budget.
      timeout: 120_000,
      ...(readOnly ? { grep: /@readonly/ } : { grepInvert: /@resilience/ }),
    }),
  );
}

// Playwright would refuse a --project that names no project with a stack and a list that lacks
// the environments not configured: one line instead, naming the variable that makes each appear.
const unmatched = unmatchedSelection(
  selected,
  projects.map((p) => p.name ?? ''),
);
if (unmatched.length > 0)
  throw new ConfigError(
    describeUnmatchedSelection(
      unmatched,
      projects.map((p) => p.name ?? ''),
      pending,
    ),
  );

const mockServer = (port: number, env: Record<string, string> = {}) => ({
  // One bundle of the server, built at its first start (server/launch.mjs): no TypeScript loader.
  command: `${JSON.stringify(process.execPath)} server/launch.mjs --port ${port}`,
  url: `http://127.0.0.1:${port}/__control/health`,
  reuseExistingServer: false,
  timeout: 30_000,
  stdout: 'ignore' as const,
  stderr: 'pipe' as const,
  // Playwright sets FORCE_COLOR=1 for its webServers; beside a user's NO_COLOR, Node would print a
  // two-line warning per server. FORCE_COLOR=0 honours NO_COLOR without it.
  env: { MOCK_LOG_LEVEL: 'warn', ...(launch.noColor ? { FORCE_COLOR: '0' } : {}), ...env },
});

export default defineConfig<Use>({
  fullyParallel: true,
  outputDir: launch.outputDir,
  // API tests wait on I/O, not CPU: more workers than cores pays off.
  workers: 4,
  forbidOnly: ci,
  // Starts the pacing coordinator that holds every worker to an environment's request rate.
  globalSetup: './lib/global-setup.ts',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  // Step titles first, then list, HTML (local) or JUnit + blob (CI), Allure; and JUnit XML outside
  // CI with `JUNIT=1`. No reporter guards a secret or a gate: `--reporter` replaces these.
  reporter: [
    ...reporters({
      ci,
      root: launch.reportsDir,
      environments: environmentsOf(projects).map((e) => ({ ...e, selected: wanted(e.project) })),
    }),
    ...(!ci && launch.junit
      ? [['junit', { outputFile: path.resolve(launch.reportsDir, REPORT_PATHS.junit) }] as const]
      : []),
  ],
  use: {
    // `--trace on` works too: a trace holds the token's variable name, never its value.
    trace: 'retain-on-failure',
  },
  projects,
  webServer: [
    ...(serverWanted('local') ? [mockServer(LOCAL_PORT)] : []),
    ...(serverWanted('local-faults') ? [mockServer(FAULTS_PORT, FAULTS_ENV)] : []),
  ],
});
