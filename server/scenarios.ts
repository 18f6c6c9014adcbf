import { z } from 'zod';

const statusCode = z.int().min(200).max(599);
const duration = z.int().min(0).max(600_000);

/** A fault a scenario rule can apply to a matching request. */
export const scenarioFaultSchema = z.discriminatedUnion('kind', [
  /** Answer this status before processing; nothing is committed. */
  z.strictObject({
    kind: z.literal('status'),
    status: statusCode,
    retryAfter: z
      .union([z.string().min(1), z.int().min(0)])
      .transform(String)
      .optional(),
  }),
  /** Process and commit the request, then answer this status instead of the real one. */
  z.strictObject({ kind: z.literal('commit-then-status'), status: statusCode }),
  /** Hold the answer for `ms`; with `commit`, the request is processed first. */
  z.strictObject({ kind: z.literal('hang'), ms: duration, commit: z.boolean().default(false) }),
  /** Delay processing by `ms`. */
  z.strictObject({ kind: z.literal('latency'), ms: duration }),
  /** Destroy the connection without answering. */
  z.strictObject({ kind: z.literal('reset') }),
]);

export type ScenarioFault = z.infer<typeof scenarioFaultSchema>;

const ruleSchema = z.strictObject({
  /** HTTP method to match, any when absent. */
  method: z
    .string()
    .min(1)
    .transform((method) => method.toUpperCase())
    .optional(),
  /** Substring of the path and query after the API prefix, any when absent. */
  path: z.string().optional(),
  /** Matching requests to let through untouched before the fault starts. */
  skip: z.int().min(0).default(0),
  /** Matching requests the fault applies to, after the skipped ones. */
  times: z.int().min(1).default(1),
  fault: scenarioFaultSchema,
});

/** Body of `PUT /__control/scenarios/:id`. */
export const scenarioDefinitionSchema = z.strictObject({
  rules: z.array(ruleSchema).max(100),
});

export type ScenarioDefinition = z.infer<typeof scenarioDefinitionSchema>;

type ScenarioRule = z.infer<typeof ruleSchema>;

interface RuleState {
  rule: ScenarioRule;
  /** Requests that matched the rule's method and path while it was consulted. */
  matched: number;
  /** Requests the rule's fault was applied to. */
  hits: number;
}

interface Scenario {
  id: string;
  rules: RuleState[];
  requests: number;
  requestsByMethod: Record<string, number>;
}

/** What a scenario reports to tests: its rules with their counters. */
export interface ScenarioSnapshot {
  id: string;
  requests: number;
  requestsByMethod: Record<string, number>;
  rules: (ScenarioRule & { matched: number; hits: number })[];
}

/**
 * Scripted faults, one script per scenario id. Only requests that name the
 * scenario in `X-Mock-Scenario` are matched against it, so tests running in
 * parallel against one server cannot disturb each other.
 */
export class ScenarioRegistry {
  readonly #scenarios = new Map<string, Scenario>();

  /** Creates or replaces a scenario, resetting its counters. */
  define(id: string, definition: ScenarioDefinition): ScenarioSnapshot {
    const scenario: Scenario = {
      id,
      rules: definition.rules.map((rule) => ({ rule, matched: 0, hits: 0 })),
      requests: 0,
      requestsByMethod: {},
    };
    this.#scenarios.set(id, scenario);
    return snapshot(scenario);
  }

  /** The scenario and its counters, if defined. */
  get(id: string): ScenarioSnapshot | undefined {
    const scenario = this.#scenarios.get(id);
    return scenario === undefined ? undefined : snapshot(scenario);
  }

  /** Removes a scenario, returning its final counters. */
  remove(id: string): ScenarioSnapshot | undefined {
    const scenario = this.#scenarios.get(id);
    this.#scenarios.delete(id);
    return scenario === undefined ? undefined : snapshot(scenario);
  }

  /**
   * Counts a request against its scenario and returns the fault to apply, if
   * any. Rules are consulted in order; the first one whose window (after
   * `skip` matches, for `times` matches) covers this request wins, and the
   * rules after it do not see the request.
   */
  match(id: string, method: string, path: string): ScenarioFault | undefined {
    const scenario = this.#scenarios.get(id);
    if (scenario === undefined) return undefined;
    scenario.requests += 1;
    scenario.requestsByMethod[method] = (scenario.requestsByMethod[method] ?? 0) + 1;
    for (const state of scenario.rules) {
      const { rule } = state;
      if (rule.method !== undefined && rule.method !== method) continue;
      if (rule.path !== undefined && !path.includes(rule.path)) continue;
      state.matched += 1;
      if (state.matched > rule.skip && state.matched <= rule.skip + rule.times) {
        state.hits += 1;
        return rule.fault;
      }
    }
    return undefined;
  }
}

function snapshot(scenario: Scenario): ScenarioSnapshot {
  return {
    id: scenario.id,
    requests: scenario.requests,
    requestsByMethod: { ...scenario.requestsByMethod },
    rules: scenario.rules.map(({ rule, matched, hits }) => ({ ...rule, matched, hits })),
  };
}
