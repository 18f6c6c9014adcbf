import type { EnvironmentConfig } from '../config/environment';
import { secretValue } from '../config/secrets';
import { bearerPlaceholder, grantCredential } from '../http/credentials';

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
