import http from 'node:http';
import https from 'node:https';

/**
 * What a request context sends as its `Authorization` header: the bearer scheme and the name of the
 * variable that holds the token, `Bearer ${QA_API_TOKEN}`. The value itself is put in as the request
 * leaves the process (below), after Playwright has logged and traced the headers, so every trace,
 * attachment, report and log, under any reporter, UI mode or the IDE, shows the variable's name.
 */
export function bearerPlaceholder(variable: string): string {
  return `Bearer \${${variable}}`;
}

/** Origins (`https://host:port`), the credential variables each may receive, and how to read each value. */
const grants = new Map<string, Map<string, () => string | undefined>>();
let installed = false;

/**
 * Lets requests of this process to `origin` carry the value of `variable` (read by `read` as each
 * request leaves) in place of its placeholder. Only there: a request elsewhere (a redirect to
 * another host, a URL a test builds itself) goes out with the placeholder, which no server accepts.
 */
export function grantCredential(
  origin: string,
  variable: string,
  read: () => string | undefined,
): void {
  const variables = grants.get(origin) ?? new Map<string, () => string | undefined>();
  variables.set(variable, read);
  grants.set(origin, variables);
  if (!installed) {
    installed = true;
    wrap(http, 'http:');
    wrap(https, 'https:');
  }
}

const PLACEHOLDER = /^Bearer \$\{([A-Za-z_][A-Za-z0-9_]*)\}$/;

/**
 * The headers a request leaves with: a granted placeholder replaced by its value. A copy, never the
 * object Playwright recorded for its trace.
 */
export function withCredential(
  origin: string,
  headers: http.OutgoingHttpHeaders | readonly string[] | undefined,
): http.OutgoingHttpHeaders | undefined {
  if (headers === undefined || Array.isArray(headers)) return undefined;
  const record = headers as http.OutgoingHttpHeaders;
  for (const [name, value] of Object.entries(record)) {
    if (name.toLowerCase() !== 'authorization' || typeof value !== 'string') continue;
    const variable = PLACEHOLDER.exec(value)?.[1];
    const read = variable === undefined ? undefined : grants.get(origin)?.get(variable);
    const token = read?.();
    return token === undefined ? undefined : { ...record, [name]: `Bearer ${token}` };
  }
  return undefined;
}

type RequestModule = typeof http | typeof https;

/**
 * Wraps `request` of Node's http or https module, which Playwright's `APIRequestContext` sends
 * through (read at each call), to put the credential in. Node 20 has no diagnostics channel that
 * fires before headers are written (`http.client.request.start` fires after), so this is the one
 * seam; `tests/unit/credentials.spec.ts` proves on Playwright itself that it still holds.
 */
function wrap(module: RequestModule, protocol: 'http:' | 'https:'): void {
  const original = module.request.bind(module) as (...args: unknown[]) => http.ClientRequest;
  const wrapped = (...args: unknown[]): http.ClientRequest => {
    const urlIndex = typeof args[0] === 'string' || args[0] instanceof URL ? 0 : -1;
    const optionsIndex = urlIndex === 0 ? 1 : 0;
    const options = args[optionsIndex];
    if (options === null || typeof options !== 'object' || typeof options === 'function')
      return original(...args);
    const origin = originOf(protocol, urlIndex === 0 ? args[0] : undefined, options);
    const headers =
      origin === undefined
        ? undefined
        : withCredential(origin, (options as http.RequestOptions).headers);
    if (headers === undefined) return original(...args);
    const copy = [...args];
    copy[optionsIndex] = { ...options, headers };
    return original(...copy);
  };
  (module as { request: unknown }).request = wrapped;
}

function originOf(protocol: string, url: unknown, options: object): string | undefined {
  try {
    if (url instanceof URL) return url.origin;
    if (typeof url === 'string') return new URL(url).origin;
    const { hostname, host, port } = options as http.RequestOptions;
    const name = hostname ?? host ?? 'localhost';
    return new URL(`${protocol}//${name}${port === undefined || port === null ? '' : `:${port}`}`)
      .origin;
  } catch {
    return undefined;
  }
}
