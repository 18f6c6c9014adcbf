import type { APIRequestContext } from '@playwright/test';

import type { EnvironmentConfig } from '../config/environment';
import { UsersApi } from '../users/users-api';
import { createApiClient, type EnvironmentClientOptions } from './environment-api';

export { environmentPacer, requestContextOptions } from './environment-api';

/** Builds a UsersApi over a request context for an environment, for scripts and benchmarks. */
export function createUsersApi(
  request: APIRequestContext,
  environment: EnvironmentConfig,
  options: EnvironmentClientOptions & { onCreated?: (id: string) => void },
): UsersApi {
  const { onCreated } = options;
  return new UsersApi({
    client: createApiClient(request, environment, options),
    consistency: environment.consistency,
    onCreated:
      onCreated === undefined
        ? undefined
        : (_api, id) => {
            onCreated(id);
          },
  });
}
