import type { APIRequestContext } from '@playwright/test';

import type { EnvironmentConfig } from '../config/environment';
import { ApiClient } from '../http/api-client';
import type { ApiObserver } from '../http/api-observer';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../http/retry-policy';
import type { Logger } from '../logging/logger';
import { UsersApi } from './users-api';

/** Builds a UsersApi over a request context for an environment; shared by the fixtures, the demo and the benchmarks. */
export function createUsersApi(
  request: APIRequestContext,
  environment: EnvironmentConfig,
  options: {
    logger: Logger;
    observers?: ApiObserver[];
    headers?: Record<string, string>;
    onCreated?: (id: string) => void;
  },
): UsersApi {
  const retry: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...environment.retry };
  const client = new ApiClient({
    request,
    baseUrl: environment.baseUrl,
    timeoutMs: environment.timeoutMs,
    retry,
    logger: options.logger,
    secrets: environment.token === undefined ? [] : [environment.token],
    allowWrites: environment.allowWrites,
    observers: options.observers ?? [],
    headers: {
      ...(environment.token === undefined ? {} : { authorization: `Bearer ${environment.token}` }),
      ...options.headers,
    },
  });
  return new UsersApi({
    client,
    consistency: environment.consistency,
    onCreated: options.onCreated,
  });
}

/** Options for `request.newContext()` that point at an environment's API root. */
export function requestContextOptions(environment: EnvironmentConfig): { baseURL: string } {
  // A trailing slash makes relative paths resolve under the root: `users` → `<root>/users`.
  return { baseURL: `${environment.baseUrl}/` };
}
