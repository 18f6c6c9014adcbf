import { ConfigError } from '../config/environment';
import type { Resource } from './resource';

/**
 * Fails with a ConfigError when an environment's base URL points at one of the resources rather
 * than at the API root they live under (`…/api/v1/users` instead of `…/api/v1`).
 */
export function checkApiRoot(
  environment: { name: string; baseUrl: string },
  resources: readonly Resource[],
): void {
  const last = environment.baseUrl.split('/').at(-1) ?? '';
  const named = resources.find((r) => r.path.split('/')[0] === last);
  if (named === undefined) return;
  const variable = `${environment.name.toUpperCase()}_BASE_URL`;
  throw new ConfigError(
    `Environment "${environment.name}" is not configured: ${variable} must be the API root without /${last}, e.g. https://<id>.mockapi.io/api/v1. Set it in the shell or copy .env.example to .env and fill it in.`,
  );
}
