import type { APIRequestContext } from '@playwright/test';

import type { EnvironmentConfig } from '../config/environment';
import { configuredSecrets, secretValue } from '../config/secrets';
import { ApiClient, type ResponseContract } from '../http/api-client';
import { bearerPlaceholder, grantCredential } from '../http/credentials';
import type { ApiObserver } from '../http/api-observer';
import { createPacer, type Pacer } from '../http/pacer';
import { DEFAULT_RETRY_POLICY } from '../http/retry-policy';
import type { Logger } from '../logging/logger';
import { type Contract, environmentContract } from '../openapi/contract';
import { SUITE_RESOURCES } from '../suite-resources';

export interface EnvironmentClientOptions {
  logger: Logger;
  observers?: ApiObserver[];
  /** Headers for every call, besides the request context's own (its Authorization). */
  headers?: Record<string, string>;
  /** Defaults to a pacer of this process alone at the environment's rate. */
  pacer?: Pacer | undefined;
  /**
   * What every final response is checked against; undefined checks nothing. Defaults to the
   * environment's contract for the suite's resources (see {@link lazyEnvironmentContract}).
   */
  contract?: ResponseContract | undefined;
}

/**
 * The client of an environment over a request context: its timeout, retry policy, token (sent as a
 * bearer token and masked everywhere), write guard and pacing. Shared by the fixtures, scripts and
 * benchmarks.
 */
export function createApiClient(
  request: APIRequestContext,
  environment: EnvironmentConfig,
  options: EnvironmentClientOptions,
): ApiClient {
  return new ApiClient({
    request,
    baseUrl: environment.baseUrl,
    timeoutMs: environment.timeoutMs,
    retry: { ...DEFAULT_RETRY_POLICY, ...environment.retry },
    logger: options.logger,
    // A token never reaches the client (the context sends its placeholder); these mask a server's echo.
    secrets: configuredSecrets(),
    allowWrites: environment.allowWrites,
    pacer: 'pacer' in options ? options.pacer : environmentPacer(environment),
    contract: 'contract' in options ? options.contract : lazyEnvironmentContract(environment),
    observers: options.observers ?? [],
    // The context sends it too (for direct use); here it is part of every call's record.
    headers: {
      ...(environment.tokenVariable === undefined
        ? {}
        : { authorization: bearerPlaceholder(environment.tokenVariable) }),
      ...options.headers,
    },
  });
}

/**
 * The pacer for an environment's rate: shared with every worker of the run through the coordinator
 * that the global setup started (`PW_PACER_URL`), or this process's own when there is none.
 */
export function environmentPacer(
  environment: EnvironmentConfig,
  coordinatorUrl: string | undefined = process.env.PW_PACER_URL,
): Pacer | undefined {
  return createPacer({
    key: `${environment.name} ${environment.baseUrl}`,
    ratePerSecond: environment.rateLimitRps,
    coordinatorUrl,
  });
}

/**
 * Contracts already loaded in this process, by document: scripts build several clients, and loading
 * means reading a file or URL and compiling its schemas (about 0.1 s for the generated document).
 */
const loadedContracts = new Map<string, Promise<Contract>>();

/**
 * The environment's contract (`<ENV>_OPENAPI`, else the document generated from the suite's
 * resources), loaded at the first response it checks and then shared by every client of this
 * process: for scripts, which build clients synchronously. The fixtures load theirs up front.
 */
export function lazyEnvironmentContract(environment: EnvironmentConfig): ResponseContract {
  const key = environment.openapi ?? '';
  return {
    async check(method, target, result) {
      let contract = loadedContracts.get(key);
      if (contract === undefined) {
        contract = environmentContract(environment, SUITE_RESOURCES);
        loadedContracts.set(key, contract);
      }
      (await contract).check(method, target, result);
    },
  };
}

/**
 * Options for `request.newContext()` that point at an environment's API root and authenticate it:
 * the context sends `Authorization: Bearer ${QA_API_TOKEN}` (the variable's name), and this process
 * puts the token in only as a request to that root's origin leaves, so traces, reports and logs
 * never hold it, whichever reporter or UI runs.
 */
export function requestContextOptions(environment: EnvironmentConfig): {
  baseURL: string;
  extraHTTPHeaders?: Record<string, string>;
} {
  // A trailing slash makes relative paths resolve under the root: `users` → `<root>/users`.
  const baseURL = `${environment.baseUrl}/`;
  const variable = environment.tokenVariable;
  if (variable === undefined) return { baseURL };
  grantCredential(new URL(baseURL).origin, variable, () => secretValue(variable));
  return { baseURL, extraHTTPHeaders: { authorization: bearerPlaceholder(variable) } };
}
