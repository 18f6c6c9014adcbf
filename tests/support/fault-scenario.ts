import { randomUUID } from 'node:crypto';

import { expect, test as base } from '../../lib/fixtures';

/** A fault the embedded server applies to matching requests of one scenario (see server/scenarios.ts). */
export type Fault =
  | { kind: 'status'; status: number; retryAfter?: string }
  | { kind: 'commit-then-status'; status: number }
  | { kind: 'hang'; ms: number; commit?: boolean }
  | { kind: 'latency'; ms: number }
  | { kind: 'reset' };

export interface FaultRule {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path?: string;
  skip?: number;
  times?: number;
  fault: Fault;
}

/** Scripts the embedded server's faults for this test only: rules apply to requests carrying the scenario's header. */
export interface FaultScenario {
  id: string;
  /** Replaces the scenario's rules. */
  script(rules: FaultRule[]): Promise<void>;
  /** How many requests the scenario has seen, per rule and in all. */
  stats(): Promise<ScenarioStats>;
}

export interface ScenarioStats {
  requests: number;
  requestsByMethod: Partial<Record<string, number>>;
  rules: { hits: number; matched: number }[];
}

const SCENARIO_HEADER = 'x-mock-scenario';

/**
 * The suite's `test`, plus a `faults` fixture. Only specs tagged `@resilience` use it: they run on the
 * embedded server alone, since no real backend can be told to fail on cue.
 */
export const test = base.extend<{ faults: FaultScenario }>({
  apiHeaders: async ({}, use) => {
    await use({ [SCENARIO_HEADER]: `scenario-${randomUUID()}` });
  },
  // The failures these tests provoke are the point: the health summary counts them apart.
  faultsScripted: true,
  faults: async ({ apiHeaders, environment, playwright }, use) => {
    const id = apiHeaders[SCENARIO_HEADER] ?? '';
    const control = await playwright.request.newContext({
      baseURL: `${new URL(environment.baseUrl).origin}/__control/`,
    });
    const scenario: FaultScenario = {
      id,
      async script(rules) {
        const response = await control.put(`scenarios/${id}`, { data: { rules } });
        expect(response.status(), `scripting scenario ${id}: ${await response.text()}`).toBe(200);
      },
      async stats() {
        const response = await control.get(`scenarios/${id}`);
        expect(response.status(), `reading scenario ${id}`).toBe(200);
        return (await response.json()) as ScenarioStats;
      },
    };
    await use(scenario);
    await control.delete(`scenarios/${id}`);
    await control.dispose();
  },
});

export { expect };
