import { ConfigError, type EnvironmentConfig } from '../../lib/config/environment';
import { ApiStatusError, ApiTransportError } from '../../lib/http/api-errors';

/** A problem with how the demo was set up, not with the API's behaviour: one line, exit code 2. */
export class SetupError extends Error {
  override name = 'SetupError';
}

/** Where the demo runs: a configured environment (whose variables to blame) or the embedded server. */
export interface Target {
  environment: EnvironmentConfig;
  /** `QA` for `--env qa`; undefined on the embedded server, which has no variables to fix. */
  variablePrefix: string | undefined;
}

const UNREACHABLE: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
};

/** Turns an error that means "bad set-up" into a SetupError with its fix; undefined for anything else. */
export function asSetupError(error: unknown, target: Target | undefined): SetupError | undefined {
  if (error instanceof SetupError) return error;
  if (error instanceof ConfigError) return new SetupError(error.message);
  if (target === undefined) return undefined;
  const { environment, variablePrefix } = target;
  const where = `${environment.name}: ${environment.baseUrl}`;

  if (error instanceof ApiTransportError) {
    const code = Object.keys(UNREACHABLE).find((c) => error.reason.includes(c));
    if (code === undefined) return undefined;
    const fix =
      variablePrefix === undefined
        ? 'is the server running?'
        : `check ${variablePrefix}_BASE_URL and that the API is up`;
    return new SetupError(`${where} is unreachable (${UNREACHABLE[code] ?? code}): ${fix}`);
  }

  if (error instanceof ApiStatusError && (error.status === 401 || error.status === 403)) {
    const variable = `${variablePrefix ?? 'LOCAL'}_API_TOKEN`;
    const fix = environment.token === undefined ? `${variable} is not set` : `check ${variable}`;
    return new SetupError(`${where} answered ${error.status}: ${fix}`);
  }

  // Creating in a collection that does not exist means the URL names the wrong place.
  if (error instanceof ApiStatusError && error.status === 404 && error.call.startsWith('POST ')) {
    const variable = `${variablePrefix ?? 'LOCAL'}_BASE_URL`;
    return new SetupError(
      `${where} answered 404 to ${error.call}: check that ${variable} is the API root holding the users resource`,
    );
  }
  return undefined;
}
