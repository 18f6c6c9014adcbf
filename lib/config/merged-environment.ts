import { parseThresholds, type Threshold } from './threshold-grammar';

/**
 * What `merge-reports` knows of an environment whose blobs kept no `use.environment`: its team
 * document and thresholds, from the merging shell's `<ENV>_OPENAPI` and `<ENV>_THRESHOLDS`.
 */
export interface MergedEnvironment {
  /** `<ENV>_OPENAPI`, or undefined for the generated document. */
  openapi: string | undefined;
  /** The variable it came from, for messages: `QA_OPENAPI`. */
  openapiVariable: string;
  thresholds: Threshold[];
  /** Threshold clauses that could not be read, one line each. */
  problems: string[];
}

/** The merging process's settings for environment `name` (`qa`) from `env`. */
export function mergedEnvironment(
  name: string,
  env: NodeJS.ProcessEnv = process.env,
): MergedEnvironment {
  const prefix = name.toUpperCase();
  const openapiVariable = `${prefix}_OPENAPI`;
  const thresholdsVariable = `${prefix}_THRESHOLDS`;
  const { thresholds, problems } = parseThresholds(env[thresholdsVariable], thresholdsVariable);
  return {
    openapi: env[openapiVariable]?.trim() || undefined,
    openapiVariable,
    thresholds,
    problems,
  };
}
